import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { numberOption, optionsOf } from '../../shared/parameters';
import { InputProblem } from '../limits';

export { numberOption, optionsOf, requiredString } from '../../shared/parameters';

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

export function concurrencyOf(context: IExecuteFunctions): number {
	return Math.max(1, Math.floor(numberOption(optionsOf(context), 'concurrency', DEFAULT_CONCURRENCY)));
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
