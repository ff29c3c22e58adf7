import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { ImageIntelligenceClient } from '../../transport';
import { jobIdField, idParameter } from '../common';
import { pollSettings, waitForAskJob } from './wait';

const properties: INodeProperties[] = [jobIdField, ...pollSettings, optionsCollection([concurrencyOption('Image Intelligence')])];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['waitForCompletion'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ImageIntelligenceClient): Promise<ItemResult> {
	const jobId = idParameter(context, 'jobId', 'Job ID', itemIndex);
	return { json: await waitForAskJob(context, client, jobId, itemIndex) };
}
