/**
 * Image Intelligence: the exact requests each operation makes for a parameter set (PROVIDERS.md,
 * Image Intelligence). The OAuth token request is left out of the rows (it is cached per
 * credential) and stated once on its own.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { designJpeg, designPng } from '../../sandbox/fixtures';
import type { RequestLogEntry } from '../../sandbox/server.ts';
import { sandboxCredentials } from '../helpers/sandbox';
import { imageItem, runII } from '../engine/image-intelligence/helpers';
import { operations } from '../../nodes/ImageIntelligence/actions/router';
import type { RequestShape } from './helpers';
import { operationsOf, operationsOfRows, requestsMadeBy, useRecordingSandbox } from './helpers';

const sandbox = useRecordingSandbox();

const isTokenRequest = (entry: RequestLogEntry) => entry.path.endsWith('/oauth/token');

interface Ids {
	jobId: string;
}

interface Row {
	name: string;
	parameters(ids: Ids): INodeParameters;
	input?: INodeExecutionData[];
	requests(ids: Ids): RequestShape[];
}

/** Images on hosts the sandbox never fetches: it only logs what the node sends. */
const CAM = (n: number) => `https://cams.example/camera-${n}.jpg`;
const PNG = designPng(48, 32);
const JPEG = designJpeg();
const ask = { resource: 'ask', operation: 'create', question: '  Is the garage door open?  ' };
const urls = (...entries: Array<{ url: string; customId?: string }>) => ({ imageSource: 'url', imageUrls: { image: entries } });
const one = (n: number): INodeExecutionData => ({ json: { url: CAM(n) } });

const rows: Row[] = [
	{
		name: 'Ask → Create: one URL, trimmed question, nothing else',
		parameters: () => ({ ...ask, ...urls({ url: CAM(1) }) }),
		requests: () => [{ method: 'POST', path: '/ask', body: { question: 'Is the garage door open?', images: [{ url: CAM(1) }] } }],
	},
	{
		name: 'Ask → Create: image custom IDs; one field with several URLs numbers its ID',
		parameters: () => ({ ...ask, ...urls({ url: CAM(1), customId: 'front' }, { url: `${CAM(2)}\n${CAM(3)}`, customId: 'side' }) }),
		requests: () => [
			{
				method: 'POST',
				path: '/ask',
				body: {
					question: 'Is the garage door open?',
					images: [
						{ url: CAM(1), customId: 'front' },
						{ url: CAM(2), customId: 'side-1' },
						{ url: CAM(3), customId: 'side-2' },
					],
				},
			},
		],
	},
	{
		name: 'Ask → Create: examples, custom ID, feed ID and webhook',
		parameters: () => ({
			...ask,
			...urls({ url: CAM(1) }),
			options: {
				yesExamples: `${CAM(10)}, ${CAM(11)}`,
				noExamples: CAM(12),
				customId: ' garage-1 ',
				feedId: 'garage',
				webhookUrl: ' https://hooks.example/ii ',
			},
		}),
		requests: () => [
			{
				method: 'POST',
				path: '/ask',
				body: {
					question: 'Is the garage door open?',
					examples: { yes: [CAM(10), CAM(11)], no: [CAM(12)] },
					customId: 'garage-1',
					feedId: 'garage',
					webhookUrl: 'https://hooks.example/ii',
					images: [{ url: CAM(1) }],
				},
			},
		],
	},
	{
		name: 'Ask → Create: binary files as base64, named by their file names',
		parameters: () => ({ ...ask, imageSource: 'binary', binaryPropertyName: 'front, back' }),
		input: [{ json: {}, binary: { ...imageItem(PNG, 'front.png', 'front').binary, ...imageItem(JPEG, 'back.jpg', 'back').binary } }],
		requests: () => [
			{
				method: 'POST',
				path: '/ask',
				body: {
					question: 'Is the garage door open?',
					images: [
						{ blob: PNG.toString('base64'), customId: 'front.png' },
						{ blob: JPEG.toString('base64'), customId: 'back.jpg' },
					],
				},
			},
		],
	},
	{
		name: 'Ask → Create: binary without file names as custom IDs',
		parameters: () => ({ ...ask, imageSource: 'binary', binaryPropertyName: 'data', options: { fileNameAsCustomId: false } }),
		input: [imageItem(PNG, 'front.png')],
		requests: () => [{ method: 'POST', path: '/ask', body: { question: 'Is the garage door open?', images: [{ blob: PNG.toString('base64') }] } }],
	},
	{
		name: 'Ask → Create, one job per item: one POST per item, each with its own images',
		parameters: () => ({ ...ask, imageSource: 'url', imageUrls: { image: [{ url: '={{ $json.url }}' }] }, options: { concurrency: 1 } }),
		input: [one(1), one(2)],
		requests: () => [
			{ method: 'POST', path: '/ask', body: { question: 'Is the garage door open?', images: [{ url: CAM(1) }] } },
			{ method: 'POST', path: '/ask', body: { question: 'Is the garage door open?', images: [{ url: CAM(2) }] } },
		],
	},
	{
		name: 'Ask → Create, one job for all items: one POST with every item’s images and the first item’s options',
		parameters: () => ({
			...ask,
			imageSource: 'url',
			imageUrls: { image: [{ url: '={{ $json.url }}' }] },
			jobGrouping: 'allItems',
			options: { feedId: '={{ "feed-" + $itemIndex }}' },
		}),
		input: [one(1), one(2), one(3)],
		requests: () => [
			{
				method: 'POST',
				path: '/ask',
				body: { question: 'Is the garage door open?', feedId: 'feed-0', images: [{ url: CAM(1) }, { url: CAM(2) }, { url: CAM(3) }] },
			},
		],
	},
	{
		name: 'Ask → Create: 65 images are split into two jobs, 33 + 32, in order',
		parameters: () => ({ ...ask, ...urls({ url: Array.from({ length: 65 }, (_, n) => CAM(n)).join(' ') }) }),
		requests: () => [
			{
				method: 'POST',
				path: '/ask',
				body: { question: 'Is the garage door open?', images: Array.from({ length: 33 }, (_, n) => ({ url: CAM(n) })) },
			},
			{
				method: 'POST',
				path: '/ask',
				body: { question: 'Is the garage door open?', images: Array.from({ length: 32 }, (_, n) => ({ url: CAM(33 + n) })) },
			},
		],
	},
	{
		name: 'Ask → Get: one GET by job id (encoded as one path segment)',
		parameters: ({ jobId }) => ({ resource: 'ask', operation: 'get', jobId }),
		requests: ({ jobId }) => [{ method: 'GET', path: `/ask/${encodeURIComponent(jobId)}` }],
	},
	{
		name: 'Ask → Wait for Completion: GET until finished (here at once)',
		parameters: ({ jobId }) => ({ resource: 'ask', operation: 'waitForCompletion', jobId, pollInterval: 0.1, timeout: 10 }),
		requests: ({ jobId }) => [{ method: 'GET', path: `/ask/${jobId}` }],
	},
	{
		name: 'Ask → Search without filters: GET /ask, no query',
		parameters: () => ({ resource: 'ask', operation: 'search', returnAll: true }),
		requests: () => [{ method: 'GET', path: '/ask' }],
	},
	{
		name: 'Ask → Search with every filter: IDs trimmed, created after/before in UNIX milliseconds',
		parameters: () => ({
			resource: 'ask',
			operation: 'search',
			returnAll: false,
			limit: 5,
			filters: {
				customId: ' garage-1 ',
				feedId: 'garage',
				createdAfter: '2024-05-01T10:00:00Z',
				createdBefore: '2024-05-02T12:30:00.250+02:00',
			},
		}),
		requests: () => [
			{
				method: 'GET',
				path: '/ask',
				query: {
					customId: 'garage-1',
					feedId: 'garage',
					after: String(Date.UTC(2024, 4, 1, 10)),
					before: String(Date.UTC(2024, 4, 2, 10, 30, 0, 250)),
				},
			},
		],
	},
	{
		name: 'Ask → Search: a number of milliseconds is sent as it is; an empty filter is left out',
		parameters: () => ({ resource: 'ask', operation: 'search', returnAll: true, filters: { createdAfter: 1714557600123, feedId: '  ' } }),
		requests: () => [{ method: 'GET', path: '/ask', query: { after: '1714557600123' } }],
	},
];

describe('Image Intelligence request shapes', () => {
	let ids: Ids;

	beforeAll(async () => {
		const [created] = await runII(sandbox.current, { ...ask, ...urls({ url: CAM(1) }) });
		ids = { jobId: String(created.json.jobId) };
	});

	it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
		const s = sandbox.current;
		const made = await requestsMadeBy(s, async () => await runII(s, row.parameters(ids), row.input), isTokenRequest);
		expect(made).toEqual(row.requests(ids));
	});

	it('the token request: client ID and secret in a JSON body, no Authorization header; then the call with the token', async () => {
		const s = sandbox.current;
		// Another client of the same secret has no cached token yet.
		const credentials = {
			imageIntelligenceApi: { ...sandboxCredentials(s).imageIntelligenceApi, clientId: SANDBOX_KEYS.imageIntelligence.readOnlyClientId },
		};
		const made = await requestsMadeBy(s, async () => await runII(s, { resource: 'ask', operation: 'search', returnAll: true }, undefined, { credentials }));
		expect(made).toEqual([
			{
				method: 'POST',
				path: '/oauth/token',
				body: { clientId: SANDBOX_KEYS.imageIntelligence.readOnlyClientId, clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret },
			},
			{ method: 'GET', path: '/ask' },
		]);
	});

	it('every operation of the node has a row', () => {
		expect(operationsOfRows(rows.map((row) => row.parameters(ids)))).toEqual(operationsOf(operations));
	});
});
