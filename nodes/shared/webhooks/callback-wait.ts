import type { IExecuteFunctions, INodeExecutionData, INodeProperties, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openLedger } from '../ledger';
import { WAIT_MODES, waitModeOf, waitModeParameter } from '../wait-mode';
import type { WaitingJob } from '../ledger';
import { answer, readDelivery } from './receive';
import type { DeliverySource, JobReading } from './receive';

const DEFAULT_LIMIT_MINUTES = 60;

/**
 * The resume webhook of a node with a Wait mode (n8n's send-and-wait model): while the execution
 * waits, n8n routes `$execution.resumeUrl` (which carries the execution's resume token) to the
 * node's `webhook()`. It is not listed under the node's Webhook URLs and needs no activation.
 */
export const CALLBACK_WEBHOOKS: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true },
];

/**
 * "Wait for the Result" (No | Poll Until Done | Until <provider> Calls Back) with each mode's own
 * parameters, for an operation that submits jobs to `provider`; `pollSettings` are Poll Until Done's.
 */
export function waitModeProperties(provider: string, pollSettings: INodeProperties[]): INodeProperties[] {
	return waitModeParameter({
		provider,
		pollSettings,
		callback: {
			option: {
				name: `Until ${provider} Calls Back`,
				value: WAIT_MODES.callback,
				description: `The execution waits without holding an n8n worker (also across n8n restarts) and goes on with the results when ${provider} calls back`,
			},
			settings: [
				{
					displayName: 'Limit Wait Time (Minutes)',
					name: 'waitLimitMinutes',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: DEFAULT_LIMIT_MINUTES,
					description: `How long the execution waits for ${provider}'s call`,
					hint: 'If the limit passes without a call, n8n resumes the execution without running this node again: it passes its input items on unchanged (as n8n\'s own send-and-wait nodes do)',
				},
			],
		},
	});
}

/** Whether this execution submits its jobs with the resume URL as their webhook and then waits ("Until … Calls Back"). */
export function isWaitMode(context: IExecuteFunctions): boolean {
	return waitModeOf(context, 0) === WAIT_MODES.callback;
}

/** The execution's resume URL (with n8n's resume token), the webhook URL of every job it submits in Wait mode. */
export function callbackUrl(context: IExecuteFunctions, itemIndex: number): string {
	const url = context.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex);
	if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(context.getNode(), 'n8n gave no resume URL for this execution', {
			itemIndex,
			description: 'Wait for the Result "Until ... Calls Back" needs n8n\'s waiting webhooks. Choose "Poll Until Done" (or "No" and Wait for Completion) instead.',
		});
	}
	return url;
}

/**
 * Wait mode, after the jobs were submitted: records in the job ledger which job every output item
 * stands for (execution id + node id: durable across n8n restarts), then puts the execution to wait
 * until the limit. Output items without a job (error items) are not waited for. Returns the output
 * unchanged; n8n keeps it only until the callback replaces it.
 */
export async function waitForCallbacks(
	context: IExecuteFunctions,
	output: INodeExecutionData[][],
	waiter: { provider: DeliverySource['provider']; account: string },
): Promise<INodeExecutionData[][]> {
	const jobs: WaitingJob[] = [];
	(output[0] ?? []).forEach((item, outputIndex) => {
		const jobId = item.json.jobId;
		if (typeof jobId !== 'string' || item.error) return;
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const itemIndex = typeof paired === 'number' ? paired : (paired?.item ?? outputIndex);
		jobs.push({ outputIndex, itemIndex, jobId });
	});
	if (jobs.length === 0) return output;
	const ledger = await openLedger();
	await ledger.recordWait({ executionId: context.getExecutionId(), nodeId: context.getNode().id, ...waiter }, jobs);
	const minutes = context.getNodeParameter('waitLimitMinutes', 0, DEFAULT_LIMIT_MINUTES) as number;
	const limitMs = (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_LIMIT_MINUTES) * 60_000;
	context.logger.debug(`${context.getNode().name}: waiting up to ${limitMs / 60_000} min for ${jobs.length} job(s) to call back`);
	await context.putExecutionToWait(new Date(Date.now() + limitMs));
	return output;
}

/**
 * A callback to a waiting execution (its resume URL): checked like a webhook trigger's delivery
 * (413 / 401 for Pique's signature / 400), then every job the node waits for is read with the
 * node's credential. A job this execution does not wait for → 200, a warning, nothing resumed;
 * a job still running → 200 and the execution keeps waiting for the next call; the API not
 * answering → 503 (the provider calls again). Once every job finished, the execution resumes with
 * one item per job, exactly as Wait for Completion outputs it, each paired with its input item.
 */
export async function resumeOnCallback(context: IWebhookFunctions, source: DeliverySource): Promise<IWebhookResponseData> {
	const read = await readDelivery(context, source);
	if (!('hint' in read)) return read;
	const response = context.getResponseObject();
	const node = context.getNode();
	const ledger = await openLedger();
	const jobs = await ledger.waitingJobs(context.getExecutionId(), node.id);
	if (!jobs.some((job) => job.jobId === read.hint.jobId)) {
		context.logger.warn(`${node.name}: a callback named ${source.label} ${source.jobNoun} ${read.hint.jobId}, which this execution does not wait for; ignored`);
		return answer(response, 200, { received: true, resumed: false });
	}
	const account = await source.connect(context);
	const readings = new Map<string, JobReading>();
	try {
		for (const job of jobs) if (!readings.has(job.jobId)) readings.set(job.jobId, await account.read(job.jobId));
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		context.logger.warn(`${node.name}: could not read the ${source.label} ${source.jobNoun}s this execution waits for (${reason}); answered 503`);
		return answer(response, 503, { error: 'try again later' }, { 'retry-after': '30' });
	}
	const running = [...readings.values()].filter((reading) => reading.kind === 'running').length;
	if (running > 0) {
		context.logger.debug(`${node.name}: ${running} of ${readings.size} ${source.jobNoun}(s) still running; the execution keeps waiting`);
		return answer(response, 200, { received: true, resumed: false, running });
	}
	const items = jobs.map((job): INodeExecutionData => {
		const reading = readings.get(job.jobId);
		return { json: reading?.kind === 'finished' ? reading.item : { jobId: job.jobId }, pairedItem: { item: job.itemIndex } };
	});
	return { workflowData: [items] };
}
