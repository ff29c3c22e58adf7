import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InputProblem } from '../limits';

export { checkedId, idParameter, numberOption, optionsOf, requiredString } from '../../shared/parameters';

export const jobIdField: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description: 'The ID of an ask job, as Ask → Create returned it (`jobId`)',
};

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
