import type { INodeExecutionData } from 'n8n-workflow';

import { forgetTokens } from '../../../nodes/ImageIntelligence/token';
import { SANDBOX_KEYS } from '../../../sandbox/server.ts';
import { useSandbox } from '../../helpers/sandbox';
import { TOKEN_PATTERN, askUrls, expectRejection, runII, runIIRecording, visible, waitParameters } from './helpers';

const HOUR = 60_000;
const sandbox = useSandbox({ hourMs: HOUR, imageIntelligenceProcessingMs: 20 });

const ASK = '/imageintelligence/v2/ask';
const TOKEN = '/imageintelligence/v2/oauth/token';
const SECRET = SANDBOX_KEYS.imageIntelligence.clientSecret;

const tokenRequests = () => sandbox.current.requests({ pathPrefix: TOKEN });
const getStatuses = () => sandbox.current.requests({ method: 'GET', pathPrefix: ASK }).map((r) => r.status);

beforeEach(() => {
	forgetTokens();
	sandbox.current.clearFaults();
});

/** Ten jobs made through the node, as items carrying their jobId. */
async function tenJobs(): Promise<INodeExecutionData[]> {
	const s = sandbox.current;
	const input = Array.from({ length: 10 }, (_v, n) => ({ json: { url: `${s.url}/files/design.png?n=${n}` } }));
	return await runII(s, askUrls('Is it open?', [{ url: '={{ $json.url }}' }]), input);
}

describe('Image Intelligence: the access token', () => {
	it('is fetched once for 10 items and reused by a second execution', async () => {
		const s = sandbox.current;
		s.clearLog();
		const jobs = await tenJobs();
		expect(tokenRequests()).toHaveLength(1);
		expect(s.requests({ method: 'POST', pathPrefix: ASK })).toHaveLength(10);

		const done = await runII(s, waitParameters({ options: { concurrency: 10 } }), jobs);
		expect(done.every((item) => item.json.finished === true)).toBe(true);
		const got = await runII(s, { resource: 'ask', operation: 'get' }, jobs);
		expect(got).toHaveLength(10);
		expect(tokenRequests()).toHaveLength(1);
		expect(tokenRequests()[0].status).toBe(200);
	});

	it('concurrent items of a cold cache share one token request (no stampede)', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		forgetTokens();
		s.clearLog();
		s.configure({ latencyMs: 30 });
		try {
			await runII(s, { resource: 'ask', operation: 'get', options: { concurrency: 10 } }, jobs);
		} finally {
			s.configure({ latencyMs: 0 });
		}
		expect(tokenRequests()).toHaveLength(1);
		expect(getStatuses()).toEqual(Array(10).fill(200));
	});

	it('each credential has its own token', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		s.clearLog();
		const readOnly = {
			imageIntelligenceApi: { clientId: SANDBOX_KEYS.imageIntelligence.readOnlyClientId, clientSecret: SECRET, baseUrl: s.baseUrls.imageIntelligence },
		};
		await runII(s, { resource: 'ask', operation: 'get' }, jobs.slice(0, 2), { credentials: readOnly });
		await runII(s, { resource: 'ask', operation: 'get' }, jobs.slice(0, 2));
		await runII(s, { resource: 'ask', operation: 'get' }, jobs.slice(0, 2), { credentials: readOnly });
		expect(tokenRequests()).toHaveLength(1);
	});

	it('an expired token (24 sandbox hours later) is refreshed exactly once, even with 10 items in flight', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		s.advanceTime(24 * HOUR + 1000);
		s.clearLog();
		const got = await runII(s, { resource: 'ask', operation: 'get', options: { concurrency: 10 } }, jobs);
		expect(got.map((item) => item.json.jobId)).toEqual(jobs.map((item) => item.json.jobId));
		expect(tokenRequests()).toHaveLength(1);
		const statuses = getStatuses();
		expect(statuses.filter((status) => status === 200)).toHaveLength(10);
		expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(1);
		expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);

		s.clearLog();
		await runII(s, { resource: 'ask', operation: 'get' }, jobs.slice(0, 1));
		expect(tokenRequests()).toHaveLength(0);
		expect(getStatuses()).toEqual([200]);
	});

	it('a 401 mid-run refreshes once and repeats only that request once', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		s.clearLog();
		s.setFaults([{ match: { method: 'GET', path: ASK }, times: 1, fault: { type: 'status', status: 401, body: { code: 'unauthorized', message: 'Token revoked.' } } }]);
		const got = await runII(s, { resource: 'ask', operation: 'get', options: { concurrency: 1 } }, jobs.slice(0, 3));
		expect(got).toHaveLength(3);
		expect(tokenRequests()).toHaveLength(1);
		expect(getStatuses()).toEqual([401, 200, 200, 200]);
	});

	it('a 401 on Create is repeated once with the new token (the job is made once)', async () => {
		const s = sandbox.current;
		await tenJobs();
		s.clearLog();
		s.setFaults([{ match: { method: 'POST', path: ASK }, times: 1, fault: { type: 'status', status: 401 } }]);
		const [created] = await runII(s, askUrls('Is it open?', [`${s.url}/files/design.png`]));
		expect(created.json.status).toBe('IN_PROGRESS');
		expect(s.requests({ method: 'POST', pathPrefix: ASK }).map((r) => r.status)).toEqual([401, 200]);
		expect(tokenRequests()).toHaveLength(1);
	});

	it('a fresh token refused too: a clear error after exactly one refresh, no loop', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		s.clearLog();
		s.setFaults([{ match: { method: 'GET', path: ASK }, fault: { type: 'status', status: 401 } }]);
		const error = await expectRejection(runII(s, { resource: 'ask', operation: 'get' }, jobs.slice(0, 1)));
		expect(error.message).toBe('Image Intelligence error 401: a freshly issued access token was refused too');
		expect(error.description).toContain('Check Client ID, Client Secret and Base URL');
		expect(tokenRequests()).toHaveLength(1);
		expect(getStatuses()).toEqual([401, 401]);
		expect(visible(error)).not.toMatch(TOKEN_PATTERN);
		expect(visible(error)).not.toContain(SECRET);
	});

	it('the token request is safe to repeat: a 503 or a reset is retried, 5xx exhaustion fails every item with one series of tries', async () => {
		const s = sandbox.current;
		const jobs = await tenJobs();
		forgetTokens();
		s.clearLog();
		s.setFaults([
			{ match: { path: TOKEN }, times: 1, fault: { type: 'status', status: 503, retryAfter: 0 } },
			{ match: { path: TOKEN }, times: 1, fault: { type: 'reset' } },
		]);
		const got = await runII(s, { resource: 'ask', operation: 'get', options: { concurrency: 10 } }, jobs);
		expect(got).toHaveLength(10);
		expect(tokenRequests().map((r) => r.status)).toEqual([503, 0, 200]);
		expect(getStatuses()).toEqual(Array(10).fill(200));

		forgetTokens();
		s.clearLog();
		s.setFaults([{ match: { path: TOKEN }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		const failed = await runII(s, { resource: 'ask', operation: 'get', options: { concurrency: 10 } }, jobs, { continueOnFail: true });
		expect(failed.map((item) => item.json.error)).toEqual(Array(10).fill('Image Intelligence error 503 server_error: Server error (sandbox fault)'));
		expect(String(failed[0].json.errorDescription)).toContain('Gave up after 5 tries');
		expect(visible(failed)).not.toContain(SECRET);
		expect(tokenRequests()).toHaveLength(5);
		expect(getStatuses()).toEqual([]);
	});

	it('a cancelled execution stops waiting for a slow token request; the token still serves the next run', async () => {
		const s = sandbox.current;
		const [job] = await tenJobs();
		forgetTokens();
		s.clearLog();
		s.setFaults([{ match: { path: TOKEN }, times: 1, fault: { type: 'latency', ms: 300 } }]);
		const controller = new AbortController();
		const running = runII(s, { resource: 'ask', operation: 'get' }, [job], { abortSignal: controller.signal });
		setTimeout(() => controller.abort(), 20);
		const error = await expectRejection(running);
		expect(error.message).toBe('The request to Image Intelligence was cancelled');
		while (tokenRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		await runII(s, { resource: 'ask', operation: 'get' }, [job]);
		expect(tokenRequests()).toHaveLength(1);
		expect(getStatuses()).toEqual([200]);
	});

	it('neither the token nor the secret reaches an item, an error or a log line', async () => {
		const s = sandbox.current;
		const [job] = await tenJobs();
		forgetTokens();
		const ok = await runIIRecording(s, { resource: 'ask', operation: 'get' }, [job]);
		expect(ok.output).toHaveLength(1);
		expect(ok.logs.some((line) => line.includes('fetched an access token'))).toBe(true);

		s.setFaults([{ match: { method: 'GET', path: ASK }, fault: { type: 'status', status: 401 } }]);
		const refused = await runIIRecording(s, { resource: 'ask', operation: 'get' }, [job]);
		expect(refused.error?.message).toBe('Image Intelligence error 401: a freshly issued access token was refused too');
		expect(refused.logs.some((line) => line.includes('refused the access token (401)'))).toBe(true);

		s.clearFaults();
		const wrong = await runIIRecording(s, { resource: 'ask', operation: 'get' }, [job], {
			credentials: { imageIntelligenceApi: { clientId: 'someone', clientSecret: 'wrong-secret-abcdef', baseUrl: s.baseUrls.imageIntelligence } },
		});
		expect(wrong.error?.message).toContain('refused the client ID or client secret');

		for (const seen of [visible(ok.output), visible(refused.error), visible(wrong.error), ...ok.logs, ...refused.logs, ...wrong.logs]) {
			expect(seen).not.toMatch(TOKEN_PATTERN);
			expect(seen).not.toContain(SECRET);
			expect(seen).not.toContain('wrong-secret-abcdef');
		}
	});
});
