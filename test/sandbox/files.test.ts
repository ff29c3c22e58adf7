import { execFile } from 'node:child_process';

import { NOT_AN_IMAGE_TEXT, blankPng, blobBytes, designJpeg, designPng } from '../../sandbox/fixtures';
import { decodePng } from '../../sandbox/png';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, bytesOf, call, startTestSandbox, until } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startTestSandbox({ eyeQuantProcessingMs: 10 });
});
afterAll(() => sandbox.close());

describe('/files', () => {
	it('serves the fixture files with their types', async () => {
		const expectations: Array<[string, string, Buffer]> = [
			['design.png', 'image/png', designPng()],
			['design.jpg', 'image/jpeg', designJpeg()],
			['blank.png', 'image/png', blankPng(64, 64)],
			['not-an-image.txt', 'text/plain; charset=utf-8', Buffer.from(NOT_AN_IMAGE_TEXT)],
		];
		for (const [name, type, bytes] of expectations) {
			const r = await bytesOf(`${sandbox.url}/files/${name}`);
			expect(r.status).toBe(200);
			expect(r.headers.get('content-type')).toBe(type);
			expect(r.bytes.equals(bytes)).toBe(true);
		}
		const sized = await bytesOf(`${sandbox.url}/files/design.png?width=50&height=40`);
		expect([decodePng(sized.bytes).width, decodePng(sized.bytes).height]).toEqual([50, 40]);
		expect((await fetch(`${sandbox.url}/files/clip.mp4`)).headers.get('content-type')).toBe('video/mp4');
		expect((await call(`${sandbox.url}/files/missing.png`)).status).toBe(404);
		expect((await call(`${sandbox.url}/nowhere`)).status).toBe(404);
	});

	it('streams deterministic blobs of any size', async () => {
		const r = await bytesOf(`${sandbox.url}/files/blob/300000.bin?seed=4`);
		expect(r.headers.get('content-length')).toBe('300000');
		expect(r.bytes.equals(blobBytes(300_000, 4))).toBe(true);
		const head = await fetch(`${sandbox.url}/files/blob/1073741824.bin`, { method: 'HEAD' });
		expect(head.headers.get('content-length')).toBe('1073741824');
	});
});

/** Downloads argv[1] with node:http, hashing and counting, never keeping the body. */
const CLIENT = `
const http = require('node:http');
const { createHash } = require('node:crypto');
http.get(process.argv[1], (res) => {
	const hash = createHash('sha256');
	let bytes = 0;
	res.on('data', (c) => { hash.update(c); bytes += c.length; });
	res.on('end', () => process.stdout.write(JSON.stringify({ bytes, sha: hash.digest('hex'), length: res.headers['content-length'] })));
}).on('error', (e) => { console.error(e); process.exit(1); });
`;

describe('large maps', () => {
	it('streams a 64 MiB map without holding it in memory, byte-identical each time', async () => {
		const eq = { authorization: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}` };
		const created = await call<{ id: string }>(`${sandbox.baseUrls.eyeQuant}/analyses`, {
			method: 'POST',
			headers: eq,
			json: { input: { type: 'image', content: designPng(800, 600).toString('base64'), medium: 'desktopWeb' } },
		});
		const done = await until(
			() => call<{ status: string; outputs: { attention: { attentionMap: string } } }>(`${sandbox.baseUrls.eyeQuant}/analyses/${created.body.id}`, { headers: eq }),
			(r) => r.body.status === 'success',
		);
		const url = done.body.outputs.attention.attentionMap;
		const size = 64 * 1024 * 1024;
		sandbox.configure({ mapBytes: size });
		try {
			// The client runs in a child process, so this process's RSS is the sandbox's (plus jest's).
			const download = () =>
				new Promise<{ bytes: number; sha: string; length: string; peak: number }>((resolve, reject) => {
					let peak = process.memoryUsage().rss;
					const sampler = setInterval(() => {
						peak = Math.max(peak, process.memoryUsage().rss);
					}, 10);
					const child = execFile(process.execPath, ['-e', CLIENT, url], (error, stdout) => {
						clearInterval(sampler);
						if (error) return reject(error);
						resolve({ ...(JSON.parse(stdout) as { bytes: number; sha: string; length: string }), peak });
					});
					child.stdin?.end();
				});
			await download(); // warm up (the first run computes and caches the padding CRC)
			const baseline = process.memoryUsage().rss;
			const first = await download();
			const second = await download();
			expect(first.length).toBe(String(size));
			expect(first.bytes).toBe(size);
			expect(second.sha).toBe(first.sha);
			expect(Math.max(first.peak, second.peak) - baseline).toBeLessThan(32 * 1024 * 1024);
		} finally {
			sandbox.configure({ mapBytes: undefined });
		}
	});
});
