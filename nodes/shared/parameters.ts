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

/** Why a value cannot be one id in a URL path segment, or undefined when it can. */
export function idProblem(value: unknown): string | undefined {
	if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
		const kind = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
		return value === undefined ? 'is empty' : `must be text, but the expression gave ${kind}`;
	}
	const text = String(value).trim();
	if (text === '') return 'is empty';
	if (text === '.' || text === '..') return `cannot be "${text}"`;
	if (/[\u0000-\u001f\u007f]/.test(text)) return 'contains control characters (line breaks, tabs or similar)';
	return undefined;
}

/**
 * An id that goes into a URL path (`/analyses/<id>`), checked before any call: text or a number,
 * trimmed, not empty, not `.` or `..` (which would climb to another endpoint), no control
 * characters. Throws a NodeOperationError on the item that names the parameter.
 */
export function checkedId(context: Pick<IExecuteFunctions, 'getNode'>, value: unknown, label: string, itemIndex: number, parameter?: string): string {
	const problem = idProblem(value);
	if (problem) {
		const from = parameter ? ` (parameter "${parameter}")` : '';
		throw new NodeOperationError(context.getNode(), `${label} ${problem}`, {
			itemIndex,
			description: `"${label}"${from} must be one id as the provider returned it, e.g. with an expression such as {{ $json.${parameter ?? 'id'} }} that reads it from the incoming item. Nothing was sent.`,
		});
	}
	return String(value).trim();
}

/** A required id parameter that becomes one URL path segment; see `checkedId`. */
export function idParameter(context: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	return checkedId(context, context.getNodeParameter(name, itemIndex, ''), label, itemIndex, name);
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
