import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InputProblem } from '../limits';

export const DEFAULT_CONCURRENCY = 5;

export const jobIdField: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description: 'The ID of an ask job, as Ask → Create returned it (`jobId`)',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: DEFAULT_CONCURRENCY,
	description: 'How many items are sent to Image Intelligence at the same time. Lower it if Image Intelligence answers 429 (rate limited).',
};

/** The "Options" collection of an operation, typed loosely as n8n hands it over. */
export function optionsOf(context: IExecuteFunctions, itemIndex = 0): Record<string, unknown> {
	return context.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;
}

export function numberOption(options: Record<string, unknown>, name: string, fallback: number): number {
	const value = options[name];
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function concurrencyOf(context: IExecuteFunctions): number {
	return Math.max(1, Math.floor(numberOption(optionsOf(context), 'concurrency', DEFAULT_CONCURRENCY)));
}

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

/** Runs a check from limits.ts and turns its problem into a node error on that item. */
export function checked<T>(context: IExecuteFunctions, itemIndex: number, check: () => T): T {
	let failure: unknown;
	try {
		return check();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof InputProblem) {
		throw new NodeOperationError(context.getNode(), failure.message, { itemIndex, description: failure.hint });
	}
	throw failure;
}

export function seconds(value: unknown, fallback: number): number {
	const number = typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
	return Math.round(number * 1000);
}
