import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { toEpochMs } from '../../dates';
import { askJobItem } from '../../flatten';
import { askJobListSchema } from '../../schemas';
import { imageIntelligenceClient } from '../../transport';
import { concurrencyOf, concurrencyOption } from '../common';

const properties: INodeProperties[] = [
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
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Only jobs created after this moment (in the workflow\'s time zone unless the value has an offset)',
			},
			{
				displayName: 'Created Before',
				name: 'createdBefore',
				type: 'dateTime',
				default: '',
				description: 'Only jobs created before this moment (in the workflow\'s time zone unless the value has an offset)',
			},
			{
				displayName: 'Custom ID',
				name: 'customId',
				type: 'string',
				default: '',
				description: 'Only jobs created with this custom ID',
			},
			{
				displayName: 'Feed ID',
				name: 'feedId',
				type: 'string',
				default: '',
				description: 'Only jobs created with this feed ID',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['search'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await imageIntelligenceClient(this);
	return await runPerItem(this, concurrencyOf(this), async (itemIndex) => {
		const filters = this.getNodeParameter('filters', itemIndex, {}) as Record<string, unknown>;
		const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
		const jobs = await client.json(
			{
				method: 'GET',
				path: '/ask',
				itemIndex,
				query: {
					customId: text(filters.customId) || undefined,
					feedId: text(filters.feedId) || undefined,
					after: timeFilter(this, filters.createdAfter, 'Created After', itemIndex),
					before: timeFilter(this, filters.createdBefore, 'Created Before', itemIndex),
				},
			},
			askJobListSchema,
		);
		// The API has no paging: the whole list arrives at once, the limit is applied here.
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? jobs.length : Math.max(1, Number(this.getNodeParameter('limit', itemIndex, 50)));
		return jobs.slice(0, limit).map((job) => ({ json: askJobItem(job) }));
	});
}

function timeFilter(context: IExecuteFunctions, value: unknown, label: string, itemIndex: number): number | undefined {
	const ms = toEpochMs(value, context.getTimezone());
	if (ms !== undefined && Number.isNaN(ms)) {
		throw new NodeOperationError(context.getNode(), `${label} is not a date: ${String(value).slice(0, 60)}`, {
			itemIndex,
			description: 'Pick a date in the date picker, or use an ISO date such as 2024-05-01T10:00:00Z (an expression like {{ $now.minus(1, "day") }} works too).',
		});
	}
	return ms === undefined ? undefined : Math.round(ms);
}
