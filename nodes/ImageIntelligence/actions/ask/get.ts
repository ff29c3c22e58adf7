import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import { askJobItem } from '../../flatten';
import type { ImageIntelligenceClient } from '../../transport';
import { jobIdField, idParameter } from '../common';
import { fetchAskJob } from './fetch';

const properties: INodeProperties[] = [
	jobIdField,
	optionsCollection([concurrencyOption('Image Intelligence')]),
];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['get'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ImageIntelligenceClient): Promise<ItemResult> {
	const jobId = idParameter(context, 'jobId', 'Job ID', itemIndex);
	return { json: askJobItem(await fetchAskJob(client, jobId, itemIndex)) };
}
