/*
 * Description pieces that several nodes share, written once (Airtable v2's common.descriptions.ts):
 * the action node header, Concurrency, the Options collection, Return All / Limit.
 */
import type { INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
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

/** How a Wait for Completion polls: defaults in seconds, the give-up text, and an optional hint. */
export interface WaitDefaults {
	intervalSeconds: number;
	timeoutSeconds: number;
	/** Ends "Give up (with an error) when …", e.g. "the job has not finished by then". */
	giveUpWhen: string;
	timeoutHint?: string;
}

/** Poll Interval and Timeout (seconds) of a wait, read with `seconds()`: `pollInterval`, `timeout`. */
export function waitProperties(defaults: WaitDefaults): INodeProperties[] {
	return [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: defaults.intervalSeconds,
			description: 'How long to wait between two status checks',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: defaults.timeoutSeconds,
			description: `Give up (with an error) when ${defaults.giveUpWhen}`,
			...(defaults.timeoutHint ? { hint: defaults.timeoutHint } : {}),
		},
	];
}

/** The Resource selector of an action node (`options` in the order the editor shows them). */
export function resourceSelector(options: INodePropertyOptions[], defaultResource: string): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options,
		default: defaultResource,
	};
}
