import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { mapSettled } from './concurrency';

/** One operation's answer for one input item: output items without `pairedItem` (added here). */
export type ItemResult = INodeExecutionData | INodeExecutionData[];

/**
 * Runs an operation over every input item with bounded concurrency and n8n's item semantics:
 * output in input order, `pairedItem` on every item, and "Continue On Fail" turning an item's
 * error into an error item while the other items carry on. Without it, the first failed item's
 * error is thrown, but only after every in-flight item has settled.
 */
export async function runPerItem(
	context: IExecuteFunctions,
	concurrency: number,
	operation: (itemIndex: number) => Promise<ItemResult>,
): Promise<INodeExecutionData[]> {
	const inputs = context.getInputData();
	const settled = await mapSettled(inputs, concurrency, async (_item, itemIndex) => await operation(itemIndex));
	const output: INodeExecutionData[] = [];
	for (const [itemIndex, result] of settled.entries()) {
		if (result.status === 'fulfilled') {
			const items = Array.isArray(result.value) ? result.value : [result.value];
			for (const item of items) output.push({ ...item, pairedItem: item.pairedItem ?? { item: itemIndex } });
			continue;
		}
		const error = asNodeError(context, result.reason, itemIndex);
		if (!context.continueOnFail()) throw error;
		output.push({
			json: { error: error.message, ...(error.description ? { errorDescription: error.description } : {}) },
			pairedItem: { item: itemIndex },
		});
	}
	return output;
}

function asNodeError(context: IExecuteFunctions, reason: unknown, itemIndex: number): NodeError {
	if (reason instanceof NodeError) {
		reason.context.itemIndex ??= itemIndex;
		return reason;
	}
	return new NodeOperationError(context.getNode(), reason instanceof Error ? reason : String(reason), { itemIndex });
}
