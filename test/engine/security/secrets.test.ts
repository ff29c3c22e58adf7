import type { INodeExecutionData, INodeType } from 'n8n-workflow';

import { ArchiveOutputs } from '../../../nodes/ArchiveOutputs/ArchiveOutputs.node';
import { EyeQuant } from '../../../nodes/EyeQuant/EyeQuant.node';
import { ImageForge } from '../../../nodes/ImageForge/ImageForge.node';
import { ImageIntelligence } from '../../../nodes/ImageIntelligence/ImageIntelligence.node';
import { Pique } from '../../../nodes/Pique/Pique.node';
import { fakeMp4 } from '../../../sandbox/fixtures';
import type { FaultRule } from '../../../sandbox/server';
import { executeContext } from '../../helpers/engine';
import type { NodeRunOptions } from '../../helpers/engine';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { designItem } from '../eyequant/helpers';
import { pngFiles, uploaded } from '../image-forge/helpers';
import { JUDGES, fileItem, judge, useTempLedger } from '../pique/helpers';

/**
 * The sandbox's echo fault hands back the request (URL with query, headers with the key, body)
 * in JSON, text, HTML and SSE error bodies; nothing of a key, token or signature may show in an
 * error, an item or a log line. The keys are long and distinctive, so any 6 characters of one
 * showing is a leak (the echo fault answers before checking them).
 */
const sandbox = useSandbox({ hourMs: 60_000, piqueProcessingMs: 20, imageForgeMsPerImage: 2 });
useTempLedger();

const KEYS = {
	eyeQuant: 'eq-LEAKCHECK-7f3a9c2e5b1d4a68',
	pique: 'pq_LEAKCHECK_0b9e8d7c6a5f4e3d',
	imageForge: 'sk-LEAKCHECK-91ab72cd53ef',
	iiSecret: 'ii-LEAKCHECK-secret-5e6f7a8b9c0d',
};
const FORMATS = ['json', 'text', 'html'] as const;

afterEach(() => sandbox.current.clearFaults());

interface Run {
	output: INodeExecutionData[];
	error?: Error;
	logs: string[];
}

/** Runs a node in n8n-core's real ExecuteContext, recording every log line it writes. */
async function run(nodeType: INodeType, options: NodeRunOptions): Promise<Run> {
	const context = await executeContext(nodeType, { continueOnFail: true, ...options });
	const logs: string[] = [];
	const record = (message: string, meta?: object) => logs.push(`${message} ${meta ? JSON.stringify(meta) : ''}`);
	Object.defineProperty(context, 'logger', { value: { error: record, warn: record, info: record, debug: record } });
	try {
		const result = (await nodeType.execute?.call(context)) as INodeExecutionData[][] | undefined;
		return { output: result?.[0] ?? [], logs };
	} catch (error) {
		return { output: [], error: error as Error, logs };
	}
}

/** Everything a user, an error reporter or a log could see, as one text. */
function visible({ output, error, logs }: Run): string {
	const failure = error as (Error & { description?: string; messages?: string[]; context?: object; cause?: unknown }) | undefined;
	const parts = [JSON.stringify(output.map((item) => item.json)), ...logs];
	if (failure) {
		parts.push(failure.message, failure.description ?? '', failure.stack ?? '', JSON.stringify(failure));
		parts.push(JSON.stringify({ messages: failure.messages, context: failure.context, cause: failure.cause }));
	}
	return parts.join('\n');
}

/** Every run of 6 characters of `secret` found in `text`. */
function pieces(text: string, secret: string): string[] {
	const found = new Set<string>();
	for (let start = 0; start + 6 <= secret.length; start++) {
		const piece = secret.slice(start, start + 6);
		if (text.includes(piece)) found.add(piece);
	}
	return [...found];
}

/** The run failed where the echo was, and showed nothing of `secrets`. */
function expectNoLeak(result: Run, secrets: string[]): void {
	const text = visible(result);
	expect(text).toMatch(/Bad request/);
	for (const secret of secrets) expect(pieces(text, secret)).toEqual([]);
}

const echo = (match: FaultRule['match'], format: string, status?: number): FaultRule[] => [
	{ match, fault: { type: 'echo', format, ...(status ? { status } : {}) } as FaultRule['fault'] },
];

describe('keys never show, even when a server echoes them back', () => {
	it.each(FORMATS)('EyeQuant (Authorization header), %s error body', async (format) => {
		const s = sandbox.current;
		s.setFaults(echo({ provider: 'eyeQuant' }, format));
		const credentials = { eyeQuantApi: { apiKey: KEYS.eyeQuant, baseUrl: s.baseUrls.eyeQuant } };
		const get = await run(new EyeQuant(), { parameters: { resource: 'analysis', operation: 'get', screenshotId: 'abc' }, credentials });
		expectNoLeak(get, [KEYS.eyeQuant]);
		const create = await run(new EyeQuant(), { parameters: { resource: 'analysis', operation: 'create' }, credentials, input: [designItem()] });
		expectNoLeak(create, [KEYS.eyeQuant]);
	});

	it.each(FORMATS)('Pique (X-API-Key) and its presigned upload (signature in the URL), %s error body', async (format) => {
		const s = sandbox.current;
		const credentials = { piqueApi: { apiKey: KEYS.pique, environment: 'custom', baseUrl: s.baseUrls.pique } };
		s.setFaults(echo({ provider: 'pique' }, format));
		const result = await run(new Pique(), { parameters: { resource: 'evaluation', operation: 'getResult', jobId: 'any' }, credentials });
		expectNoLeak(result, [KEYS.pique]);

		s.setFaults(echo({ provider: 'gcs' }, format, 403));
		const upload = await run(new Pique(), {
			parameters: { resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video) },
			credentials: { piqueApi: sandboxCredentials(s).piqueApi },
			input: [fileItem(fakeMp4(20_000), 'clip.mp4', 'video/mp4')],
		});
		expectNoLeak(upload, []);
		expect(visible(upload)).not.toMatch(/X-Goog-(Signature|Credential)=\w/i);
	});

	it.each(FORMATS)('Image Intelligence (client secret in the token request body, then the access token), %s error body', async (format) => {
		const s = sandbox.current;
		const ask = { resource: 'ask', operation: 'get', jobId: 'abc' };
		s.setFaults(echo({ path: '/imageintelligence/v2/oauth/token' }, format, 400));
		const credentials = { imageIntelligenceApi: { clientId: 'client-x', clientSecret: KEYS.iiSecret, baseUrl: s.baseUrls.imageIntelligence } };
		const refused = await run(new ImageIntelligence(), { parameters: ask, credentials });
		expectNoLeak(refused, [KEYS.iiSecret]);

		s.setFaults(echo({ path: '/imageintelligence/v2/ask' }, format));
		const withToken = await run(new ImageIntelligence(), { parameters: ask, credentials: { imageIntelligenceApi: sandboxCredentials(s).imageIntelligenceApi } });
		expectNoLeak(withToken, []);
		expect(visible(withToken)).not.toMatch(/ii_at_[0-9a-f]+/);
	});

	it.each([...FORMATS, 'sse'] as const)('Image Forge (Authorization header), %s answer', async (format) => {
		const s = sandbox.current;
		const credentials = { imageForgeApi: { apiKey: KEYS.imageForge, baseUrl: s.baseUrls.imageForge } };
		if (format !== 'sse') {
			s.setFaults(echo({ provider: 'imageForge' }, format, 500));
			expectNoLeak(await run(new ImageForge(), { parameters: { resource: 'credits', operation: 'balance' }, credentials }), [KEYS.imageForge]);
		}
		s.clearFaults();
		const images = await uploaded(s, pngFiles(2));
		s.setFaults(echo({ path: /\/analyze$/ }, format, format === 'sse' ? 200 : 500));
		const analyzed = await run(new ImageForge(), { parameters: { resource: 'image', operation: 'analyze' }, credentials, input: images });
		expectNoLeak(analyzed, [KEYS.imageForge]);
	});

	it.each([...FORMATS, 'sse'] as const)('Archive Outputs: a presigned link echoed back keeps its signature hidden, %s answer', async (format) => {
		const s = sandbox.current;
		s.setFaults(echo({ provider: 'files' }, format, format === 'sse' ? 200 : 403));
		const link = `${s.url}/files/design.png?X-Amz-Credential=AKIALEAKCHECK42&X-Amz-Signature=5ea1ed5ec7e7deadbeef&token=tok-LEAKCHECK-99`;
		const result = await run(new ArchiveOutputs(), { parameters: {}, input: [{ json: { outputs: { design: link } } }] });
		// The item keeps the link it came with (the user's own data); what the node adds must not show it.
		const added = result.output.map(({ json: { outputs: _given, ...rest } }) => ({ json: rest }));
		const text = visible({ ...result, output: added });
		for (const secret of ['AKIALEAKCHECK42', '5ea1ed5ec7e7deadbeef', 'tok-LEAKCHECK-99']) expect(pieces(text, secret)).toEqual([]);
		if (format !== 'sse') expect(text).toMatch(/Bad request/);
	});
});
