/*
 * The one router of every action node (n8n's Microsoft Teams v2 model, typed like Airtable v2).
 *
 * The node file holds the description and calls `route` with its operation table. The router
 * builds the provider client once per execution, runs the operation over the input items with
 * bounded concurrency (the operation's own, or the node's Concurrency option), keeps output in
 * input order, sets `pairedItem`, and turns an item's error into an error item under Continue On
 * Fail, and applies the node's Simplify switch (shared/simplify.ts) to every output item. An
 * operation says only what to do with one item:
 *
 *   export const description = updateDisplayOptions({ show: { resource: ['x'], operation: ['y'] } }, properties);
 *   export async function execute(context, itemIndex, client) { ...; return { json }; }
 *
 * or, where the provider takes batches, `executeBatch(context, client)` returning one outcome per
 * input item (its output items, or the Error that item failed with).
 *
 * To add an operation: copy a sibling file in `actions/<resource>/`, export it from the resource's
 * index.ts (and add its option there), and add the pair to the node's `node.type.ts` map and to
 * its `operations` table. The table's type makes `tsc` name any pair that has no operation.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runPerItem } from './items';
import type { ItemResult } from './items';
import { numberOption, optionsOf } from './parameters';
import { simplifyItems } from './simplify';

export type { ItemResult } from './items';

/** What one input item ends as in a batch operation: its output items, or the error it failed with. */
export type ItemOutcome = ItemResult | Error;

/** An operation that handles one input item with the execution's client. */
export interface ItemOperation<Client> {
	description: INodeProperties[];
	/**
	 * The output item(s) of input item `itemIndex`, without `pairedItem` (the router adds it).
	 * Throwing fails this item only: an error item under Continue On Fail, else the node's error.
	 */
	execute(context: IExecuteFunctions, itemIndex: number, client: Client): Promise<ItemResult>;
	/** Items in flight at once; unset: the node's Concurrency option (Options → Concurrency). */
	concurrency?: number;
}

/** An operation whose provider call takes many items at once (a multipart upload, an SSE batch). */
export interface BatchOperation<Client> {
	description: INodeProperties[];
	/** One outcome per input item, in input order. Throwing fails the whole node. */
	executeBatch(context: IExecuteFunctions, client: Client): Promise<ItemOutcome[]>;
}

/** An item operation with a batch mode chosen by a parameter (e.g. "One Job for All Input Items"). */
export interface ItemOrBatchOperation<Client> extends ItemOperation<Client>, BatchOperation<Client> {
	/** Whether this execution runs as one batch (read from the parameters of item 0). */
	isBatch(context: IExecuteFunctions): boolean;
}

export type Operation<Client> = ItemOperation<Client> | BatchOperation<Client> | ItemOrBatchOperation<Client>;

/**
 * resource → operation → Operation, for a node whose resources and operations are `Map`
 * (`{ analysis: 'create' | 'get'; job: 'track' }`): a pair without an operation fails `tsc`.
 */
export type OperationTable<Client, Map extends Record<string, string>> = {
	[Resource in keyof Map]: { [Op in Map[Resource]]: Operation<Client> };
};

export interface RouterSettings<Client, Map extends Record<string, string>> {
	operations: OperationTable<Client, Map>;
	/** Builds the provider client from the node's credential, once per execution. */
	client(context: IExecuteFunctions): Promise<Client>;
	/** Concurrency when the operation sets none and Options → Concurrency is not set. */
	defaultConcurrency: number;
}

/** Runs the node's chosen operation over every input item; the node's only output. */
export async function route<Client, Map extends Record<string, string>>(
	context: IExecuteFunctions,
	settings: RouterSettings<Client, Map>,
): Promise<INodeExecutionData[][]> {
	const resource = context.getNodeParameter('resource', 0) as string;
	const operationName = context.getNodeParameter('operation', 0) as string;
	const table = settings.operations as Record<string, Record<string, Operation<Client>> | undefined>;
	const operation = table[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(context.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
	}
	const client = await settings.client(context);
	const batch = batchOf(context, operation);
	if (batch) {
		const outcomes = await batch.executeBatch(context, client);
		return [await runPerItem(context, 1, async (itemIndex) => simplified(context, itemIndex, outcomeOf(context, outcomes[itemIndex], itemIndex)))];
	}
	const perItem = operation as ItemOperation<Client>;
	const concurrency =
		perItem.concurrency ?? Math.max(1, Math.floor(numberOption(optionsOf(context), 'concurrency', settings.defaultConcurrency)));
	return [
		await runPerItem(context, concurrency, async (itemIndex) => simplified(context, itemIndex, await perItem.execute(context, itemIndex, client))),
	];
}

/** An item's output with the node's Simplify switch applied (nodes without the switch: unchanged). */
function simplified(context: IExecuteFunctions, itemIndex: number, result: ItemResult): ItemResult {
	if (context.getNodeParameter('simplify', itemIndex, false) !== true) return result;
	return simplifyItems(Array.isArray(result) ? result : [result]);
}

/** The operation's batch form when this execution runs as a batch, else undefined (per item). */
function batchOf<Client>(context: IExecuteFunctions, operation: Operation<Client>): BatchOperation<Client> | undefined {
	if (!('executeBatch' in operation)) return undefined;
	if ('isBatch' in operation && !operation.isBatch(context)) return undefined;
	return operation;
}

function outcomeOf(context: IExecuteFunctions, outcome: ItemOutcome | undefined, itemIndex: number): ItemResult {
	if (outcome instanceof Error) throw outcome;
	if (!outcome) throw new NodeOperationError(context.getNode(), 'This item was not processed', { itemIndex });
	return outcome;
}

/** An option of the Operation selector, whose value must be an operation of `Map[Resource]`. */
export type OperationOption<Op extends string> = INodePropertyOptions & { value: Op; action: string };

/**
 * The Operation selector of one resource; its values are checked against the node's map, so an
 * option without an operation (or a misspelled one) fails `tsc`.
 */
export function operationSelector<Map extends Record<string, string>, Resource extends keyof Map & string>(
	resource: Resource,
	options: Array<OperationOption<Map[Resource]>>,
	defaultOperation: Map[Resource],
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}
