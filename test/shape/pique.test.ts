/**
 * Pique: the exact requests each operation makes for a parameter set (PROVIDERS.md, Pique).
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { designPng, fakeMp4 } from '../../sandbox/fixtures';
import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { JUDGES, fileItem, judge, runPique, useTempLedger } from '../engine/pique/helpers';
import { operations } from '../../nodes/Pique/actions/router';
import type { RequestShape } from './helpers';
import { operationsOf, operationsOfRows, requestsMadeBy, sha256, useRecordingSandbox } from './helpers';

useTempLedger();
const sandbox = useRecordingSandbox();

interface Ids {
	/** A finished evaluation. */
	jobId: string;
}

interface Row {
	name: string;
	parameters(ids: Ids): INodeParameters;
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	requests(ids: Ids): RequestShape[];
}

const CLIP = fakeMp4(3000);
const PNG = designPng(40, 30);
const upload = { resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video), binaryPropertyName: 'data' };
const social = { resource: 'evaluation', operation: 'evaluateSocialMedia', judge: judge(JUDGES.video) };
const video = (n: number) => `https://www.tiktok.com/@brand/video/${n}`;
/** Social Media rows send batches one after another, so the log order is the request order. */
const inOrder = { concurrency: 1 };
/** The presigned PUT: its query holds the signature, which the sandbox checks. */
const PUT_UPLOAD: RequestShape = {
	method: 'PUT',
	path: expect.stringMatching(/^\/gcs\/pique-uploads\/[^/]+$/),
	query: expect.objectContaining({ 'X-Goog-Signature': expect.any(String) }),
};

/** Judges beyond the three seeded ones, so that Return All needs two pages of 100. */
const EXTRA_JUDGES = 150;

const rows: Row[] = [
	{
		name: 'Evaluation → Upload: presigned-upload with judge, content type from the mime type, name and size; then the PUT',
		parameters: () => ({ ...upload, contentType: 'auto' }),
		input: [fileItem(CLIP, 'clip.mp4', 'video/mp4')],
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/presigned-upload',
				body: { judge_id: JUDGES.video, content_type: 'video', filename: 'clip.mp4', file_size_bytes: CLIP.length },
			},
			PUT_UPLOAD,
		],
	},
	{
		name: 'Evaluation → Upload: content type chosen, file name, title, description and webhook from the options',
		parameters: () => ({
			...upload,
			judge: judge(JUDGES.image),
			contentType: 'image',
			options: { fileName: 'hero shot.png', title: 'Hero', description: 'Homepage hero image', webhookUrl: 'https://hooks.example/pique' },
		}),
		input: [fileItem(PNG, 'upload.bin', 'application/octet-stream')],
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/presigned-upload',
				body: {
					judge_id: JUDGES.image,
					content_type: 'image',
					filename: 'hero shot.png',
					file_size_bytes: PNG.length,
					title: 'Hero',
					description: 'Homepage hero image',
					webhook_url: 'https://hooks.example/pique',
				},
			},
			PUT_UPLOAD,
		],
	},
	{
		name: 'Evaluation → Upload: a file name without extension gets one from its mime type',
		parameters: () => ({ ...upload, judge: judge(JUDGES.image), contentType: 'auto' }),
		input: [fileItem(PNG, 'folder/hero', 'image/png')],
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/presigned-upload',
				body: { judge_id: JUDGES.image, content_type: 'image', filename: 'hero.png', file_size_bytes: PNG.length },
			},
			PUT_UPLOAD,
		],
	},
	{
		name: 'Evaluation → Evaluate Social Media Videos: a list of URLs in one POST',
		parameters: () => ({ ...social, urlSource: 'list', videoUrls: [video(1), `${video(2)} ${video(3)}`] }),
		requests: () => [
			{ method: 'POST', path: '/v1/evaluations/social-media', body: { judge_id: JUDGES.video, video_urls: [video(1), video(2), video(3)] } },
		],
	},
	{
		name: 'Evaluation → Evaluate Social Media Videos: 25 items, one URL each, go in batches of 20 and 5',
		parameters: () => ({ ...social, urlSource: 'item', videoUrl: '={{ $json.url }}', options: inOrder }),
		input: Array.from({ length: 25 }, (_, n) => ({ json: { url: video(n) } })),
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: Array.from({ length: 20 }, (_, n) => video(n)) },
			},
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: Array.from({ length: 5 }, (_, n) => video(20 + n)) },
			},
		],
	},
	{
		name: 'Evaluation → Evaluate Social Media Videos: Batch Size 2 and a webhook',
		parameters: () => ({
			...social,
			urlSource: 'list',
			videoUrls: [video(1), video(2), video(3)],
			options: { ...inOrder, batchSize: 2, webhookUrl: 'https://hooks.example/pique' },
		}),
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: [video(1), video(2)], webhook_url: 'https://hooks.example/pique' },
			},
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: [video(3)], webhook_url: 'https://hooks.example/pique' },
			},
		],
	},
	{
		name: 'Evaluation → Evaluate Social Media Videos: items with different webhooks go in different batches',
		parameters: () => ({
			...social,
			urlSource: 'item',
			videoUrl: '={{ $json.url }}',
			options: { ...inOrder, webhookUrl: '={{ $json.hook }}' },
		}),
		input: [
			{ json: { url: video(1), hook: 'https://hooks.example/a' } },
			{ json: { url: video(2), hook: 'https://hooks.example/b' } },
			{ json: { url: video(3), hook: 'https://hooks.example/a' } },
		],
		requests: () => [
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: [video(1), video(3)], webhook_url: 'https://hooks.example/a' },
			},
			{
				method: 'POST',
				path: '/v1/evaluations/social-media',
				body: { judge_id: JUDGES.video, video_urls: [video(2)], webhook_url: 'https://hooks.example/b' },
			},
		],
	},
	{
		name: 'Evaluation → Get Result: one GET',
		parameters: ({ jobId }) => ({ resource: 'evaluation', operation: 'getResult', jobId }),
		requests: ({ jobId }) => [{ method: 'GET', path: `/v1/evaluations/results/${jobId}` }],
	},
	{
		name: 'Evaluation → Get Result: the job id stays one path segment',
		parameters: () => ({ resource: 'evaluation', operation: 'getResult', jobId: '../judges' }),
		continueOnFail: true,
		requests: () => [{ method: 'GET', path: '/v1/evaluations/results/..%2Fjudges' }],
	},
	{
		name: 'Evaluation → Wait for Completion: GET until finished (here at once)',
		parameters: ({ jobId }) => ({ resource: 'evaluation', operation: 'waitForCompletion', jobId, pollInterval: 0.1, timeout: 10 }),
		requests: ({ jobId }) => [{ method: 'GET', path: `/v1/evaluations/results/${jobId}` }],
	},
	{
		name: 'Judge → List with a limit: one page of that size',
		parameters: () => ({ resource: 'judge', operation: 'list', returnAll: false, limit: 5 }),
		requests: () => [{ method: 'GET', path: '/v1/judges', query: { limit: '5', offset: '0' } }],
	},
	{
		name: 'Judge → List with a content type filter',
		parameters: () => ({ resource: 'judge', operation: 'list', returnAll: false, limit: 2, filters: { contentType: 'audio' } }),
		requests: () => [{ method: 'GET', path: '/v1/judges', query: { limit: '2', offset: '0', content_type: 'audio' } }],
	},
	{
		name: 'Judge → List with a limit over one page: 100, then the rest from offset 100',
		parameters: () => ({ resource: 'judge', operation: 'list', returnAll: false, limit: 120 }),
		requests: () => [
			{ method: 'GET', path: '/v1/judges', query: { limit: '100', offset: '0' } },
			{ method: 'GET', path: '/v1/judges', query: { limit: '20', offset: '100' } },
		],
	},
	{
		name: 'Judge → List, Return All: pages of 100 until has_more is false',
		parameters: () => ({ resource: 'judge', operation: 'list', returnAll: true }),
		requests: () => [
			{ method: 'GET', path: '/v1/judges', query: { limit: '100', offset: '0' } },
			{ method: 'GET', path: '/v1/judges', query: { limit: '100', offset: '100' } },
		],
	},
	{
		name: 'Judge → Get: one GET by id',
		parameters: () => ({ resource: 'judge', operation: 'get', judge: judge(JUDGES.audio) }),
		requests: () => [{ method: 'GET', path: `/v1/judges/${JUDGES.audio}` }],
	},
	{
		name: 'Judge → Create: name, description, content type and detectors (config parsed, weight)',
		parameters: () => ({
			resource: 'judge',
			operation: 'create',
			name: 'Thumbnail Check',
			description: 'Checks thumbnails',
			contentType: 'image',
			detectors: {
				detector: [
					{ detectorName: ' face_visible ', config: '{"threshold": 70}', weight: 2 },
					{ detectorName: 'text_legibility', config: '' },
				],
			},
		}),
		requests: () => [
			{
				method: 'POST',
				path: '/v1/judges',
				body: {
					name: 'Thumbnail Check',
					description: 'Checks thumbnails',
					content_type: 'image',
					detectors: [
						{ detector_name: 'face_visible', config: { threshold: 70 }, weight: 2 },
						{ detector_name: 'text_legibility', config: {}, weight: 1 },
					],
				},
			},
		],
	},
	{
		name: 'Job → Track with Check It Exists: one GET of the result',
		parameters: ({ jobId }) => ({ resource: 'job', operation: 'track', jobId, options: { checkExists: true } }),
		requests: ({ jobId }) => [{ method: 'GET', path: `/v1/evaluations/results/${jobId}` }],
	},
	{
		name: 'Job → Track without the check: no request at all',
		parameters: ({ jobId }) => ({ resource: 'job', operation: 'track', jobId, options: { checkExists: false } }),
		requests: () => [],
	},
	{
		name: 'Job → Re-emit: only the ledger changes, no request to Pique',
		parameters: () => ({ resource: 'job', operation: 'reemit', triggerNode: 'wf:trigger', select: 'since', since: '2026-01-01T00:00:00Z' }),
		requests: () => [],
	},
];

describe('Pique request shapes', () => {
	let ids: Ids;

	beforeAll(async () => {
		const s = sandbox.current;
		for (let n = 0; n < EXTRA_JUDGES; n++) {
			const answer = await fetch(`${s.baseUrls.pique}/v1/judges`, {
				method: 'POST',
				headers: { 'x-api-key': SANDBOX_KEYS.pique.apiKey, 'content-type': 'application/json' },
				body: JSON.stringify({ name: `Judge ${n}`, description: 'paging', content_type: 'text', detectors: [{ detector_name: 'tone' }] }),
			});
			expect(answer.status).toBe(201);
		}
		const [uploaded] = await runPique(s, upload, [fileItem(CLIP, 'clip.mp4', 'video/mp4')]);
		ids = { jobId: String(uploaded.json.jobId) };
	});

	it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
		const s = sandbox.current;
		const made = await requestsMadeBy(s, async () => {
			await runPique(s, row.parameters(ids), row.input, { continueOnFail: row.continueOnFail });
		});
		expect(made).toEqual(row.requests(ids));
	});

	it('the upload PUT carries the file’s bytes with the headers Pique signed, and no key', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, upload, [fileItem(CLIP, 'clip.mp4', 'video/mp4')]);
		const jobId = String(item.json.jobId);
		const [put] = s.requests({ method: 'PUT', provider: 'gcs' });
		expect(put.path).toBe(`/gcs/pique-uploads/${jobId}`);
		expect(put.headers).toMatchObject({
			'content-type': 'video/mp4',
			'content-length': String(CLIP.length),
			'x-goog-content-length-range': `${CLIP.length},${CLIP.length}`,
			'x-goog-meta-job-id': jobId,
		});
		expect(s.uploads.get(jobId)).toMatchObject({ sha256: sha256(CLIP), contentType: 'video/mp4' });
	});

	it('every operation of the node has a row', () => {
		expect(operationsOfRows(rows.map((row) => row.parameters(ids)))).toEqual(operationsOf(operations));
	});
});
