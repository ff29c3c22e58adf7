import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const DEFAULT_CONCURRENCY = 5;

export const screenshotIdField: INodeProperties = {
	displayName: 'Screenshot ID',
	name: 'screenshotId',
	type: 'string',
	required: true,
	default: '={{ $json.screenshotId }}',
	description: 'The ID that Analysis → Create returned (`screenshotId`)',
	hint: 'Not the analysis ID: that one exists only after the analysis succeeded',
};

export const analysisIdField: INodeProperties = {
	displayName: 'Analysis ID',
	name: 'analysisId',
	type: 'string',
	required: true,
	default: '={{ $json.analysisId }}',
	description:
		'The `analysisId` from Analysis → Get or Wait for Completion (EyeQuant calls it `_internal_exposed_id`); it exists once an analysis succeeded',
	hint: 'Not the screenshot ID that Create returns',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: DEFAULT_CONCURRENCY,
	description: 'How many items are sent to EyeQuant at the same time. Lower it if EyeQuant answers 429 (rate limited).',
};

export const mapTimeoutOption: INodeProperties = {
	displayName: 'Map Download Timeout (Seconds)',
	name: 'mapTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 120,
	description: 'How long a map download may wait for the next bytes before it is retried or given up',
};

/** A required string parameter, trimmed, with a clear error when it is empty. */
export function requiredString(context: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const value = context.getNodeParameter(name, itemIndex, '');
	const text = typeof value === 'string' ? value.trim() : String(value ?? '').trim();
	if (!text) {
		throw new NodeOperationError(context.getNode(), `${label} is empty`, {
			itemIndex,
			description: `Set "${label}", e.g. with an expression such as {{ $json.${name} }} that reads it from the incoming item.`,
		});
	}
	return text;
}

/** The "Options" collection of an operation, typed loosely as n8n hands it over. */
export function optionsOf(context: IExecuteFunctions, itemIndex = 0): Record<string, unknown> {
	return context.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;
}

export function numberOption(options: Record<string, unknown>, name: string, fallback: number): number {
	const value = options[name];
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function booleanOption(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
	const value = options[name];
	return typeof value === 'boolean' ? value : fallback;
}

export function seconds(value: number): number {
	return Math.max(0, Math.round(value * 1000));
}

/** Path segment for an id typed by a user: encoded so that "a/b" cannot reach another endpoint. */
export function idSegment(id: string): string {
	return encodeURIComponent(id);
}
