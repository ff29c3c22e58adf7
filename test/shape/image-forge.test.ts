/**
 * Image Forge: the exact requests each operation makes for a parameter set (PROVIDERS.md, Image
 * Forge). Analyze, Export and Sample answer as server-sent events; the rows state the request.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { designPng } from '../../sandbox/fixtures.ts';
import { ANALYZE, KEYS, binaryItems, pngFiles, runForge, uploaded } from '../engine/image-forge/helpers';
import type { TestFile } from '../engine/image-forge/helpers';
import { operations } from '../../nodes/ImageForge/actions/router';
import type { RequestShape } from './helpers';
import { operationsOf, operationsOfRows, requestsMadeBy, sha256, useRecordingSandbox } from './helpers';

const sandbox = useRecordingSandbox();

interface Ids {
	/** Two images of one session, as Session → Upload outputs them. */
	session: INodeExecutionData[];
	/** One image of another session. */
	other: INodeExecutionData[];
	/** Six images of a third session. */
	six: INodeExecutionData[];
}

interface Row {
	name: string;
	parameters: INodeParameters;
	input(ids: Ids): INodeExecutionData[] | Promise<INodeExecutionData[]>;
	apiKey?: string;
	requests(ids: Ids): RequestShape[];
}

const FRONT: TestFile = { name: 'front.png', bytes: designPng(60, 40) };
const BACK: TestFile = { name: 'back.png', bytes: designPng(50, 40), property: 'back' };
const SIDE: TestFile = { name: 'side.png', bytes: designPng(44, 30) };

/** What an Analyze, Export or Sample request lists for an image item. */
const imageOf = (item: INodeExecutionData) => ({
	id: item.json.imageId,
	uploadPath: item.json.uploadPath,
	originalFilename: item.json.originalFilename,
});
const sessionOf = (items: INodeExecutionData[]) => String(items[0].json.sessionId);
const part = (file: TestFile) => ({ field: 'images[]', fileName: file.name, type: 'image/png', size: file.bytes.length, sha256: sha256(file.bytes) });
/** Items carrying what Image → Analyze outputs, for Export's "Use Metadata From Input". */
const analyzed = (items: INodeExecutionData[]) =>
	items.map((item, n) => ({ ...item, json: { ...item.json, title: `Title ${n}`, alt: `Alt ${n}`, filename: `seo-name-${n}`, seoTags: ['a', 'b'], caption: '' } }));
const inOrder = { concurrency: 1 };

const rows: Row[] = [
	{
		name: 'Session → Upload: every binary property of every item in one multipart request, as images[] in item order',
		parameters: { resource: 'session', operation: 'upload' },
		input: async () => await binaryItems([[FRONT, BACK], [SIDE]]),
		requests: () => [{ method: 'POST', path: '/v1/sessions/upload', body: [part(FRONT), part(BACK), part(SIDE)] }],
	},
	{
		name: 'Session → Upload: only the named binary properties',
		parameters: { resource: 'session', operation: 'upload', binaryProperties: 'back' },
		input: async () => await binaryItems([[FRONT, BACK], [{ ...SIDE, property: 'back' }]]),
		requests: () => [{ method: 'POST', path: '/v1/sessions/upload', body: [part(BACK), part(SIDE)] }],
	},
	{
		name: 'Image → Analyze: one streamed request per session listing its images',
		parameters: { ...ANALYZE, options: inOrder },
		input: ({ session, other }) => [...session, ...other],
		requests: ({ session, other }) => [
			{ method: 'POST', path: `/v1/sessions/${sessionOf(session)}/analyze`, body: { sessionId: sessionOf(session), images: session.map(imageOf) } },
			{ method: 'POST', path: `/v1/sessions/${sessionOf(other)}/analyze`, body: { sessionId: sessionOf(other), images: other.map(imageOf) } },
		],
	},
	{
		name: 'Image → Analyze Single: one JSON request per item',
		parameters: { resource: 'image', operation: 'analyzeSingle', options: { concurrency: 1 } },
		input: ({ session }) => session,
		requests: ({ session }) =>
			session.map((item) => ({
				method: 'POST',
				path: `/v1/sessions/${sessionOf(session)}/analyze-single`,
				body: { sessionId: sessionOf(session), image: imageOf(item) },
			})),
	},
	{
		name: 'Image → Export: settings (format, preset, responsive widths) and each image’s metadata from the input',
		parameters: { resource: 'image', operation: 'export', format: 'avif', preset: 'very_high', responsive: true, responsiveSizes: '320, 640;1024' },
		input: ({ session }) => analyzed(session),
		requests: ({ session }) => [
			{
				method: 'POST',
				path: `/v1/sessions/${sessionOf(session)}/export`,
				body: {
					sessionId: sessionOf(session),
					images: session.map((item, n) => ({
						...imageOf(item),
						metadata: { title: `Title ${n}`, alt: `Alt ${n}`, filename: `seo-name-${n}`, seoTags: ['a', 'b'] },
					})),
					settings: { format: 'avif', preset: 'very_high', responsive: true, responsiveSizes: [320, 640, 1024] },
				},
			},
		],
	},
	{
		name: 'Image → Export: without responsive sizes and without the input’s metadata',
		parameters: { resource: 'image', operation: 'export', format: 'webp', preset: 'high', responsive: false, options: { useInputMetadata: false } },
		input: ({ session }) => analyzed(session),
		requests: ({ session }) => [
			{
				method: 'POST',
				path: `/v1/sessions/${sessionOf(session)}/export`,
				body: { sessionId: sessionOf(session), images: session.map(imageOf), settings: { format: 'webp', preset: 'high', responsive: false } },
			},
		],
	},
	{
		name: 'Image → Sample: Export’s body on the sample path',
		parameters: { resource: 'image', operation: 'sample', format: 'png', preset: 'low', responsive: true, responsiveSizes: '' },
		input: ({ other }) => other,
		requests: ({ other }) => [
			{
				method: 'POST',
				path: `/v1/sessions/${sessionOf(other)}/sample`,
				body: { sessionId: sessionOf(other), images: other.map(imageOf), settings: { format: 'png', preset: 'low', responsive: true } },
			},
		],
	},
	{
		name: 'Image → Sample: more than 5 images of a session are refused before anything is sent',
		parameters: { resource: 'image', operation: 'sample', format: 'png', preset: 'low', responsive: false },
		input: ({ six }) => six,
		requests: () => [],
	},
	{
		name: 'Credits → Get Balance: one GET',
		parameters: { resource: 'credits', operation: 'balance' },
		input: () => [{ json: {} }],
		requests: () => [{ method: 'GET', path: '/v1/credits/balance' }],
	},
	{
		name: 'Credits → Check: action and the number of input items, once for all items',
		parameters: { resource: 'credits', operation: 'check', action: 'export', countFrom: 'inputItems', deduct: false },
		input: () => [{ json: {} }, { json: {} }, { json: {} }],
		requests: () => [{ method: 'POST', path: '/v1/credits/check', body: { action: 'export', imageCount: 3 } }],
	},
	{
		name: 'Credits → Check: counted binary files, and Deduct Credits Now',
		parameters: { resource: 'credits', operation: 'check', action: 'analyze', countFrom: 'binaryFiles', binaryProperties: 'data, back', deduct: true },
		input: async () => await binaryItems([[FRONT, BACK], [SIDE], [{ ...SIDE, property: 'other' }]]),
		requests: () => [{ method: 'POST', path: '/v1/credits/check', body: { action: 'analyze', imageCount: 3, deduct: true } }],
	},
	{
		name: 'Credits → Check: a fixed number; too few credits (402) is answered without another call',
		parameters: { resource: 'credits', operation: 'check', action: 'sample', countFrom: 'fixed', imageCount: 4, deduct: false },
		input: () => [{ json: {} }],
		apiKey: KEYS.brokeKey,
		requests: () => [{ method: 'POST', path: '/v1/credits/check', body: { action: 'sample', imageCount: 4 } }],
	},
];

describe('Image Forge request shapes', () => {
	let ids: Ids;

	beforeAll(async () => {
		const s = sandbox.current;
		ids = { session: await uploaded(s, [[FRONT], [SIDE]]), other: await uploaded(s, [[BACK]]), six: await uploaded(s, pngFiles(6)) };
	});

	it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
		const s = sandbox.current;
		const input = await row.input(ids);
		const made = await requestsMadeBy(
			s,
			async () => await runForge(row.parameters, { sandbox: s, input, apiKey: row.apiKey, continueOnFail: true }),
			undefined,
			row.apiKey ? { imageForge: row.apiKey } : {},
		);
		expect(made).toEqual(row.requests(ids));
	});

	it('every operation of the node has a row', () => {
		expect(operationsOfRows(rows.map((row) => row.parameters))).toEqual(operationsOf(operations));
	});
});
