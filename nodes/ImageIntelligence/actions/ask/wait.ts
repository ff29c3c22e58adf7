import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { waitProperties } from '../../../shared/descriptions';
import { waitUntilDone } from '../../../shared/wait';
import { isPollMode } from '../../../shared/wait-mode';
import { askJobItem, isFinished } from '../../flatten';
import type { ImageIntelligenceClient } from '../../transport';
import { seconds } from '../common';
import { fetchAskJob } from './fetch';

/** Poll Interval and Timeout of an ask-job wait (Wait for Completion, and Create's Wait for the Result → Poll Until Done). */
export const pollSettings: INodeProperties[] = waitProperties({
	intervalSeconds: 2,
	timeoutSeconds: 300,
	giveUpWhen: 'the job has not finished by then',
	timeoutHint:
		'Instead of waiting here, Create can wait for Image Intelligence\'s call without holding a worker (Wait for the Result), or a job can start an Image Intelligence Trigger (Create → Options → Webhook URL)',
});

/** Polls an ask job until it finished (Poll Interval, Timeout from item `itemIndex`'s parameters); its output fields. */
export async function waitForAskJob(context: IExecuteFunctions, client: ImageIntelligenceClient, jobId: string, itemIndex: number): Promise<IDataObject> {
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
	return askJobItem(job);
}

/** Create's jobs as they are now, or (with Wait for the Result → Poll Until Done) each one once it finished; part numbers kept. */
export async function finishedIfAsked(
	context: IExecuteFunctions,
	client: ImageIntelligenceClient,
	created: IDataObject[],
	itemIndex: number,
): Promise<IDataObject[]> {
	if (!isPollMode(context, itemIndex)) return created;
	const finished: IDataObject[] = [];
	for (const job of created) {
		const { part, parts } = job;
		finished.push({ ...(await waitForAskJob(context, client, String(job.jobId), itemIndex)), ...(parts ? { part, parts } : {}) });
	}
	return finished;
}
