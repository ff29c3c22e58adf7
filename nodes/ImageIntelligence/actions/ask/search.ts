import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, filtersCollection, optionsCollection, returnAllLimit } from '../../../shared/descriptions';
import { wantedCount } from '../../../shared/parameters';
import type { ItemResult } from '../../../shared/router';
import { toEpochMs } from '../../dates';
import { askJobItem } from '../../flatten';
import { askJobListSchema } from '../../schemas';
import type { ImageIntelligenceClient } from '../../transport';

const properties: INodeProperties[] = [
	...returnAllLimit,
	filtersCollection([
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
	]),
	optionsCollection([concurrencyOption('Image Intelligence')]),
];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['search'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ImageIntelligenceClient): Promise<ItemResult> {
	const filters = context.getNodeParameter('filters', itemIndex, {}) as Record<string, unknown>;
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const jobs = await client.json(
		{
			method: 'GET',
			path: '/ask',
			itemIndex,
			query: {
				customId: text(filters.customId) || undefined,
				feedId: text(filters.feedId) || undefined,
				after: timeFilter(context, filters.createdAfter, 'Created After', itemIndex),
				before: timeFilter(context, filters.createdBefore, 'Created Before', itemIndex),
			},
		},
		askJobListSchema,
	);
	// The API has no paging: the whole list arrives at once, the limit is applied here.
	return jobs.slice(0, wantedCount(context, itemIndex)).map((job) => ({ json: askJobItem(job) }));
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
