import type { IExecuteFunctions, INodeExecutionData, INodeProperties, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openLedger } from '../ledger';
import { WAIT_MODES, waitModeOf, waitModeParameter } from '../wait-mode';
import type { WaitLimit, WaitingJob } from '../ledger';
import { answer, readDelivery } from './receive';
import type { DeliverySource, JobReading } from './receive';
import { WAIT_LIMIT_BACKSTOP_MS, WAIT_LIMIT_HEADER, startWaitLimitSweeper } from './wait-limit';

const DEFAULT_LIMIT_MINUTES = 60;

// Loaded at n8n's start in every n8n process (the pack's nodes load eagerly): waits whose limit
// passes while this process runs are swept, also after a restart.
startWaitLimitSweeper();

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
				},
				{
					displayName: 'When the Limit Passes',
					name: 'onWaitLimit',
					type: 'options',
					options: [
						{
							name: 'Check Once, Then Output Errors',
							value: 'error',
							description: `Read each job once: finished jobs come out with their results, each job still running as an error item. Error items go to the error output when Settings → On Error is "Continue (using error output)".`,
						},
						{
							name: 'Check Once, Then Output Pending Jobs',
							value: 'pending',
							description: `Read each job once: finished jobs come out with their results, each job still running as an item with ${provider}'s status and waitLimitReached: true`,
						},
					],
					default: 'error',
					hint: 'At the limit the pack calls the execution\'s resume URL (so that URL must reach n8n from n8n itself). n8n cannot stop an execution from a callback: route the error items with On Error, or check waitLimitReached.',
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
 * stands for and the limit (execution id + node id: durable across n8n restarts), then puts the
 * execution to wait. n8n's own timer is set 30 minutes past the limit (WAIT_LIMIT_BACKSTOP_MS):
 * at the limit the wait-limit sweeper calls the resume URL first (`resumeAtLimit`). Error items
 * (inputs that failed at submission, Continue On Fail) are recorded too, not waited for, and come
 * out again in their place when the execution resumes. Returns the output unchanged; n8n keeps it
 * only until the callback replaces it.
 */
export async function waitForCallbacks(
	context: IExecuteFunctions,
	output: INodeExecutionData[][],
	waiter: { provider: DeliverySource['provider']; account: string },
): Promise<INodeExecutionData[][]> {
	const jobs: WaitingJob[] = [];
	const failed: WaitingJob[] = [];
	(output[0] ?? []).forEach((item, outputIndex) => {
		const jobId = item.json.jobId;
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const itemIndex = typeof paired === 'number' ? paired : (paired?.item ?? outputIndex);
		const { error, errorDescription } = item.json;
		if (typeof jobId !== 'string' && typeof error === 'string') {
			failed.push({ outputIndex, itemIndex, jobId: '', error: { message: error, description: typeof errorDescription === 'string' ? errorDescription : undefined } });
		} else if (typeof jobId === 'string' && !item.error) {
			jobs.push({ outputIndex, itemIndex, jobId });
		}
	});
	if (jobs.length === 0) return output;
	const minutes = context.getNodeParameter('waitLimitMinutes', 0, DEFAULT_LIMIT_MINUTES) as number;
	const limitMs = (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_LIMIT_MINUTES) * 60_000;
	const limit: WaitLimit = {
		deadline: Date.now() + limitMs,
		resumeUrl: callbackUrl(context, 0),
		onLimit: context.getNodeParameter('onWaitLimit', 0, 'error') === 'pending' ? 'pending' : 'error',
	};
	const ledger = await openLedger();
	await ledger.recordWait({ executionId: context.getExecutionId(), nodeId: context.getNode().id, ...waiter }, [...jobs, ...failed], limit);
	startWaitLimitSweeper({ ledgerInUse: true });
	context.logger.debug(`${context.getNode().name}: waiting up to ${limitMs / 60_000} min for ${jobs.length} job(s) to call back`);
	await context.putExecutionToWait(new Date(limit.deadline + WAIT_LIMIT_BACKSTOP_MS));
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
	if (context.getHeaderData()[WAIT_LIMIT_HEADER] !== undefined) return await resumeAtLimit(context, source);
	const read = await readDelivery(context, source);
	if (!('hint' in read)) return read;
	const response = context.getResponseObject();
	const node = context.getNode();
	const ledger = await openLedger();
	const waited = await ledger.waitingJobs(context.getExecutionId(), node.id);
	const jobs = waited.filter((job) => !job.error);
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
	const items = waited.map((job): INodeExecutionData => {
		if (job.error) return submissionErrorItem(job);
		const reading = readings.get(job.jobId);
		return { json: reading?.kind === 'finished' ? reading.item : { jobId: job.jobId }, pairedItem: { item: job.itemIndex } };
	});
	await ledger.endWait(context.getExecutionId(), node.id);
	return { workflowData: [items] };
}

/**
 * The wait-limit sweeper's call (nodes/shared/webhooks/wait-limit.ts): believed only when the
 * ledger's deadline for this node has passed (else 200, a warning, nothing resumed). Every job is
 * read once with the node's credential, and the execution resumes with one item per job: its result
 * when it finished, else a pending item (`waitLimitReached: true`) or an error item, as "When the
 * Limit Passes" says. Error items carry `error`, so n8n moves them to the error output when the
 * node has one (On Error → "Continue (using error output)"); else they stay in place. The API not
 * answering → 503 and the sweeper calls again a minute later; from half the backstop on, the jobs
 * that cannot be read become error items, so n8n's own timer never passes the input on silently.
 */
async function resumeAtLimit(context: IWebhookFunctions, source: DeliverySource): Promise<IWebhookResponseData> {
	const response = context.getResponseObject();
	const node = context.getNode();
	const executionId = context.getExecutionId();
	const ledger = await openLedger();
	const limit = await ledger.waitLimit(executionId, node.id);
	if (!limit || Date.now() < limit.deadline) {
		context.logger.warn(`${node.name}: a wait-limit call came ${limit ? 'before the limit' : 'for a wait the ledger does not know'}; ignored`);
		return answer(response, 200, { received: true, resumed: false });
	}
	const waited = await ledger.waitingJobs(executionId, node.id);
	const jobs = waited.filter((job) => !job.error);
	const readings = new Map<string, JobReading | Error>();
	// From half the backstop on this is the last try: every job is read, each failure its own error item.
	const lastTry = Date.now() >= limit.deadline + WAIT_LIMIT_BACKSTOP_MS / 2;
	let failure: Error | undefined;
	try {
		const account = await source.connect(context);
		for (const job of jobs) {
			if (readings.has(job.jobId)) continue;
			try {
				readings.set(job.jobId, await account.read(job.jobId));
			} catch (error) {
				const reason = error instanceof Error ? error : new Error(String(error));
				readings.set(job.jobId, reason);
				failure ??= reason;
				if (!lastTry) break;
			}
		}
	} catch (error) {
		failure = error instanceof Error ? error : new Error(String(error));
	}
	if (failure) {
		const reason = failure;
		if (!lastTry) {
			context.logger.warn(`${node.name}: the wait limit passed, and the ${source.label} ${source.jobNoun}s could not be read (${reason.message}); answered 503`);
			return answer(response, 503, { error: 'try again later' }, { 'retry-after': '60' });
		}
		for (const job of jobs) if (!readings.has(job.jobId)) readings.set(job.jobId, reason);
	}
	const passedAt = new Date(limit.deadline).toISOString();
	const items: INodeExecutionData[] = [];
	for (const job of waited) {
		const reading = readings.get(job.jobId);
		const pairedItem = { item: job.itemIndex };
		if (job.error) {
			items.push(submissionErrorItem(job));
		} else if (reading && !(reading instanceof Error) && reading.kind === 'finished') {
			items.push({ json: reading.item, pairedItem });
		} else if (reading && !(reading instanceof Error) && limit.onLimit === 'pending') {
			items.push({ json: { jobId: job.jobId, status: reading.status, waitLimitReached: true, waitLimit: passedAt }, pairedItem });
		} else {
			items.push({ ...limitErrorItem(context, source, job.jobId, passedAt, reading), pairedItem });
		}
	}
	await ledger.endWait(executionId, node.id);
	context.logger.info(`${node.name}: the wait limit passed at ${passedAt}; resumed with ${items.length} item(s) after reading each ${source.jobNoun} once`);
	return { workflowData: [items] };
}

/** The Continue On Fail item an input that failed at submission had before the wait (nodes/shared/items.ts), again. */
function submissionErrorItem(job: WaitingJob): INodeExecutionData {
	const { message = 'This input item failed when it was submitted', description } = job.error ?? {};
	return { json: { error: message, ...(description ? { errorDescription: description } : {}) }, pairedItem: { item: job.itemIndex } };
}

function limitErrorItem(
	context: IWebhookFunctions,
	source: DeliverySource,
	jobId: string,
	passedAt: string,
	reading: JobReading | Error | undefined,
): INodeExecutionData {
	const unread = reading instanceof Error || reading === undefined;
	const message = unread
		? `The wait limit passed at ${passedAt} and ${source.label} ${source.jobNoun} ${jobId} could not be read`
		: `${source.label} ${source.jobNoun} ${jobId} was still ${reading.kind === 'running' ? reading.status : 'unfinished'} when the wait limit passed at ${passedAt}`;
	const description = unread
		? `${reading instanceof Error ? reading.message : 'No answer.'} Read it later with Get or Wait for Completion.`
		: `No call came from ${source.label} in time. Raise "Limit Wait Time", or read the job later (the id above) with Get or Wait for Completion.`;
	// n8n keeps only the message in an error item's JSON (as for Continue On Fail), so the message names the job.
	return { json: { error: message }, error: new NodeOperationError(context.getNode(), message, { description }) };
}
