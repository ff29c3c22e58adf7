import { get } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';

import { designJpeg, designPng } from '../../sandbox/fixtures';
import { startBrokenProxy } from '../../sandbox/proxy';
import type { Sandbox } from '../../sandbox/server';
import { startTestSandbox } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startTestSandbox();
});
afterAll(() => sandbox.close());

const withFault = (path: string, fault: unknown) => `${sandbox.url}${path}${path.includes('?') ? '&' : '?'}__fault=${encodeURIComponent(JSON.stringify(fault))}`;

/** The raw answer (no decoding, no redirects), with the time each body chunk arrived. */
function raw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; chunkTimes: number[] }> {
	return new Promise((resolve, reject) => {
		get(url, { headers }, (res) => {
			const chunks: Buffer[] = [];
			const chunkTimes: number[] = [];
			res.on('data', (chunk: Buffer) => {
				chunks.push(chunk);
				chunkTimes.push(Date.now());
			});
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunkTimes }));
			res.on('error', reject);
		}).on('error', reject);
	});
}

describe('delivery faults', () => {
	it('redirect: a 3xx with Location, the request not processed', async () => {
		const answer = await raw(withFault('/files/short/abc', { type: 'redirect', status: 307, location: '/files/design.png' }));
		expect(answer.status).toBe(307);
		expect(answer.headers.location).toBe('/files/design.png');
	});

	it.each([
		['gzip', gunzipSync],
		['deflate', inflateSync],
		['br', brotliDecompressSync],
		['zstd', zstdDecompressSync],
	] as const)('encoding %s: the body in that coding, for small files and streamed ones', async (coding, decode) => {
		const small = await raw(withFault('/files/design.png', { type: 'encoding', coding }));
		expect(small.headers['content-encoding']).toBe(coding);
		expect(decode(small.body).equals(designPng(320, 200))).toBe(true);
		const streamed = await raw(withFault('/files/zeros/1000000.bin', { type: 'encoding', coding }));
		expect(streamed.body.length).toBeLessThan(20_000);
		expect(decode(streamed.body).equals(Buffer.alloc(1_000_000))).toBe(true);
	});

	it('contentType: the real answer under another Content-Type', async () => {
		const answer = await raw(withFault('/files/design.jpg', { type: 'contentType', value: 'image/jpg' }));
		expect(answer.headers['content-type']).toBe('image/jpg');
		expect(answer.body.equals(designJpeg())).toBe(true);
	});

	it('expired: GCS 400 ExpiredToken and S3 403 "Request has expired"', async () => {
		const gcs = await raw(withFault('/gcs/x/map.png', { type: 'expired', style: 'gcs' }));
		expect(gcs.status).toBe(400);
		expect(gcs.body.toString()).toContain('<Code>ExpiredToken</Code>');
		const s3 = await raw(withFault('/s3/x/map.png', { type: 'expired', style: 's3' }));
		expect(s3.status).toBe(403);
		expect(s3.body.toString()).toContain('<Message>Request has expired</Message>');
	});

	it('trickle: N bytes every M ms', async () => {
		const answer = await raw(withFault('/files/not-an-image.txt', { type: 'trickle', bytes: 4, everyMs: 50 }));
		expect(answer.chunkTimes.length).toBeGreaterThanOrEqual(Math.floor(answer.body.length / 4) - 1);
		expect(answer.chunkTimes[answer.chunkTimes.length - 1] - answer.chunkTimes[0]).toBeGreaterThanOrEqual(50 * (answer.chunkTimes.length - 2));
	});

	it('/files negotiates: an Accept that admits neither the type nor */* gets 406', async () => {
		expect((await raw(`${sandbox.url}/files/design.png`, { accept: 'application/json' })).status).toBe(406);
		expect((await raw(`${sandbox.url}/files/design.png`, { accept: 'image/*' })).status).toBe(200);
		expect((await raw(`${sandbox.url}/files/design.png`, { accept: 'application/json, */*;q=0.1' })).status).toBe(200);
	});

	it('rejects malformed delivery faults', async () => {
		expect((await raw(withFault('/files/design.png', { type: 'redirect' }))).status).toBe(400);
		expect((await raw(withFault('/files/design.png', { type: 'encoding', coding: 'lzma' }))).status).toBe(400);
		expect((await raw(withFault('/files/design.png', { type: 'trickle' }))).status).toBe(400);
	});
});

describe('the broken proxy', () => {
	async function connectThrough(url: string): Promise<string> {
		const { port } = new URL(url);
		return await new Promise((resolve) => {
			const socket = connect(Number(port), '127.0.0.1', () => socket.write('CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n'));
			let seen = '';
			socket.on('data', (chunk) => (seen += chunk.toString()));
			socket.on('close', () => resolve(`closed:${seen}`));
			socket.setTimeout(300, () => {
				socket.destroy();
				resolve(`silent:${seen}`);
			});
		});
	}

	it('drop closes a CONNECT without an answer; silent never answers; both count', async () => {
		const drop = await startBrokenProxy('drop');
		const silent = await startBrokenProxy('silent');
		try {
			expect(await connectThrough(drop.url)).toBe('closed:');
			expect(await connectThrough(silent.url)).toBe('silent:');
			expect([drop.connects(), silent.connects()]).toEqual([1, 1]);
		} finally {
			await drop.close();
			await silent.close();
		}
	});
});
