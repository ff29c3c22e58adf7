import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { flattenResult } from '../../flatten';
import { fetchResult } from '../../results';
import { piqueClient } from '../../transport';
import { DEFAULT_CONCURRENCY, concurrencyOption, jobIdField, numberOption, optionsOf, requiredString } from '../common';

const properties: INodeProperties[] = [
	jobIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['evaluation'], operation: ['getResult'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client } = await piqueClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		const jobId = requiredString(this, 'jobId', 'Job ID', itemIndex);
		return { json: flattenResult(await fetchResult(client, jobId, { itemIndex })) };
	});
}
