import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection, waitProperties } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import { waitUntilDone } from '../../../shared/wait';
import { askJobItem, isFinished } from '../../flatten';
import type { ImageIntelligenceClient } from '../../transport';
import { jobIdField, idParameter, seconds } from '../common';
import { fetchAskJob } from './fetch';

const properties: INodeProperties[] = [
	jobIdField,
	...waitProperties({
		intervalSeconds: 2,
		timeoutSeconds: 300,
		giveUpWhen: 'the job has not finished by then',
		timeoutHint:
			'Instead of waiting here, Create can wait for Image Intelligence\'s call without holding a worker (Wait for the Result), or a job can start an Image Intelligence Trigger (Create → Options → Webhook URL)',
	}),
	optionsCollection([concurrencyOption('Image Intelligence')]),
];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['waitForCompletion'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ImageIntelligenceClient): Promise<ItemResult> {
	const jobId = idParameter(context, 'jobId', 'Job ID', itemIndex);
	const job = await waitUntilDone(
		context,
		{
			what: `Image Intelligence ask job ${jobId}`,
			intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 2), 2),
			timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 300), 300),
			itemIndex,
		},
		async () => {
			const current = await fetchAskJob(client, jobId, itemIndex);
			return { done: isFinished(current), value: current };
		},
	);
	return { json: askJobItem(job) };
}
