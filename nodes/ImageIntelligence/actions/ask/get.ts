import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { askJobItem } from '../../flatten';
import { imageIntelligenceClient } from '../../transport';
import { concurrencyOf, concurrencyOption, jobIdField, requiredString } from '../common';
import { fetchAskJob } from './fetch';

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

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await imageIntelligenceClient(this);
	return await runPerItem(this, concurrencyOf(this), async (itemIndex) => {
		const jobId = requiredString(this, 'jobId', 'Job ID', itemIndex);
		return { json: askJobItem(await fetchAskJob(client, jobId, itemIndex)) };
	});
}
