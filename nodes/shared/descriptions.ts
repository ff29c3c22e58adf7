/*
 * Description pieces that several nodes share, written once (Airtable v2's common.descriptions.ts):
 * the action node header, Concurrency, the Options collection, Return All / Limit.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/**
 * What every action node of the pack has in its description: one main input and output, version 1.
 * Spread it into the node's description literal; n8n's lint reads `icon`, `subtitle` and
 * `usableAsTool` from that literal, so those stay there (`subtitle: RESOURCE_SUBTITLE`).
 */
export const actionNodeBase = {
	group: ['transform'],
	version: 1,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
} satisfies Partial<INodeTypeDescription>;

/** The node subtitle "<operation>: <resource>" of a resource/operation node. */
export const RESOURCE_SUBTITLE = '={{$parameter["operation"] + ": " + $parameter["resource"]}}';

/** Concurrency = how many items are in flight at once; `sentTo` names the provider (or what runs). */
export function concurrencyOption(sentTo: string, fallback = 5): INodeProperties {
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: fallback,
		description: `How many items are sent to ${sentTo} at the same time. Lower it if ${sentTo} answers 429 (rate limited).`,
	};
}

/** The "Options" collection of an operation (read with `optionsOf`). */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

/** n8n's Return All / Limit pair of a list operation (read with `wantedCount`). */
export const returnAllLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

/** The "Filters" collection of a list operation. */
export function filtersCollection(filters: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: filters,
	};
}
