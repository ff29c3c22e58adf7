/**
 * EyeQuant: the exact requests each operation makes for a parameter set (PROVIDERS.md, EyeQuant).
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { designPng } from '../../sandbox/fixtures';
import { designItem, runEyeQuant, served } from '../engine/eyequant/helpers';
import { useTempLedger } from '../engine/pique/helpers';
import { operations } from '../../nodes/EyeQuant/actions/router';
import type { RequestShape } from './helpers';
import { operationsOf, operationsOfRows, requestsMadeBy, useRecordingSandbox } from './helpers';

useTempLedger();
const sandbox = useRecordingSandbox();

/** Ids of one finished analysis, made once for the file. */
interface Ids {
	screenshotId: string;
	analysisId: string;
	/** The design behind Image URL rows, as the sandbox serves it. */
	servedPng: Buffer;
	url: string;
}

interface Row {
	name: string;
	parameters(ids: Ids): INodeParameters;
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	requests(ids: Ids): RequestShape[];
}

const DESIGN = designPng();
const DESIGN_BASE64 = DESIGN.toString('base64');
const create = { resource: 'analysis', operation: 'create' };

const rows: Row[] = [
	{
		name: 'Analysis → Create: binary design, desktop, attention map only, no title',
		parameters: () => ({ ...create, medium: 'desktopWeb', predictions: ['attention'], attentionOutputs: ['attentionMap'] }),
		input: [designItem(DESIGN)],
		requests: () => [
			{
				method: 'POST',
				path: '/analyses',
				body: {
					input: { type: 'image', content: DESIGN_BASE64, medium: 'desktopWeb' },
					predictions: { attention: { outputs: ['attentionMap'] } },
				},
			},
		],
	},
	{
		name: 'Analysis → Create: mobile, trimmed title, every prediction with every output',
		parameters: () => ({
			...create,
			medium: 'mobileWeb',
			title: '  Homepage hero  ',
			predictions: ['excitingness', 'attention', 'clarity'],
			attentionOutputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'],
			clarityOutputs: ['score', 'map'],
			excitingnessOutputs: ['map'],
		}),
		input: [designItem(DESIGN)],
		requests: () => [
			{
				method: 'POST',
				path: '/analyses',
				body: {
					input: { type: 'image', content: DESIGN_BASE64, medium: 'mobileWeb', title: 'Homepage hero' },
					predictions: {
						attention: { outputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'] },
						clarity: { outputs: ['score', 'map'] },
						excitingness: { outputs: ['map'] },
					},
				},
			},
		],
	},
	{
		name: 'Analysis → Create: a prediction with no outputs chosen asks for EyeQuant’s default ({})',
		parameters: () => ({ ...create, medium: 'desktopWeb', predictions: ['clarity'], clarityOutputs: [] }),
		input: [designItem(DESIGN)],
		requests: () => [
			{
				method: 'POST',
				path: '/analyses',
				body: { input: { type: 'image', content: DESIGN_BASE64, medium: 'desktopWeb' }, predictions: { clarity: {} } },
			},
		],
	},
	{
		name: 'Analysis → Create: Image URL is downloaded without a key, then sent as base64',
		parameters: ({ url }) => ({
			...create,
			imageSource: 'url',
			imageUrl: `${url}/files/design.png`,
			medium: 'desktopWeb',
			predictions: ['attention'],
			attentionOutputs: ['hotspotsMap'],
		}),
		requests: ({ servedPng }) => [
			{ method: 'GET', path: '/files/design.png' },
			{
				method: 'POST',
				path: '/analyses',
				body: {
					input: { type: 'image', content: servedPng.toString('base64'), medium: 'desktopWeb' },
					predictions: { attention: { outputs: ['hotspotsMap'] } },
				},
			},
		],
	},
	{
		name: 'Analysis → Get: one GET by screenshot id',
		parameters: ({ screenshotId }) => ({ resource: 'analysis', operation: 'get', screenshotId, options: { downloadOutputs: false } }),
		requests: ({ screenshotId }) => [{ method: 'GET', path: `/analyses/${screenshotId}` }],
	},
	{
		name: 'Analysis → Get: an id with a slash stays one path segment',
		parameters: () => ({ resource: 'analysis', operation: 'get', screenshotId: 'a/../b c' }),
		continueOnFail: true,
		requests: () => [{ method: 'GET', path: '/analyses/a%2F..%2Fb%20c' }],
	},
	{
		name: 'Analysis → Get with Download Outputs: then each map from its presigned link, without the key',
		parameters: ({ screenshotId }) => ({ resource: 'analysis', operation: 'get', screenshotId, options: { downloadOutputs: true } }),
		requests: ({ screenshotId }) => [
			{ method: 'GET', path: `/analyses/${screenshotId}` },
			{ method: 'GET', path: expect.stringMatching(/^\/s3\/eyequant-maps\/.+\/attentionMap\.png$/), query: expect.objectContaining({ 'X-Amz-Signature': expect.any(String) }) },
		],
	},
	{
		name: 'Analysis → Wait for Completion: GET until finished (here at once), no map download when off',
		parameters: ({ screenshotId }) => ({
			resource: 'analysis',
			operation: 'waitForCompletion',
			screenshotId,
			pollInterval: 0.1,
			timeout: 10,
			options: { downloadOutputs: false },
		}),
		requests: ({ screenshotId }) => [{ method: 'GET', path: `/analyses/${screenshotId}` }],
	},
	{
		name: 'Analysis → Update Metadata: PUT description, goal and other fields (trimmed, empty names dropped)',
		parameters: ({ analysisId }) => ({
			resource: 'analysis',
			operation: 'updateMetadata',
			analysisId,
			metaDescription: ' Homepage hero ',
			goal: 'Increase sign-ups',
			otherMetadata: { field: [{ name: ' audience ', value: 'new visitors' }, { name: ' ', value: 'dropped' }] },
		}),
		requests: ({ analysisId }) => [
			{
				method: 'PUT',
				path: `/update-meta/screenshot/${analysisId}`,
				body: { description: 'Homepage hero', goal: 'Increase sign-ups', audience: 'new visitors' },
			},
		],
	},
	{
		name: 'Summary → Generate without waiting: one POST',
		parameters: ({ analysisId }) => ({ resource: 'summary', operation: 'generate', analysisId, waitUntilCompleted: false }),
		requests: ({ analysisId }) => [{ method: 'POST', path: `/analyses/summary/${analysisId}` }],
	},
	{
		name: 'Summary → Generate and wait: POST, then GET until completed',
		parameters: ({ analysisId }) => ({ resource: 'summary', operation: 'generate', analysisId, waitUntilCompleted: true, pollInterval: 0.1, timeout: 10 }),
		requests: ({ analysisId }) => [
			{ method: 'POST', path: `/analyses/summary/${analysisId}` },
			{ method: 'GET', path: `/analyses/summary/${analysisId}` },
		],
	},
	{
		name: 'Summary → Get: one GET',
		parameters: ({ analysisId }) => ({ resource: 'summary', operation: 'get', analysisId, waitUntilCompleted: false }),
		requests: ({ analysisId }) => [{ method: 'GET', path: `/analyses/summary/${analysisId}` }],
	},
	{
		name: 'Recommendations → Generate and wait: POST, then GET',
		parameters: ({ analysisId }) => ({
			resource: 'recommendations',
			operation: 'generate',
			analysisId,
			waitUntilCompleted: true,
			pollInterval: 0.1,
			timeout: 10,
		}),
		requests: ({ analysisId }) => [
			{ method: 'POST', path: `/analyses/recommendations/${analysisId}` },
			{ method: 'GET', path: `/analyses/recommendations/${analysisId}` },
		],
	},
	{
		name: 'Recommendations → Get and wait: GET only',
		parameters: ({ analysisId }) => ({
			resource: 'recommendations',
			operation: 'get',
			analysisId,
			waitUntilCompleted: true,
			pollInterval: 0.1,
			timeout: 10,
		}),
		requests: ({ analysisId }) => [{ method: 'GET', path: `/analyses/recommendations/${analysisId}` }],
	},
	{
		name: 'Job → Track with Check It Exists: one GET of the analysis',
		parameters: ({ screenshotId }) => ({ resource: 'job', operation: 'track', screenshotId, options: { checkExists: true } }),
		requests: ({ screenshotId }) => [{ method: 'GET', path: `/analyses/${screenshotId}` }],
	},
	{
		name: 'Job → Track without the check: no request at all',
		parameters: ({ screenshotId }) => ({ resource: 'job', operation: 'track', screenshotId, options: { checkExists: false } }),
		requests: () => [],
	},
	{
		name: 'Job → Re-emit: only the ledger changes, no request to EyeQuant',
		parameters: ({ screenshotId }) => ({ resource: 'job', operation: 'reemit', triggerNode: 'wf:trigger', select: 'ids', jobIds: screenshotId }),
		requests: () => [],
	},
];

describe('EyeQuant request shapes', () => {
	let ids: Ids;

	beforeAll(async () => {
		const s = sandbox.current;
		const [created] = await runEyeQuant(s, { ...create, predictions: ['attention'], attentionOutputs: ['attentionMap'] }, [designItem(DESIGN)]);
		const screenshotId = String(created.json.screenshotId);
		const answer = await fetch(`${s.baseUrls.eyeQuant}/analyses/${screenshotId}`, {
			headers: { authorization: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}` },
		});
		const analysis = (await answer.json()) as { status: string; _internal_exposed_id: string };
		expect(analysis.status).toBe('success');
		ids = { screenshotId, analysisId: analysis._internal_exposed_id, servedPng: await served(`${s.url}/files/design.png`), url: s.url };
	});

	it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
		const s = sandbox.current;
		const made = await requestsMadeBy(s, async () => {
			await runEyeQuant(s, row.parameters(ids), row.input, { continueOnFail: row.continueOnFail });
		});
		expect(made).toEqual(row.requests(ids));
	});

	it('every operation of the node has a row', () => {
		expect(operationsOfRows(rows.map((row) => row.parameters(ids)))).toEqual(operationsOf(operations));
	});
});
