import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetTokens } from '../../../nodes/ImageIntelligence/token';
import { SANDBOX_KEYS } from '../../../sandbox/server.ts';
import { useSandbox } from '../../helpers/sandbox';
import { TOKEN_PATTERN, askUrls, expectRejection, runII, visible, waitParameters } from './helpers';

const sandbox = useSandbox({ imageIntelligenceProcessingMs: 30 });

const ASK = '/imageintelligence/v2/ask';
const TOKEN = '/imageintelligence/v2/oauth/token';

beforeEach(() => {
	forgetTokens();
	sandbox.current.clearFaults();
	sandbox.current.configure({ imageIntelligenceProcessingMs: 30 });
	sandbox.current.clearLog();
});

const imageUrl = () => `${sandbox.current.url}/files/design.png`;
const manyUrls = (count: number) => Array.from({ length: count }, (_v, n) => `${imageUrl()}?n=${n}`);

async function createdJobId(): Promise<string> {
	const [item] = await runII(sandbox.current, askUrls('Is it open?', [imageUrl()]));
	return item.json.jobId as string;
}

describe('Image Intelligence: bad input and provider trouble', () => {
	it('a wrong client secret: a clear 401 without the secret, one token request for all items', async () => {
		const s = sandbox.current;
		const secret = 'ii-wrong-secret-0123456789';
		const credentials = { imageIntelligenceApi: { clientId: SANDBOX_KEYS.imageIntelligence.clientId, clientSecret: secret, baseUrl: s.baseUrls.imageIntelligence } };
		const error = await expectRejection(runII(s, { resource: 'ask', operation: 'get', jobId: 'abc' }, [{ json: {} }], { credentials }));
		expect(error.message).toBe('Image Intelligence error 401 invalid_client: Image Intelligence refused the client ID or client secret');
		expect(error.description).toContain('Check Client ID, Client Secret and Base URL');
		expect(visible(error)).not.toContain(secret);

		s.clearLog();
		const items = await runII(s, { resource: 'ask', operation: 'get', jobId: 'abc' }, [{ json: {} }, { json: {} }, { json: {} }], {
			credentials,
			continueOnFail: true,
		});
		expect(items.map((item) => item.json.error)).toEqual(Array(3).fill(error.message));
		expect(visible(items)).not.toContain(secret);
		expect(s.requests({ pathPrefix: TOKEN })).toHaveLength(1);
		expect(s.requests({ pathPrefix: ASK })).toHaveLength(0);
	});

	it('an unknown job id (404)', async () => {
		const s = sandbox.current;
		const [item] = await runII(s, { resource: 'ask', operation: 'get', jobId: 'no-such-job' }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe('Image Intelligence error 404 not_found: Job not found.');
		expect(item.json.errorDescription).toContain('Use the jobId that Ask → Create returned');
		const waited = await runII(s, waitParameters({ jobId: 'no-such-job' }), [{ json: {} }], { continueOnFail: true });
		expect(waited[0].json.error).toBe('Image Intelligence error 404 not_found: Job not found.');
	});

	it('a job id with a slash cannot reach another endpoint', async () => {
		const s = sandbox.current;
		await runII(s, { resource: 'ask', operation: 'get', jobId: '../oauth/token' }, [{ json: {} }], { continueOnFail: true });
		expect(s.requests({ method: 'GET', pathPrefix: ASK })[0].path).toBe(`${ASK}/..%2Foauth%2Ftoken`);
	});

	it('a malformed provider body: cut JSON, a missing field, a broken token answer', async () => {
		const s = sandbox.current;
		const jobId = await createdJobId();
		s.setFaults([{ match: { method: 'GET', provider: 'imageIntelligence' }, times: 1, fault: { type: 'malformedJson' } }]);
		const [cut] = await runII(s, { resource: 'ask', operation: 'get', jobId }, [{ json: {} }], { continueOnFail: true });
		expect(cut.json.error).toBe('Image Intelligence returned a body that is not valid JSON');

		s.setFaults([{ match: { method: 'GET', provider: 'imageIntelligence' }, times: 1, fault: { type: 'dropField', field: 'status' } }]);
		const [missing] = await runII(s, { resource: 'ask', operation: 'get', jobId }, [{ json: {} }], { continueOnFail: true });
		expect(missing.json.error).toBe(
			'Image Intelligence returned an answer this node does not understand: `status`: Invalid input: expected string, received undefined',
		);

		forgetTokens();
		s.setFaults([{ match: { path: TOKEN }, times: 1, fault: { type: 'malformedJson' } }]);
		const [token] = await runII(s, { resource: 'ask', operation: 'get', jobId }, [{ json: {} }], { continueOnFail: true });
		expect(token.json.error).toBe('Image Intelligence returned a token answer that is not valid JSON');
		expect(visible(token)).not.toMatch(TOKEN_PATTERN);

		s.setFaults([{ match: { path: TOKEN }, times: 1, fault: { type: 'dropField', field: 'expiresAt' } }]);
		const [noExpiry] = await runII(s, { resource: 'ask', operation: 'get', jobId }, [{ json: {} }], { continueOnFail: true });
		expect(noExpiry.json.error).toBe(
			'Image Intelligence returned a token answer this node does not understand: `expiresAt`: Invalid input: expected number, received undefined',
		);
		expect(visible(noExpiry)).not.toMatch(TOKEN_PATTERN);
	});

	it('429 then success: Create and Get wait and retry', async () => {
		const s = sandbox.current;
		s.setFaults([{ match: { method: 'POST', path: ASK }, times: 2, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [created] = await runII(s, askUrls('Is it open?', [imageUrl()]));
		expect(created.json.status).toBe('IN_PROGRESS');
		expect(s.requests({ method: 'POST', pathPrefix: ASK }).map((r) => r.status)).toEqual([429, 429, 200]);

		s.clearLog();
		s.setFaults([{ match: { method: 'GET', path: ASK }, times: 1, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [got] = await runII(s, { resource: 'ask', operation: 'get', jobId: created.json.jobId as string });
		expect(got.json.jobId).toBe(created.json.jobId);
		expect(s.requests({ method: 'GET', pathPrefix: ASK }).map((r) => r.status)).toEqual([429, 200]);
	});

	it('5xx exhaustion: Get gives up after 5 tries; a failed Create is not repeated and says the job may exist', async () => {
		const s = sandbox.current;
		const jobId = await createdJobId();
		s.clearLog();
		s.setFaults([{ match: { method: 'GET', path: ASK }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		const [got] = await runII(s, { resource: 'ask', operation: 'get', jobId }, [{ json: {} }], { continueOnFail: true });
		expect(got.json.error).toBe('Image Intelligence error 503 server_error: Server error (sandbox fault)');
		expect(got.json.errorDescription).toContain('Gave up after 5 tries');
		expect(s.requests({ method: 'GET', pathPrefix: ASK })).toHaveLength(5);

		s.clearLog();
		s.setFaults([{ match: { method: 'POST', path: ASK }, fault: { type: 'status', status: 502 } }]);
		const [created] = await runII(s, askUrls('Is it open?', [imageUrl()], { options: { customId: 'gate-7' } }), [{ json: {} }], {
			continueOnFail: true,
		});
		expect(created.json.error).toBe('Image Intelligence error 502 server_error: Server error (sandbox fault)');
		expect(created.json.errorDescription).toContain('The job may have been created anyway: Ask → Search with Custom ID "gate-7" finds it.');
		expect(s.requests({ method: 'POST', pathPrefix: ASK })).toHaveLength(1);

		s.clearFaults();
		s.setFaults([{ match: { method: 'POST', path: ASK }, times: 1, fault: { type: 'malformedJson' } }]);
		const [unsure] = await runII(s, askUrls('Is it open?', [imageUrl()], { options: { customId: 'gate-8' } }), [{ json: {} }], {
			continueOnFail: true,
		});
		expect(unsure.json.errorDescription).toContain('The job may have been created anyway: Ask → Search with Custom ID "gate-8" finds it.');
	});

	it('cancel mid-wait: the wait stops and no more requests are made', async () => {
		const s = sandbox.current;
		s.configure({ imageIntelligenceProcessingMs: 60_000 });
		const jobId = await createdJobId();
		s.clearLog();
		const controller = new AbortController();
		const running = runII(s, waitParameters({ jobId, pollInterval: 0.05, timeout: 60 }), [{ json: {} }], { abortSignal: controller.signal });
		while (s.requests({ method: 'GET', pathPrefix: ASK }).length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
		controller.abort();
		const error = await expectRejection(running);
		expect(error.message).toMatch(
			new RegExp(`^(Stopped waiting for Image Intelligence ask job ${jobId}: the execution was cancelled|The request to Image Intelligence was cancelled)$`),
		);
		const seen = s.requests({ method: 'GET', pathPrefix: ASK }).length;
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(s.requests({ method: 'GET', pathPrefix: ASK })).toHaveLength(seen);
	});

	it('a wait that runs out of time says so', async () => {
		const s = sandbox.current;
		s.configure({ imageIntelligenceProcessingMs: 60_000 });
		const jobId = await createdJobId();
		const [item] = await runII(s, waitParameters({ jobId, pollInterval: 0.05, timeout: 0.2 }), [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe(`Image Intelligence ask job ${jobId} was still not finished after 0.2 s`);
	});

	it('65 images: split into two jobs of 33 and 32 (the default), or refused before any request', async () => {
		const s = sandbox.current;
		const urls = manyUrls(65);
		const output = await runII(s, askUrls('Is a door open?', urls, { options: { customId: 'site-9' } }));
		expect(output.map((item) => [item.json.part, item.json.parts, item.json.imageCount, item.json.customId])).toEqual([
			[1, 2, 33, 'site-9'],
			[2, 2, 32, 'site-9'],
		]);
		const sent = output.flatMap((item) => (item.json.imageResults as IDataObject[]).map((image) => image.url));
		expect(sent).toEqual(urls);
		expect(s.requests({ method: 'POST', pathPrefix: ASK })).toHaveLength(2);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);

		s.clearLog();
		forgetTokens();
		const error = await expectRejection(runII(s, askUrls('Is a door open?', urls, { options: { overLimit: 'error' } })));
		expect(error.message).toBe('65 images for one job; Image Intelligence takes at most 64');
		expect(error.description).toContain('Nothing was sent');
		expect(s.requests()).toHaveLength(0);

		const [exactly64] = await runII(s, askUrls('Is a door open?', manyUrls(64), { options: { overLimit: 'error' } }));
		expect(exactly64.json.imageCount).toBe(64);
	});

	it('a split that fails halfway names the jobs already created', async () => {
		const s = sandbox.current;
		s.setFaults([{ match: { method: 'POST', path: ASK }, every: 2, fault: { type: 'status', status: 500 } }]);
		const [item] = await runII(s, askUrls('Is a door open?', manyUrls(70)), [{ json: {} }], { continueOnFail: true });
		const [first] = s.requests({ method: 'POST', pathPrefix: ASK, status: 200 });
		expect(first).toBeDefined();
		expect(item.json.error).toBe('Job 2 of 2 could not be created: Image Intelligence error 500 server_error: Server error (sandbox fault)');
		const search = await runII(s, { resource: 'ask', operation: 'search', returnAll: true, filters: {} });
		const firstId = search.find((job) => job.json.imageCount === 35)?.json.jobId as string;
		expect(item.json.errorDescription).toContain(`these were created and are running: ${firstId}`);
	});

	it('a 257-character question is refused before any HTTP call; 256 is fine', async () => {
		const s = sandbox.current;
		const question = `Is ${'a'.repeat(253)}?`;
		expect(question).toHaveLength(257);
		const error = await expectRejection(runII(s, askUrls(question, [imageUrl()])));
		expect(error.message).toBe('The question is 257 characters long; Image Intelligence takes at most 256');
		expect(s.requests({ pathPrefix: ASK })).toHaveLength(0);
		expect(s.requests()).toHaveLength(0);

		const [ok] = await runII(s, askUrls(question.slice(1), [imageUrl()]));
		expect(ok.json.question).toHaveLength(256);
	});

	it('4 yes-examples are refused before any HTTP call', async () => {
		const s = sandbox.current;
		const examples = manyUrls(4).join('\n');
		const error = await expectRejection(runII(s, askUrls('Is it open?', [imageUrl()], { options: { yesExamples: examples } })));
		expect(error.message).toBe('Yes Examples has 4 URLs; Image Intelligence takes 1 to 3');
		const [noExamples] = await runII(
			s,
			askUrls('Is it open?', [imageUrl()], { options: { noExamples: '={{ $json.examples }}' } }),
			[{ json: { examples: manyUrls(4) } }],
			{ continueOnFail: true },
		);
		expect(noExamples.json.error).toBe('No Examples has 4 URLs; Image Intelligence takes 1 to 3');
		expect(s.requests()).toHaveLength(0);
	});

	it('other limits are checked before sending: URL length and scheme, ID length, no image, empty question', async () => {
		const s = sandbox.current;
		const run = async (parameters: INodeParameters) => (await runII(s, parameters, [{ json: {} }], { continueOnFail: true }))[0].json.error;
		expect(await run(askUrls('Is it open?', [`${imageUrl()}?${'x'.repeat(512)}`]))).toMatch(
			/^Image URL 1 is \d+ characters long; Image Intelligence takes at most 512$/,
		);
		expect(await run(askUrls('Is it open?', ['ftp://example.com/a.png']))).toBe('Image URL 1 is not an http(s) URL: ftp://example.com/a.png');
		expect(await run(askUrls('Is it open?', [{ url: imageUrl(), customId: 'c'.repeat(65) }]))).toBe(
			'Custom ID of Image URL 1 is 65 characters long; Image Intelligence takes at most 64',
		);
		expect(await run(askUrls('Is it open?', [imageUrl()], { options: { feedId: 'f'.repeat(65) } }))).toBe(
			'Feed ID is 65 characters long; Image Intelligence takes at most 64',
		);
		expect(await run(askUrls('Is it open?', [imageUrl()], { options: { webhookUrl: 'not a url' } }))).toBe(
			'Webhook URL is not an http(s) URL: not a url',
		);
		expect(await run(askUrls('Is it open?', []))).toBe('This item has no image to ask about');
		expect(await run(askUrls('   ', [imageUrl()]))).toBe('The question is empty');
		expect(s.requests()).toHaveLength(0);
	});

	it('a Search date that is not a date names the filter, before any request', async () => {
		const s = sandbox.current;
		const [item] = await runII(s, { resource: 'ask', operation: 'search', returnAll: true, filters: { createdAfter: 'last tuesday' } }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('Created After is not a date: last tuesday');
		expect(s.requests({ pathPrefix: ASK })).toHaveLength(0);
	});

	it('a missing binary property says which ones the item has', async () => {
		const s = sandbox.current;
		const [item] = await runII(
			s,
			{ resource: 'ask', operation: 'create', question: 'Is it open?', imageSource: 'binary', binaryPropertyName: 'photo' },
			[{ json: {} }],
			{ continueOnFail: true },
		);
		expect(item.json.error).toBe('No binary property "photo" on this item');
		expect(s.requests()).toHaveLength(0);
	});

	it('a client without the ask:create scope (403)', async () => {
		const s = sandbox.current;
		const credentials = {
			imageIntelligenceApi: {
				clientId: SANDBOX_KEYS.imageIntelligence.readOnlyClientId,
				clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret,
				baseUrl: s.baseUrls.imageIntelligence,
			},
		};
		const [item] = await runII(s, askUrls('Is it open?', [imageUrl()]), [{ json: {} }], { credentials, continueOnFail: true });
		expect(item.json.error).toBe('Image Intelligence error 403 forbidden: This token lacks the ask:create scope.');
		expect(item.json.errorDescription).toContain('ask:create');
	});
});
