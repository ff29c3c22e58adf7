import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

export function stringOption(options: Record<string, unknown>, name: string): string | undefined {
	const value = options[name];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Seconds from a number parameter as milliseconds, never negative. */
export function seconds(value: number): number {
	return Math.max(0, Math.round(value * 1000));
}

/** How many results a Return All / Limit pair asks for: Infinity for Return All, else Limit (at least 1). */
export function wantedCount(context: IExecuteFunctions, itemIndex: number): number {
	if (context.getNodeParameter('returnAll', itemIndex, false) as boolean) return Number.POSITIVE_INFINITY;
	return Math.max(1, Number(context.getNodeParameter('limit', itemIndex, 50)));
}
