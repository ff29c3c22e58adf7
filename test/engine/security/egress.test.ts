import { BLOCKED_LOOPBACK } from '../../helpers/ssrf';

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { accountId, closeLedgers, openLedger } from '../../../nodes/shared/ledger';
import { designPng } from '../../../sandbox/fixtures';
import { SANDBOX_KEYS } from '../../../sandbox/server';
import { binaryBytes } from '../../helpers/engine';
import { startTestServer } from '../../helpers/http-server';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { runArchive } from '../archive/helpers';
import { runEyeQuant } from '../eyequant/helpers';
import { pollOnce } from '../trigger/helpers';

const sandbox = useSandbox({ eyeQuantProcessingMs: 10 });

type Server = Awaited<ReturnType<typeof startTestServer>>;
let internal: Server;

beforeAll(async () => {
	// An "internal service" on another loopback address: with protection on, nothing may reach it.
	internal = await startTestServer((_request, response) => {
		response.writeHead(200, { 'content-type': 'image/png' });
		response.end(designPng());
	}, BLOCKED_LOOPBACK);
});

afterAll(async () => {
	await internal.close();
});

beforeEach(() => sandbox.current.clearLog());

describe("n8n's SSRF protection on (sandbox allowed, other loopback and link-local addresses blocked)", () => {
	it('Archive Outputs fetches the allowed link and refuses loopback and the metadata address, on the item, without a request', async () => {
		const s = sandbox.current;
		const outputs = {
			design: `${s.url}/files/design.png`,
			internal: `${internal.url}/secret.png?token=abc`,
			metadata: 'http://169.254.169.254/latest/meta-data/iam',
			named: `http://blocked.example.test:${new URL(internal.url).port}/x.png`,
		};
		const [item] = await runArchive({}, [{ json: { outputs } }], { continueOnFail: true });
		expect(Object.keys(item.binary ?? {})).toEqual(['design']);
		expect((await binaryBytes(item, 'design')).length).toBeGreaterThan(0);
		expect(item.json.failedUrls).toEqual([
			expect.objectContaining({ field: 'outputs.internal', error: expect.stringMatching(/^n8n's SSRF protection refused outputs\.internal \(http:\/\/127\.0\.0\.2:\d+\/secret\.png\?\[redacted\]\): /) }),
			expect.objectContaining({ field: 'outputs.metadata', error: expect.stringMatching(/^n8n's SSRF protection refused outputs\.metadata \(http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\)/) }),
			expect.objectContaining({ field: 'outputs.named', error: expect.stringMatching(/^n8n's SSRF protection refused outputs\.named/) }),
		]);
		expect(item.json.errorDescription).toContain('restricted IP address');
		expect(internal.seen).toEqual([]);
		expect(s.requests({ pathPrefix: '/files/' })).toHaveLength(1);
	});

	it('an API call whose credential points at a blocked address is refused the same way, with no retries', async () => {
		const s = sandbox.current;
		const credentials = { eyeQuantApi: { ...sandboxCredentials(s).eyeQuantApi, baseUrl: `${internal.url}/eyequant/v2` } };
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: 'abc' }, [{ json: {} }], {
			credentials,
			continueOnFail: true,
		});
		expect(item.json.error).toMatch(/^n8n's SSRF protection refused EyeQuant \(http:\/\/127\.0\.0\.2:\d+\/eyequant\/v2\/analyses\/abc\)/);
		expect(item.json.errorDescription).toContain('N8N_SSRF_ALLOWED_IP_RANGES');
		expect(internal.seen).toEqual([]);
	});

	it('an image URL taken from item data (EyeQuant Create) is refused before it is fetched', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(
			s,
			{ resource: 'analysis', operation: 'create', imageSource: 'url', imageUrl: '={{ $json.image }}' },
			[{ json: { image: `${internal.url}/design.png` } }],
			{ continueOnFail: true },
		);
		expect(item.json.error).toMatch(/^n8n's SSRF protection refused /);
		expect(internal.seen).toEqual([]);
		expect(s.requests({ provider: 'eyeQuant' })).toEqual([]);
	});

	it('a redirect from an allowed link to a blocked address is refused at that hop, without a request to it', async () => {
		const s = sandbox.current;
		const fault = { type: 'redirect', location: `${internal.url}/secret.png`, status: 302 };
		const link = `${s.url}/files/design.png?__fault=${encodeURIComponent(JSON.stringify(fault))}`;
		const [item] = await runArchive({}, [{ json: { outputs: { map: link } } }], { continueOnFail: true });
		expect(item.binary ?? {}).toEqual({});
		expect(item.json.failedUrls).toEqual([
			expect.objectContaining({ field: 'outputs.map', error: expect.stringMatching(/^n8n's SSRF protection refused outputs\.map \(http:\/\/127\.0\.0\.2:\d+\/secret\.png\)/) }),
		]);
		expect(internal.seen).toEqual([]);
		expect(s.requests({ pathPrefix: '/files/' })).toHaveLength(1);
	});

	it('the sandbox itself (allowed) works as usual', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'create', imageSource: 'url', imageUrl: `${s.url}/files/design.png` });
		expect(item.json.screenshotId).toEqual(expect.any(String));
	});
});

describe('the Visual AI Trigger under the same policy', () => {
	const ledgerFolder = mkdtempSync(path.join(tmpdir(), 'egress-ledger-'));
	beforeAll(() => {
		process.env.N8N_VISUAL_AI_LEDGER = path.join(ledgerFolder, 'ledger.sqlite');
	});
	afterAll(async () => {
		await closeLedgers();
		delete process.env.N8N_VISUAL_AI_LEDGER;
	});

	it('a poll whose credential points at a blocked address is refused by n8n’s policy, and nothing reaches it', async () => {
		const baseUrl = `${internal.url}/eyequant/v2`;
		const key = SANDBOX_KEYS.eyeQuant.apiKey;
		const node = { nodeId: 'egress', credentials: { eyeQuantApi: { apiKey: key, baseUrl } } };
		const staticData = {};
		// A trigger node emits the jobs registered after its first poll.
		expect(await pollOnce(sandbox.current, node, staticData)).toBeNull();
		const ledger = await openLedger();
		await ledger.register([{ provider: 'eyeQuant', account: accountId(baseUrl, key), jobId: 'job-1' }]);
		const error = await pollOnce(sandbox.current, node, staticData).then(
			() => undefined,
			(failure: Error) => failure,
		);
		expect(error?.message).toMatch(/n8n's SSRF protection refused EyeQuant \(http:\/\/127\.0\.0\.2:\d+\/eyequant\/v2\/analyses\/job-1\)/);
		expect(internal.seen).toEqual([]);
	});
});
