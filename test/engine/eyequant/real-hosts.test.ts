/*
 * EyeQuant against what real hosts and networks do (issue 13): an image URL behind a redirect and
 * a content coding, maps served compressed, a POST whose connection drops, a proxy that drops or
 * ignores CONNECT. The sandbox (and its broken proxy) produce each condition.
 */
import type { IDataObject } from 'n8n-workflow';

import { startBrokenProxy } from '../../../sandbox/proxy';
import { SANDBOX_KEYS } from '../../../sandbox/server';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { createAnalyses, expectRejection, runEyeQuant, served } from './helpers';

const sandbox = useSandbox({ hourMs: 60_000, eyeQuantProcessingMs: 20 });
const create = { resource: 'analysis', operation: 'create', predictions: ['clarity'], clarityOutputs: ['score'] };

function faulted(base: string, path: string, fault: IDataObject): string {
	return `${base}${path}?__fault=${encodeURIComponent(JSON.stringify(fault))}`;
}

beforeEach(() => {
	sandbox.current.clearFaults();
	sandbox.current.clearLog();
});

describe('EyeQuant Create from an image URL', () => {
	it('follows a redirect to a gzip-encoded JPEG and submits the decoded image', async () => {
		const s = sandbox.current;
		const target = faulted(s.url, '/files/design.jpg', { type: 'encoding', coding: 'gzip' });
		const short = faulted(s.url, '/files/short/img', { type: 'redirect', status: 301, location: target });
		const [item] = await runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: short });
		expect(item.json.screenshotId).toEqual(expect.any(String));
		expect(s.requests({ provider: 'files' }).map((entry) => [entry.path, entry.status])).toEqual([
			['/files/short/img', 301],
			['/files/design.jpg', 200],
		]);
		// The sandbox refuses anything but a structurally valid JPEG/PNG, so the analysis exists only if the bytes were decoded.
		expect(s.requests({ provider: 'eyeQuant', method: 'POST' }).map((entry) => entry.status)).toEqual([201]);
	});
});

describe('EyeQuant Create: Image Download Timeout bounds the whole image (example 6)', () => {
	it('an image sent 1 byte every 400 ms fails after about 1 s with a readable error; nothing reaches EyeQuant', async () => {
		const s = sandbox.current;
		const url = faulted(s.url, '/files/design.png', { type: 'trickle', bytes: 1, everyMs: 400 });
		const started = Date.now();
		const [item] = await runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: url, options: { imageTimeout: 1 } }, [{ json: {} }], { continueOnFail: true });
		expect(Date.now() - started).toBeLessThan(2500);
		expect(item.json.error).toMatch(/^The image http:\/\/127\.0\.0\.1:\d+\/files\/design\.png\?\[redacted\] did not arrive within 1 s$/);
		expect(s.requests({ provider: 'eyeQuant' })).toHaveLength(0);
	});
});

describe('EyeQuant Create: Max Image Size counts decoded bytes', () => {
	it('2 MB of zeros sent gzip-encoded (a few KB on the wire) is refused at 1 MB; nothing reaches EyeQuant', async () => {
		const s = sandbox.current;
		const url = faulted(s.url, '/files/zeros/2000000.bin', { type: 'encoding', coding: 'gzip' });
		const [item] = await runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: url, options: { maxImageMb: 1 } }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toMatch(/^The image http:\/\/127\.0\.0\.1:\d+\/files\/zeros\/2000000\.bin\?\[redacted\] is larger than 1 MB$/);
		expect(s.requests({ provider: 'eyeQuant' })).toHaveLength(0);
	});
});

describe('EyeQuant Download Outputs', () => {
	it('maps served with Content-Encoding: br are stored decoded, byte-identical to the plain files', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s);
		s.advanceTime(1000);
		s.setFaults([{ match: { path: '/s3/' }, fault: { type: 'encoding', coding: 'br' } }]);
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id, options: { downloadOutputs: true } });
		expect(s.requests({ provider: 's3' }).every((entry) => entry.fault === 'encoding')).toBe(true);
		s.clearFaults();
		expect(item.binary?.clarityMap).toMatchObject({ mimeType: 'image/png', fileExtension: 'png' });
		expect((await binaryBytes(item, 'clarityMap')).equals(await served(item.json.clarityMap as string))).toBe(true);
	});
});

describe('a POST whose connection drops (example 11)', () => {
	it('says the connection dropped after sending and that the analysis may exist, not "check the base URL"; sent once', async () => {
		const s = sandbox.current;
		s.setFaults([{ match: { method: 'POST', path: '/eyequant/v2/analyses' }, times: 1, fault: { type: 'reset' } }]);
		const [item] = await runEyeQuant(s, { ...create, imageSource: 'url', imageUrl: `${s.url}/files/design.png` }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toMatch(/^The connection to EyeQuant dropped after the request was sent \((ECONNRESET|UND_ERR_SOCKET)\)$/);
		expect(String(item.json.errorDescription)).toContain('EyeQuant may have received the request before the connection dropped, so the job it starts may exist already');
		expect(String(item.json.errorDescription)).not.toContain('base URL');
		expect(s.requests({ provider: 'eyeQuant', method: 'POST' })).toHaveLength(1);
	});
});

describe('HTTPS_PROXY (example 10)', () => {
	const saved = { https: process.env.HTTPS_PROXY, no: process.env.NO_PROXY };
	afterEach(() => {
		if (saved.https === undefined) delete process.env.HTTPS_PROXY;
		else process.env.HTTPS_PROXY = saved.https;
		if (saved.no === undefined) delete process.env.NO_PROXY;
		else process.env.NO_PROXY = saved.no;
	});
	const viaProxy = { eyeQuantApi: { apiKey: SANDBOX_KEYS.eyeQuant.apiKey, baseUrl: 'https://eyequant.invalid/v2' } };

	it('a proxy that drops CONNECT fails the item at once with a proxy hint, a handful of connections at most', async () => {
		const proxy = await startBrokenProxy('drop');
		try {
			process.env.HTTPS_PROXY = proxy.url;
			process.env.NO_PROXY = '';
			const started = Date.now();
			const error = await expectRejection(runEyeQuant(sandbox.current, { resource: 'analysis', operation: 'get', screenshotId: 'a'.repeat(24) }, [{ json: {} }], { credentials: viaProxy }));
			expect(Date.now() - started).toBeLessThan(3000);
			expect(error.message).toBe('EyeQuant could not be reached (UND_ERR_PRX_CONN): the proxy closed the connection instead of opening a tunnel');
			expect(error.description).toContain('list the host in NO_PROXY');
			expect(proxy.connects()).toBeLessThanOrEqual(5);
		} finally {
			await proxy.close();
		}
	});

	it('a proxy that never answers CONNECT: stopping the execution ends the request at once', async () => {
		const proxy = await startBrokenProxy('silent');
		try {
			process.env.HTTPS_PROXY = proxy.url;
			process.env.NO_PROXY = '';
			const controller = new AbortController();
			const started = Date.now();
			const pending = expectRejection(
				runEyeQuant(sandbox.current, { resource: 'analysis', operation: 'get', screenshotId: 'b'.repeat(24) }, [{ json: {} }], {
					credentials: viaProxy,
					abortSignal: controller.signal,
				}),
			);
			await new Promise((resolve) => setTimeout(resolve, 300));
			controller.abort();
			const error = await pending;
			expect(Date.now() - started).toBeLessThan(2000);
			expect(error.message).toBe('The request to EyeQuant was cancelled');
		} finally {
			await proxy.close();
		}
	});
});
