import type { INodeExecutionData } from 'n8n-workflow';

import { garbageBytes } from '../../../sandbox/fixtures.ts';
import { useSandbox } from '../../helpers/sandbox';
import { ANALYZE, KEYS, UPLOAD, binaryItems, failure, pngFiles, runForge, runForgeWithLogs, uploaded } from './helpers';
import type { LogLine } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2 });
const forge = () => sandbox.current;
const analyzeCalls = () => forge().requests({ method: 'POST' }).filter((entry) => entry.path.endsWith('/analyze'));
const BALANCE = { resource: 'credits', operation: 'balance' };

beforeEach(() => {
	forge().clearLog();
	forge().clearFaults();
	forge().configure({ imageForgeMsPerImage: 2, imageForgeCredits: 1000 });
});

/** Everything an error shows a user, to look for secrets in. */
const shown = (error: Error & { description?: string }) => `${error.message}\n${error.description ?? ''}\n${JSON.stringify(error)}`;

const idsOf = (items: INodeExecutionData[]) => items.map((item) => String(item.json.imageId));

describe('Image Forge bad input', () => {
	it('wrong key: 401 says to check the key, and the key appears nowhere', async () => {
		const wrongKey = 'sk-wrong-key-0123456789';
		const error = await failure(runForge(BALANCE, { sandbox: forge(), apiKey: wrongKey }));
		expect(error.message).toBe('Image Forge error 401: Invalid API key');
		expect(error.description).toContain('Check the API key in the Image Forge credential');
		expect(shown(error)).not.toContain(wrongKey);

		const upload = await failure(runForge(UPLOAD, { sandbox: forge(), apiKey: wrongKey, input: await binaryItems(pngFiles(1)) }));
		expect(upload.message).toBe('Image Forge error 401: Invalid API key');
		expect(shown(upload)).not.toContain(wrongKey);

		// A server that echoes the request (and so the key) back in an HTML error page: still nowhere.
		forge().setFaults([{ match: { provider: 'imageForge' }, fault: { type: 'echo', format: 'html', status: 502 } }]);
		const echoed = await failure(runForge(BALANCE, { sandbox: forge(), apiKey: wrongKey }));
		expect(echoed.message).toMatch(/^Image Forge error 502: <html>/);
		expect(`${shown(echoed)}\n${echoed.stack ?? ''}`).not.toContain(wrongKey);
	});

	it('inactive key: 403 says to activate it', async () => {
		const error = await failure(runForge(BALANCE, { sandbox: forge(), apiKey: KEYS.inactiveKey }));
		expect(error.message).toBe('Image Forge error 403: API key is inactive');
		expect(error.description).toContain('Activate it');
		expect(shown(error)).not.toContain(KEYS.inactiveKey);
	});

	it('unknown session id: 404 says sessions expire and to upload again', async () => {
		const input = [{ json: { sessionId: 'no-such-session', imageId: 'img_00000000', uploadPath: 'uploads/x.png', originalFilename: 'x.png' } }];
		const error = await failure(runForge(ANALYZE, { sandbox: forge(), input }));
		expect(error.message).toBe('Image Forge error 404: Session not found');
		expect(error.description).toContain('Sessions expire after 24 hours');
		expect(error.description).toContain('Session → Upload');

		const [item] = await runForge(ANALYZE, { sandbox: forge(), input, continueOnFail: true });
		expect(item.json).toEqual({ error: 'Image Forge error 404: Session not found', errorDescription: expect.stringContaining('upload the images again') });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('malformed provider body: not JSON, or a documented field missing, is a clear error naming the field', async () => {
		const input = await binaryItems(pngFiles(2));
		forge().setFaults([{ match: { path: '/imageforge/v1/sessions/upload' }, times: 1, fault: { type: 'malformedJson' } }]);
		const notJson = await failure(runForge(UPLOAD, { sandbox: forge(), input }));
		expect(notJson.message).toBe('Image Forge returned a body that is not valid JSON');

		forge().setFaults([{ match: { path: '/imageforge/v1/sessions/upload' }, times: 1, fault: { type: 'dropField', field: 'images.1.uploadPath' } }]);
		const missingField = await failure(runForge(UPLOAD, { sandbox: forge(), input }));
		expect(missingField.message).toMatch(/^Image Forge returned an answer this node does not understand: `images\.1\.uploadPath`/);

		forge().setFaults([{ match: { path: '/imageforge/v1/credits/balance' }, times: 1, fault: { type: 'dropField', field: 'balance' } }]);
		const balance = await failure(runForge(BALANCE, { sandbox: forge() }));
		expect(balance.message).toMatch(/`balance`/);
	});

	it('429 then success: the stream request is repeated after Retry-After and every image gets its result', async () => {
		const images = await uploaded(forge(), pngFiles(3));
		forge().clearLog();
		forge().setFaults([{ match: { path: '/imageforge/v1/sessions/' }, times: 1, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const output = await runForge(ANALYZE, { sandbox: forge(), input: images });
		expect(analyzeCalls().map((entry) => entry.status)).toEqual([429, 200]);
		expect(idsOf(output)).toEqual(idsOf(images));
		expect(output.every((item) => typeof item.json.title === 'string')).toBe(true);
	});

	it('5xx exhaustion: a GET gives up after 5 tries and says so; a POST that may have taken credits is not repeated', async () => {
		forge().setFaults([{ match: { provider: 'imageForge' }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		const error = await failure(runForge(BALANCE, { sandbox: forge() }));
		expect(error.message).toBe('Image Forge error 503: Server error (sandbox fault)');
		expect(error.description).toContain('Gave up after 5 tries');
		expect(forge().requests({ pathPrefix: '/imageforge/v1/credits/balance' })).toHaveLength(5);

		forge().clearFaults();
		const images = await uploaded(forge(), pngFiles(2));
		forge().clearLog();
		forge().setFaults([{ match: { provider: 'imageForge' }, fault: { type: 'status', status: 502 } }]);
		const analyze = await failure(runForge(ANALYZE, { sandbox: forge(), input: images }));
		expect(analyze.message).toBe('Image Forge error 502: Server error (sandbox fault)');
		expect(analyzeCalls()).toHaveLength(1);
	});

	it('cancel mid-stream: the SSE read is aborted at once, not after the stream', async () => {
		const images = await uploaded(forge(), pngFiles(20));
		// 20 images at 1 s each: without a working cancel this test would run into its timeout.
		forge().configure({ imageForgeMsPerImage: 1000 });
		const controller = new AbortController();
		const logs: LogLine[] = [];
		const run = runForgeWithLogs(ANALYZE, { sandbox: forge(), input: images, abortSignal: controller.signal }, logs);
		const outcome = run.then(
			() => undefined,
			(error: Error) => error,
		);
		while (!logs.some((line) => line.meta?.event === 'result')) await new Promise((resolve) => setTimeout(resolve, 10));
		controller.abort();
		const error = await outcome;
		expect(error?.message).toBe('The Image Forge analyze stream was cancelled');
		expect(logs.filter((line) => line.meta?.event === 'result').length).toBeLessThan(20);
		expect(logs.some((line) => line.meta?.event === 'complete')).toBe(false);
	}, 15_000);

	it('402 insufficient credits: the message keeps the balance and the credits needed, and says what to do', async () => {
		const images = await uploaded(forge(), pngFiles(10), KEYS.brokeKey);
		forge().clearLog();
		const error = await failure(runForge(ANALYZE, { sandbox: forge(), input: images, apiKey: KEYS.brokeKey }));
		expect(error.message).toBe('Image Forge error 402: Insufficient credits. You have 0 but need 10.');
		expect(error.description).toContain('Top up credits');
		expect(error.description).toContain('Credits → Check');
		expect(shown(error)).not.toContain(KEYS.brokeKey);
		expect(analyzeCalls()).toHaveLength(1);
	});

	it('SSE drop mid-stream: exactly the images without a result get an item each, naming all of them', async () => {
		const images = await uploaded(forge(), pngFiles(10));
		const drop = () => forge().setFaults([{ match: { path: '/imageforge/v1/sessions/' }, times: 1, fault: { type: 'sseDrop', afterEvents: 9 } }]);
		drop();
		const output = await runForge(ANALYZE, { sandbox: forge(), input: images, continueOnFail: true });

		expect(output).toHaveLength(10);
		expect(output.map((item) => item.pairedItem)).toEqual(images.map((_, item) => ({ item })));
		const answered = output.slice(0, 4);
		expect(answered.every((item) => typeof item.json.title === 'string')).toBe(true);
		expect(idsOf(answered)).toEqual(idsOf(images.slice(0, 4)));
		const lost = images.slice(4);
		const lostList = lost.map((item) => `${String(item.json.originalFilename)} (${String(item.json.imageId)})`).join(', ');
		for (const [offset, item] of output.slice(4).entries()) {
			const image = lost[offset].json;
			expect(item.json.error).toBe(
				`No metadata result for "${String(image.originalFilename)}" (image ${String(image.imageId)}): the stream ended before Image Forge sent "complete". 6 of 10 images got no metadata result: ${lostList}`,
			);
			expect(item.json.errorDescription).toContain(`Images without a result in session ${String(image.sessionId)}: ${lostList}.`);
		}

		drop();
		const error = await failure(runForge(ANALYZE, { sandbox: forge(), input: images }));
		expect(error.message).toContain(`6 of 10 images got no metadata result: ${lostList}`);
	});

	it('one broken image among ten: nine results and one error item (or a failure naming that image)', async () => {
		const files = pngFiles(10);
		files[6] = [{ name: 'broken.png', bytes: garbageBytes(400) }];
		const images = await uploaded(forge(), files);
		forge().clearLog();
		const output = await runForge(ANALYZE, { sandbox: forge(), input: images, continueOnFail: true });

		expect(analyzeCalls()).toHaveLength(1);
		expect(output).toHaveLength(10);
		expect(output.filter((item) => typeof item.json.title === 'string')).toHaveLength(9);
		const broken = images[6].json;
		const message = `Image Forge could not analyze "broken.png" (image ${String(broken.imageId)}): Could not decode broken.png: not a PNG or JPEG image`;
		expect(output[6].json).toEqual({ error: message, errorDescription: expect.stringContaining('1 of 10 images failed') });
		expect(output[6].pairedItem).toEqual({ item: 6 });

		const error = await failure(runForge(ANALYZE, { sandbox: forge(), input: images }));
		expect(error.message).toBe(message);
	});
});
