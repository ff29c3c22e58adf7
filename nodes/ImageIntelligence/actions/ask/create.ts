import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import { finishedIfAsked, pollSettings } from './wait';
import type { ItemOutcome, ItemResult } from '../../../shared/router';
import { callbackUrl, isWaitMode, waitModeProperties } from '../../../shared/webhooks/callback-wait';
import { askJobItem } from '../../flatten';
import { imagesOfItem } from './images';
import { MAX_IMAGES_PER_JOB, checkExamples, checkId, checkQuestion, checkUrl, splitIntoJobs, urlList } from '../../limits';
import type { AskExamples, AskImage } from '../../limits';
import { askJobSchema } from '../../schemas';
import { settle } from '../../settle';
import type { ImageIntelligenceClient } from '../../transport';
import { checked, optionsOf } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Question',
		name: 'question',
		type: 'string',
		typeOptions: { rows: 2 },
		required: true,
		default: '',
		placeholder: 'Is the garage door open?',
		description:
			'A yes/no question about the images, at most 256 characters. The answer is "yes" when at least one image shows it (that image is the chosen one).',
	},
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'Image URLs', value: 'url', description: 'Image Intelligence downloads each image itself' },
			{ name: 'Binary Files', value: 'binary', description: 'Files on the incoming items, sent inside the request (base64)' },
		],
		default: 'url',
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Image URL',
		default: {},
		displayOptions: { show: { imageSource: ['url'] } },
		description: 'Public http(s) addresses of the images, at most 512 characters each',
		options: [
			{
				displayName: 'Image',
				name: 'image',
				values: [
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'https://example.com/camera-1.jpg',
						description:
							'One image URL, e.g. {{ $json.url }}. An expression may also return a list ({{ $json.urls }}) or text with several URLs: each becomes an image.',
					},
					{
						displayName: 'Custom ID',
						name: 'customId',
						type: 'string',
						default: '',
						description:
							'Your name for the image (at most 64 characters); the output says which image was chosen by it. When the URL field holds several URLs, each gets this ID plus "-1", "-2", ...',
					},
				],
			},
		],
	},
	{
		displayName: 'Input Binary Fields',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		displayOptions: { show: { imageSource: ['binary'] } },
		description: 'The binary properties that hold the images, separated by commas (e.g. "data" or "front, back")',
		hint: 'Each file travels base64-encoded inside the request; for many large images, URLs are lighter',
	},
	{
		displayName: 'Jobs',
		name: 'jobGrouping',
		type: 'options',
		options: [
			{
				name: 'One Job per Input Item',
				value: 'perItem',
				description: 'Each item asks its own question about its own images and gets its own answer',
			},
			{
				name: 'One Job for All Input Items',
				value: 'allItems',
				description:
					'The images of every input item go into one question (e.g. one URL per row of a sheet); the question and options are read from the first item',
			},
		],
		default: 'perItem',
	},
	...waitModeProperties('Image Intelligence', pollSettings),
	optionsCollection([
		concurrencyOption('Image Intelligence'),
		{
			displayName: 'Custom ID',
			name: 'customId',
			type: 'string',
			default: '',
			description: 'Your ID for the job (at most 64 characters); Ask → Search finds jobs by it',
		},
		{
			displayName: 'Feed ID',
			name: 'feedId',
			type: 'string',
			default: '',
			description: 'Groups jobs, e.g. per camera or per site (at most 64 characters); Ask → Search finds jobs by it',
		},
		{
			displayName: 'More Than 64 Images',
			name: 'overLimit',
			type: 'options',
			options: [
				{
					name: 'Split Into Several Jobs',
					value: 'split',
					description: 'Jobs of at most 64 images, as even as possible (65 → 33 + 32); one output item and one answer per job',
				},
				{ name: 'Fail', value: 'error', description: 'Refuse the item before anything is sent' },
			],
			default: 'split',
			description: 'Image Intelligence takes at most 64 images per job',
		},
		{
			displayName: 'No Examples',
			name: 'noExamples',
			type: 'string',
			default: '',
			description: '1 to 3 URLs of images where the answer is no, separated by commas or new lines (or an expression returning a list)',
		},
		{
			displayName: 'Use File Name as Image Custom ID',
			name: 'fileNameAsCustomId',
			type: 'boolean',
			default: true,
			displayOptions: { show: { '/imageSource': ['binary'] } },
			description: 'Whether each file\'s name (first 64 characters) is sent as the image\'s custom ID, so the output says which file was chosen',
		},
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			default: '',
			placeholder: 'https://your-n8n.example.com/webhook/8c1d4e77-.../webhook',
			description:
				'Image Intelligence POSTs the finished job here. The provider does not sign these calls: the Image Intelligence Trigger reads each job back with its credential before it starts a workflow.',
			hint: 'To start a workflow when the job finishes, paste the Production URL of an Image Intelligence Trigger here (open that node → "Webhook URLs" → Production URL).',
		},
		{
			displayName: 'Yes Examples',
			name: 'yesExamples',
			type: 'string',
			default: '',
			description: '1 to 3 URLs of images where the answer is yes, separated by commas or new lines (or an expression returning a list)',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['ask'], operation: ['create'] } }, properties);

interface AskFields {
	question: string;
	examples?: AskExamples;
	customId?: string;
	feedId?: string;
	webhookUrl?: string;
}

interface AskRequest {
	fields: AskFields;
	/** Images per job: one job, or several when more than 64 images are split. */
	jobs: AskImage[][];
}

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ImageIntelligenceClient): Promise<ItemResult> {
	const request = await askRequest(context, itemIndex, [itemIndex]);
	const jobs = await finishedIfAsked(context, client, await submit(context, client, request, itemIndex), itemIndex);
	return jobs.map((json) => ({ json }));
}

/** Job Grouping "One Job for All Input Items" runs as one batch. */
export function isBatch(context: IExecuteFunctions): boolean {
	return context.getNodeParameter('jobGrouping', 0, 'perItem') === 'allItems';
}

/**
 * "One Job for All Input Items": every item's images, the first item's question and options; the
 * job's output item (or its error item) is paired with every input item.
 */
export async function executeBatch(context: IExecuteFunctions, client: ImageIntelligenceClient): Promise<ItemOutcome[]> {
	const items = context.getInputData();
	const pairedItem = items.map((_item, item) => ({ item }));
	const outcome = await settle(
		(async () => {
			const request = await askRequest(
				context,
				0,
				items.map((_item, index) => index),
			);
			return await finishedIfAsked(context, client, await submit(context, client, request, 0), 0);
		})(),
	);
	const rest = items.slice(1).map((): ItemOutcome => []);
	if (outcome.ok) return [outcome.value.map((json) => ({ json, pairedItem })), ...rest];
	const error = outcome.error;
	if (!context.continueOnFail()) throw error;
	const message = error instanceof Error ? error.message : String(error);
	const description = error instanceof NodeError ? error.description : undefined;
	return [[{ json: { error: message, ...(description ? { errorDescription: description } : {}) }, pairedItem }], ...rest];
}

/** Everything checked against the documented limits before any request, the question first. */
async function askRequest(context: IExecuteFunctions, fieldsItem: number, imageItems: number[]): Promise<AskRequest> {
	const question = checked(context, fieldsItem, () => checkQuestion(context.getNodeParameter('question', fieldsItem, '')));
	const options = optionsOf(context, fieldsItem);
	const fields = checked(context, fieldsItem, (): AskFields => {
		const yes = checkExamples(urlList(options.yesExamples), 'Yes Examples');
		const no = checkExamples(urlList(options.noExamples), 'No Examples');
		const webhook = isWaitMode(context) ? callbackUrl(context, fieldsItem) : typeof options.webhookUrl === 'string' ? options.webhookUrl.trim() : '';
		const customId = checkId(options.customId, 'Custom ID');
		const feedId = checkId(options.feedId, 'Feed ID');
		return {
			question,
			...(yes || no ? { examples: { ...(yes ? { yes } : {}), ...(no ? { no } : {}) } } : {}),
			...(customId ? { customId } : {}),
			...(feedId ? { feedId } : {}),
			...(webhook ? { webhookUrl: checkUrl(webhook, 'Webhook URL') } : {}),
		};
	});
	const images: AskImage[] = [];
	for (const itemIndex of imageItems) images.push(...(await imagesOfItem(context, itemIndex)));
	if (images.length > MAX_IMAGES_PER_JOB && options.overLimit === 'error') {
		throw new NodeOperationError(
			context.getNode(),
			`${images.length} images for one job; Image Intelligence takes at most ${MAX_IMAGES_PER_JOB}`,
			{
				itemIndex: fieldsItem,
				description:
					'Nothing was sent. Set Options → More Than 64 Images to "Split Into Several Jobs", or send fewer images per job (e.g. with Loop Over Items).',
			},
		);
	}
	return { fields, jobs: splitIntoJobs(images) };
}

/** POST /ask once per job, in order; output items say which part of a split they are. */
async function submit(
	context: IExecuteFunctions,
	client: ImageIntelligenceClient,
	request: AskRequest,
	itemIndex: number,
): Promise<IDataObject[]> {
	const parts = request.jobs.length;
	const created: IDataObject[] = [];
	for (const [index, images] of request.jobs.entries()) {
		const outcome = await settle(
			client.json({ method: 'POST', path: '/ask', itemIndex, json: { ...request.fields, images } }, askJobSchema),
		);
		if (!outcome.ok) throw explainCreateFailure(context, outcome.error, request.fields.customId, created, { index, parts, itemIndex });
		created.push({ ...askJobItem(outcome.value), ...(parts > 1 ? { part: index + 1, parts } : {}) });
	}
	return created;
}

/**
 * A create that failed after the request went out may still have made a job; a split that failed
 * halfway has made the earlier ones. The error says so, and how to find them.
 */
function explainCreateFailure(
	context: IExecuteFunctions,
	error: unknown,
	customId: string | undefined,
	created: IDataObject[],
	at: { index: number; parts: number; itemIndex: number },
): unknown {
	if (!(error instanceof NodeError)) return error;
	// No answer, an unreadable answer, or a gateway failure: the provider may have acted anyway.
	const unsure = error instanceof NodeApiError && (!error.httpCode || /^(2\d\d|502|503|504)$/.test(error.httpCode));
	if (unsure) {
		error.description = [
			error.description,
			customId
				? `The job may have been created anyway: Ask → Search with Custom ID "${customId}" finds it.`
				: 'The job may have been created anyway; with a Custom ID, Ask → Search could find it.',
		]
			.filter(Boolean)
			.join(' ');
	}
	if (created.length === 0) return error;
	const ids = created.map((job) => String(job.jobId)).join(', ');
	return new NodeOperationError(context.getNode(), `Job ${at.index + 1} of ${at.parts} could not be created: ${error.message}`, {
		itemIndex: at.itemIndex,
		description: `The images were split into ${at.parts} jobs; these were created and are running: ${ids}. ${error.description ?? ''}`.trim(),
	});
}
