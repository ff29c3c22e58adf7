import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { mapSettled } from '../../../shared/concurrency';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { registerJobs } from '../../../shared/ledger';
import { waitModeProperties } from '../../../shared/webhooks/callback-wait';
import { isPollMode } from '../../../shared/wait-mode';
import { socialMediaBatchSchema } from '../../schemas';
import type { SocialMediaBatch } from '../../schemas';
import { judgeId, judgeLocator, numberOption, optionsOf, webhookUrlOf, webhookUrlOption } from '../common';
import { pollSettings, waitForEvaluation } from './wait';

/** Pique takes 1 to 20 video URLs per request. */
export const MAX_URLS_PER_REQUEST = 20;

const properties: INodeProperties[] = [
	judgeLocator('searchVideoJudges', 'The video judge that scores the videos'),
	{
		displayName: 'Video URLs From',
		name: 'urlSource',
		type: 'options',
		options: [
			{ name: 'A List', value: 'list', description: 'Each input item gives a list of video URLs' },
			{ name: 'One URL per Input Item', value: 'item', description: 'Each input item gives one video URL, e.g. from a sheet row' },
		],
		default: 'list',
	},
	{
		displayName: 'Video URLs',
		name: 'videoUrls',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Video URL' },
		default: [],
		placeholder: 'https://www.tiktok.com/@brand/video/123',
		displayOptions: { show: { urlSource: ['list'] } },
		description:
			'Public TikTok, Instagram or YouTube video links. An expression may also give an array of links, or several links separated by spaces or line breaks.',
		hint: 'Sent to Pique 20 at a time; each video becomes one output item with its job ID',
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		default: '={{ $json.url }}',
		placeholder: 'https://www.youtube.com/shorts/abc',
		displayOptions: { show: { urlSource: ['item'] } },
		description: 'The video link of each input item; the items\' links are sent to Pique 20 at a time',
	},
	...waitModeProperties('Pique', pollSettings),
	optionsCollection([
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_URLS_PER_REQUEST },
			default: MAX_URLS_PER_REQUEST,
			description: 'How many video URLs go to Pique in one request (Pique takes at most 20)',
		},
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 2,
			description: 'How many batches are sent to Pique at the same time. Lower it if Pique answers 429 (rate limited).',
		},
		webhookUrlOption,
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['evaluation'], operation: ['evaluateSocialMedia'] } }, properties);

/** One video URL, the input item it came from, and what its request must carry. */
interface Entry {
	itemIndex: number;
	url: string;
	judgeId: string;
	webhookUrl?: string;
}

type SubmittedJob = SocialMediaBatch['jobs'][number];

/**
 * Sends the URLs of all items in batches of at most 20 (one batch per judge and webhook), and
 * answers one item per job, paired to the input item its URL came from. The POST is not repeated
 * after a 5xx or a dropped connection: Pique may have created the jobs.
 */
export async function executeBatch(context: IExecuteFunctions, { client, account }: LedgerClient): Promise<ItemOutcome[]> {
	const inputs = context.getInputData();
	const failures = new Map<number, Error>();
	const entries: Entry[] = [];
	for (const itemIndex of inputs.keys()) {
		try {
			entries.push(...entriesOf(context, itemIndex));
		} catch (error) {
			failures.set(itemIndex, error as Error);
		}
	}
	// The node would fail anyway: send nothing.
	const firstProblem = failures.values().next().value;
	if (firstProblem && !context.continueOnFail()) throw firstProblem;

	const options = optionsOf(context);
	const batchSize = Math.min(MAX_URLS_PER_REQUEST, Math.max(1, Math.floor(numberOption(options, 'batchSize', MAX_URLS_PER_REQUEST))));
	const batches = batchesOf(entries, batchSize);
	const outputs = new Map<Entry, INodeExecutionData>();
	const settled = await mapSettled(batches, Math.max(1, numberOption(options, 'concurrency', 2)), async (batch) => {
		for (const [entry, item] of await submit(context, client, account, batch)) outputs.set(entry, item);
	});
	for (const [index, result] of settled.entries()) {
		if (result.status === 'fulfilled') continue;
		if (context.getExecutionCancelSignal()?.aborted) throw result.reason;
		for (const entry of batches[index]) if (!failures.has(entry.itemIndex)) failures.set(entry.itemIndex, result.reason as Error);
	}

	const outcomes = inputs.map((_input, itemIndex): ItemOutcome => {
		const mine = entries.filter((entry) => entry.itemIndex === itemIndex);
		const failure = failures.get(itemIndex);
		if (failure) return withSubmittedJobs(context, failure, mine.flatMap((entry) => outputs.get(entry) ?? []), itemIndex);
		const unanswered = mine.find((entry) => !outputs.has(entry));
		if (unanswered) return new NodeOperationError(context.getNode(), `Pique's answer has no job for ${unanswered.url}`, { itemIndex });
		return mine.map((entry) => outputs.get(entry) as INodeExecutionData);
	});
	if (!isPollMode(context, 0)) return outcomes;
	return await finished(context, client, outcomes, Math.max(1, numberOption(options, 'concurrency', 2)));
}

/** Wait for the Result → Poll Until Done: each submitted job once it finished (the input item fails if one of its waits does). */
async function finished(context: IExecuteFunctions, client: ApiClient, outcomes: ItemOutcome[], concurrency: number): Promise<ItemOutcome[]> {
	const settled = await mapSettled(outcomes, concurrency, async (outcome, itemIndex): Promise<ItemOutcome> => {
		if (outcome instanceof Error) return outcome;
		const items = Array.isArray(outcome) ? outcome : [outcome];
		const done: INodeExecutionData[] = [];
		for (const item of items) {
			const result = await waitForEvaluation(context, client, String(item.json.jobId), { itemIndex, errorIfFailed: false });
			done.push({ ...item, json: { ...result, videoUrl: item.json.videoUrl, submittedAt: item.json.submittedAt } });
		}
		return done;
	});
	return settled.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error)));
}

function entriesOf(context: IExecuteFunctions, itemIndex: number): Entry[] {
	const source = context.getNodeParameter('urlSource', itemIndex, 'list') as string;
	const raw = source === 'item' ? context.getNodeParameter('videoUrl', itemIndex, '') : context.getNodeParameter('videoUrls', itemIndex, []);
	const urls = [raw]
		.flat(3)
		.flatMap((value) => (typeof value === 'string' ? value.split(/\s+/) : value === null || value === undefined ? [] : [String(value)]))
		.filter((url) => url !== '');
	const label = source === 'item' ? 'Video URL' : 'Video URLs';
	if (urls.length === 0) {
		throw new NodeOperationError(context.getNode(), `${label} is empty`, {
			itemIndex,
			description:
				source === 'item'
					? 'Set "Video URL", e.g. with an expression such as {{ $json.url }} that reads it from the incoming item.'
					: 'Add at least one video link under "Video URLs".',
		});
	}
	const bad = urls.find((url) => !isHttpUrl(url));
	if (bad !== undefined) {
		throw new NodeOperationError(context.getNode(), `"${bad.slice(0, 100)}" is not an http(s) video link`, {
			itemIndex,
			description: `Every entry of "${label}" must be a public video link starting with https://, e.g. https://www.tiktok.com/@brand/video/123.`,
		});
	}
	const judge = judgeId(context, itemIndex);
	const webhookUrl = webhookUrlOf(context, optionsOf(context, itemIndex), itemIndex);
	return urls.map((url) => ({ itemIndex, url, judgeId: judge, webhookUrl }));
}

function isHttpUrl(text: string): boolean {
	try {
		const url = new URL(text);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

/** Entries in input order, grouped by what their request carries, cut into batches. */
function batchesOf(entries: Entry[], size: number): Entry[][] {
	const groups = new Map<string, Entry[]>();
	for (const entry of entries) {
		const key = `${entry.judgeId}\n${entry.webhookUrl ?? ''}`;
		const group = groups.get(key) ?? [];
		group.push(entry);
		groups.set(key, group);
	}
	const batches: Entry[][] = [];
	for (const group of groups.values()) {
		for (let start = 0; start < group.length; start += size) batches.push(group.slice(start, start + size));
	}
	return batches;
}

async function submit(context: IExecuteFunctions, client: ApiClient, account: string, batch: Entry[]): Promise<Array<[Entry, INodeExecutionData]>> {
	const [first] = batch;
	const submittedAt = new Date();
	const answer = await client.json(
		{
			method: 'POST',
			path: '/v1/evaluations/social-media',
			json: { judge_id: first.judgeId, video_urls: batch.map((entry) => entry.url), ...(first.webhookUrl ? { webhook_url: first.webhookUrl } : {}) },
			itemIndex: first.itemIndex,
		},
		socialMediaBatchSchema,
	);
	const jobs = matchJobs(batch, answer.jobs);
	const created = jobs.filter((job): job is SubmittedJob => job !== undefined);
	// The Visual AI Trigger can only see jobs it was told about: Pique cannot list them.
	try {
		await registerJobs(context, 'pique', account, created.map((job) => ({ jobId: job.job_id, submittedAt })));
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Pique created ${created.length} evaluation job(s), but they could not be recorded for the Visual AI Trigger`, {
			itemIndex: first.itemIndex,
			description: `${error instanceof Error ? error.message : String(error)}. Record them later with Job → Track: ${created.map((job) => job.job_id).join(', ')}.`,
		});
	}
	return batch.flatMap((entry, index): Array<[Entry, INodeExecutionData]> => {
		const job = jobs[index];
		if (!job) return [];
		const json: IDataObject = {
			jobId: job.job_id,
			status: job.status,
			videoUrl: entry.url,
			judgeId: entry.judgeId,
			...(answer.batch_id ? { batchId: answer.batch_id } : {}),
			...(answer.webhook_id ? { webhookId: answer.webhook_id } : {}),
			...(job.error_message ? { error: job.error_message } : {}),
			submittedAt: submittedAt.toISOString(),
			raw: job as IDataObject,
		};
		return [[entry, { json }]];
	});
}

/** Pique lists the jobs in request order; if it did not answer for every URL, its `url` fields decide. */
function matchJobs(batch: Entry[], jobs: SubmittedJob[]): Array<SubmittedJob | undefined> {
	if (jobs.length === batch.length) return jobs;
	const unused = [...jobs];
	return batch.map((entry) => {
		const index = unused.findIndex((job) => job.url === entry.url);
		return index === -1 ? undefined : unused.splice(index, 1)[0];
	});
}

/** An item's error names the jobs that were created for its other URLs, so none is lost. */
function withSubmittedJobs(context: IExecuteFunctions, error: Error, submitted: INodeExecutionData[], itemIndex: number): Error {
	if (submitted.length === 0) return error;
	const ids = submitted.map((item) => item.json.jobId as string).join(', ');
	const description = 'description' in error && typeof error.description === 'string' ? `${error.description} ` : '';
	return new NodeOperationError(context.getNode(), error.message, {
		itemIndex,
		description: `${description}The other videos of this item were submitted as Pique jobs ${ids}; they are recorded for the Visual AI Trigger.`,
	});
}
