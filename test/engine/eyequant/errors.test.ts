import { BINARY_ENCODING } from 'n8n-workflow';

import { blankPng, designPng } from '../../../sandbox/fixtures';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { ALL_OUTPUTS, createAnalyses, designItem, expectRejection, runEyeQuant, served, storedFiles } from './helpers';

const HOUR = 60_000;
const sandbox = useSandbox({ hourMs: HOUR, eyeQuantProcessingMs: 30 });

const create = { resource: 'analysis', operation: 'create' };
const wait = { resource: 'analysis', operation: 'waitForCompletion', pollInterval: 0.02, timeout: 10 };

afterEach(() => {
	sandbox.current.clearFaults();
	sandbox.current.configure({ mapBytes: undefined });
});

describe('EyeQuant: bad input and provider trouble', () => {
	it('missing binary property: says which properties the item has, and sends nothing', async () => {
		const s = sandbox.current;
		s.clearLog();
		const error = await expectRejection(runEyeQuant(s, { ...create, binaryPropertyName: 'design' }, [designItem()]));
		expect(error.message).toBe('No binary property "design" on this item');
		expect(error.description).toContain('data');
		expect(s.requests({ provider: 'eyeQuant' })).toHaveLength(0);
	});

	it('an image URL that 404s', async () => {
		const s = sandbox.current;
		s.clearLog();
		const error = await expectRejection(
			runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: `${s.url}/files/missing.png` }),
		);
		expect(error.message).toBe('Image URL error 404: no image is there');
		expect(error.description).toContain('Check the Image URL parameter');
		expect(s.requests({ provider: 'eyeQuant' })).toHaveLength(0);
	});

	it('a non-image file, as binary or from a URL, is refused before anything is sent', async () => {
		const s = sandbox.current;
		s.clearLog();
		const text = Buffer.from('hello, this is not an image\n');
		const [fromBinary] = await runEyeQuant(s, create, [designItem(text, 'data', 'text/plain')], { continueOnFail: true });
		expect(fromBinary.json.error).toBe('The file "design.plain" (binary property "data") is not a PNG or JPEG image');
		expect(fromBinary.json.errorDescription).toContain('looks like text/plain');
		const [fromUrl] = await runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: `${s.url}/files/not-an-image.txt` }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(fromUrl.json.error).toBe(`The file ${s.url}/files/not-an-image.txt is not a PNG or JPEG image`);
		expect(s.requests({ provider: 'eyeQuant' })).toHaveLength(0);
	});

	it('a blank image: EyeQuant\'s blank_input_image with what to do', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, create, [designItem(blankPng(64, 64))], { continueOnFail: true });
		expect(item.json.error).toBe('EyeQuant error 400 blank_input_image: The input image is blank (a single colour).');
		expect(item.json.errorDescription).toContain('single colour');
	});

	it('an unknown screenshot id (404)', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: 'abc123' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('EyeQuant error 404 client_error: Analysis abc123 not found.');
		expect(item.json.errorDescription).toContain('Get and Wait for Completion take the screenshot id');
	});

	it('an empty screenshot id is caught before any call', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: '={{ $json.nothing }}' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('Screenshot ID is empty');
		expect(s.requests()).toHaveLength(0);
	});

	it('a wrong API key (401): the message names the problem and never contains the key', async () => {
		const s = sandbox.current;
		const key = 'eq-wrong-secret-key-123456';
		const error = await expectRejection(
			runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: 'abc' }, [{ json: {} }], {
				credentials: { eyeQuantApi: { apiKey: key, baseUrl: s.baseUrls.eyeQuant } },
			}),
		);
		expect(error.message).toBe('EyeQuant error 401 authentication_failed: EyeQuant refused the API key');
		expect(error.description).toContain('Check the API key');
		expect(JSON.stringify({ message: error.message, description: error.description, error })).not.toContain(key);

		// A server that echoes the request (and so the key) back in its error body: still nowhere.
		s.setFaults([{ match: { provider: 'eyeQuant' }, fault: { type: 'echo', format: 'json', status: 400 } }]);
		const echoed = await expectRejection(
			runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: 'abc' }, [{ json: {} }], {
				credentials: { eyeQuantApi: { apiKey: key, baseUrl: s.baseUrls.eyeQuant } },
			}),
		);
		expect(echoed.message).toMatch(/^EyeQuant error 400 echo: Bad request: GET /);
		expect(JSON.stringify({ message: echoed.message, description: echoed.description, error: echoed, stack: echoed.stack })).not.toContain(key);
	});

	it('a provider answer missing `status` names the field', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, {});
		s.setFaults([{ match: { method: 'GET', provider: 'eyeQuant' }, fault: { type: 'dropField', field: 'status' } }]);
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe(
			'EyeQuant returned an answer this node does not understand: `status`: Invalid input: expected string, received undefined',
		);
	});

	it('a 429 storm is waited out (Retry-After honoured), each call retried', async () => {
		const s = sandbox.current;
		const ids = await createAnalyses(s, 3, {});
		s.advanceTime(1000);
		s.clearLog();
		s.setFaults([{ match: { method: 'GET', provider: 'eyeQuant' }, times: 6, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const output = await runEyeQuant(
			s,
			{ resource: 'analysis', operation: 'get', screenshotId: '={{ $json.id }}' },
			ids.map((id) => ({ json: { id } })),
		);
		expect(output.map((item) => item.json.status)).toEqual(['success', 'success', 'success']);
		expect(s.requests({ method: 'GET', status: 429 })).toHaveLength(6);
		expect(s.requests({ method: 'GET', status: 200 })).toHaveLength(3);
	});

	it('a 429 storm that does not end: a clear error after a bounded number of tries', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { method: 'GET', provider: 'eyeQuant' }, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: 'abc' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toEqual(expect.stringMatching(/^EyeQuant error 429 over_capacity: /));
		expect(item.json.errorDescription).toContain('Gave up after 5 tries');
		expect(s.requests({ method: 'GET' })).toHaveLength(5);
	});

	it('a create that meets 429 is retried without creating two analyses', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { method: 'POST', provider: 'eyeQuant' }, times: 2, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [item] = await runEyeQuant(s, create, [designItem()]);
		expect(item.json.screenshotId).toEqual(expect.any(String));
		expect(s.requests({ method: 'POST', status: 201 })).toHaveLength(1);
		expect(s.requests({ method: 'POST' })).toHaveLength(3);
	});

	it('a create that meets a 503 is not repeated (it may have created the analysis)', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { method: 'POST', provider: 'eyeQuant' }, times: 1, fault: { type: 'status', status: 503 } }]);
		const [item] = await runEyeQuant(s, create, [designItem()], { continueOnFail: true });
		expect(item.json.error).toEqual(expect.stringMatching(/^EyeQuant error 503 /));
		expect(s.requests({ method: 'POST' })).toHaveLength(1);
	});

	it('a map URL that resets mid-download is retried and lands whole', async () => {
		const s = sandbox.current;
		s.configure({ mapBytes: 300_000 });
		const [id] = await createAnalyses(s, 1, {});
		s.clearLog();
		s.setFaults([{ match: { provider: 's3' }, times: 1, fault: { type: 'reset', afterBytes: 100_000 } }]);
		const executionId = `reset-once-${Date.now()}`;
		const [item] = await runEyeQuant(s, { ...wait, screenshotId: id }, [{ json: {} }], { executionId });
		expect(s.requests({ provider: 's3' })).toHaveLength(2);
		expect(storedFiles(executionId).filter((file) => !file.endsWith('.metadata'))).toHaveLength(1);
		const bytes = await binaryBytes(item, 'attentionMap');
		expect(bytes.length).toBe(300_000);
		expect(bytes.equals(await served(item.json.attentionMap as string))).toBe(true);
	});

	it('a map URL that keeps resetting: a clear error after the retries, and no half file in binary data', async () => {
		const s = sandbox.current;
		s.configure({ mapBytes: 300_000 });
		const [id] = await createAnalyses(s, 1, {});
		s.clearLog();
		s.setFaults([{ match: { provider: 's3' }, fault: { type: 'reset', afterBytes: 100_000 } }]);
		const executionId = `reset-${Date.now()}`;
		const error = await expectRejection(runEyeQuant(s, { ...wait, screenshotId: id }, [{ json: {} }], { executionId }));
		expect(error.message).toMatch(/^The download of EyeQuant attentionMap broke off \((ECONNRESET|UND_ERR_SOCKET)\)$/);
		expect(error.description).toContain('3 time(s)');
		expect(error.description).not.toContain('X-Amz-Signature');
		expect(s.requests({ provider: 's3' })).toHaveLength(3);
		expect(storedFiles(executionId)).toEqual([]);
	});

	it('the expiry race: maps that expire between GET and download give a clear error; the item keeps its scores', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, ALL_OUTPUTS);
		s.clearLog();
		// The map downloads are held up long enough for one sandbox hour to pass after the GET said success.
		s.setFaults([{ match: { provider: 's3' }, fault: { type: 'latency', ms: 300 } }]);
		const running = runEyeQuant(s, { ...wait, screenshotId: id }, [{ json: {} }], { continueOnFail: true });
		while (s.requests({ provider: 's3' }).length === 0) await new Promise((resolve) => setImmediate(resolve));
		s.advanceTime(HOUR);
		const [item] = await running;
		expect(s.requests({ method: 'GET', provider: 'eyeQuant' }).at(-1)?.status).toBe(200);
		expect(s.requests({ provider: 's3', status: 403 })).toHaveLength(5);
		expect(item.json).toMatchObject({
			screenshotId: id,
			status: 'success',
			analysisId: expect.any(String),
			clarityScore: expect.any(Number),
			excitingnessScore: expect.any(Number),
			attentionMap: expect.any(String),
		});
		expect(item.json.error).toMatch(
			/^The links of 5 EyeQuant maps expired \(attentionMap, perceptionMap, hotspotsMap, clarityMap, excitingnessMap\) before they could be downloaded$/,
		);
		expect(item.json.mapErrors).toMatchObject({
			attentionMap: expect.stringMatching(/^The link expired at \S+Z: EyeQuant attentionMap \(http:\/\/127\.0\.0\.1:\d+\/s3\/eyequant-maps\/[0-9a-f]+\/attentionMap\.png\?\[redacted\]\)$/),
		});
		expect(item.binary).toEqual({});
	});

	it('the expiry race without Continue On Fail stops with the expiry message', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, {});
		s.setFaults([{ match: { provider: 's3' }, fault: { type: 'latency', ms: 300 } }]);
		s.clearLog();
		const running = expectRejection(runEyeQuant(s, { ...wait, screenshotId: id }));
		while (s.requests({ provider: 's3' }).length === 0) await new Promise((resolve) => setImmediate(resolve));
		s.advanceTime(HOUR);
		const error = await running;
		expect(error.message).toMatch(/^The link expired at \S+: EyeQuant attentionMap \(/);
		expect(error.description).toContain('Nothing was stored');
	});

	it('a design whose binary says only application/octet-stream is recognised by its bytes', async () => {
		const s = sandbox.current;
		const bytes = designPng(200, 120);
		const [item] = await runEyeQuant(s, create, [
			{ json: {}, binary: { data: { data: bytes.toString(BINARY_ENCODING), mimeType: 'application/octet-stream' } } },
		]);
		expect(item.json.screenshotId).toEqual(expect.any(String));
	});
});
