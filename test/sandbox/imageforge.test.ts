import { designJpeg, designPng, garbageBytes } from '../../sandbox/fixtures';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, call, parseSse, startTestSandbox } from './helpers';

const HOUR = 60_000;
let sandbox: Sandbox;
let api: string;
const KEY: string = SANDBOX_KEYS.imageForge.apiKey;
const headers = (key: string = KEY) => ({ 'x-api-key': key });

beforeAll(async () => {
	sandbox = await startTestSandbox({ hourMs: HOUR, imageForgeCredits: 50 });
	api = sandbox.baseUrls.imageForge;
});
afterAll(() => sandbox.close());

type Uploaded = { sessionId: string; images: Array<{ id: string; originalFilename: string; size: number; width: number; height: number; uploadPath: string }> };

async function upload(files: Array<[string, Buffer, string]>, key: string = KEY) {
	const form = new FormData();
	for (const [name, bytes, type] of files) form.append('images[]', new Blob([bytes], { type }), name);
	return call<Uploaded & { error?: string }>(`${api}/v1/sessions/upload`, { method: 'POST', headers: headers(key), body: form });
}

async function session(): Promise<Uploaded> {
	const r = await upload([
		['red-sneakers.png', designPng(300, 200), 'image/png'],
		['team-photo.jpg', designJpeg(), 'image/jpeg'],
		['corrupt.png', garbageBytes(500), 'image/png'],
	]);
	expect(r.status).toBe(200);
	return r.body;
}

const refs = (s: Uploaded, which = s.images) => which.map(({ id, uploadPath, originalFilename }) => ({ id, uploadPath, originalFilename }));

describe('Image Forge auth and credits', () => {
	it('answers 401 for a missing or unknown key and 403 for an inactive key', async () => {
		for (const h of [{}, headers('sk-nope')]) {
			const r = await call(`${api}/v1/credits/balance`, { headers: h });
			expect(r.status).toBe(401);
			expect(r.body).toEqual({ error: 'Invalid API key' });
		}
		const inactive = await call(`${api}/v1/credits/balance`, { headers: headers(SANDBOX_KEYS.imageForge.inactiveKey) });
		expect(inactive.status).toBe(403);
		expect(inactive.body).toEqual({ error: 'API key is inactive' });
	});

	it('reports the balance and checks costs (402 when insufficient, deduct takes credits)', async () => {
		sandbox.configure({ imageForgeCredits: 50 });
		const balance = await call(`${api}/v1/credits/balance`, { headers: headers() });
		expect(balance.body).toEqual({ balance: 50, planName: expect.any(String), userId: expect.any(String) });
		const check = (body: unknown, key: string = KEY) => call(`${api}/v1/credits/check`, { method: 'POST', headers: headers(key), json: body });
		expect((await check({ action: 'analyze', imageCount: 10 })).body).toEqual({ sufficient: true, balance: 50, cost: 10 });
		expect((await check({ action: 'sample', imageCount: 5 })).body).toEqual({ sufficient: true, balance: 50, cost: 0 });
		const deducted = await check({ action: 'export', imageCount: 3, deduct: true });
		expect(deducted.body).toEqual({ sufficient: true, balance: 50, cost: 3, remaining: 47 });
		const short = await check({ action: 'analyze', imageCount: 48 });
		expect(short.status).toBe(402);
		expect(short.body).toMatchObject({ error: 'Insufficient credits. You have 47 but need 48.', sufficient: false });
		const broke = await check({ action: 'analyze', imageCount: 5 }, SANDBOX_KEYS.imageForge.brokeKey);
		expect(broke.status).toBe(402);
		expect(broke.body).toMatchObject({ error: 'Insufficient credits. You have 0 but need 5.' });
		expect((await check({ action: 'resize', imageCount: 1 })).status).toBe(400);
		sandbox.configure({ imageForgeCredits: 50 });
	});
});

describe('Image Forge sessions', () => {
	it('uploads multipart images[] and reports size and dimensions (0 for undecodable files)', async () => {
		const s = await session();
		expect(s.sessionId).toEqual(expect.any(String));
		expect(s.images).toEqual([
			{ id: expect.any(String), originalFilename: 'red-sneakers.png', size: designPng(300, 200).length, width: 300, height: 200, uploadPath: expect.any(String) },
			{ id: expect.any(String), originalFilename: 'team-photo.jpg', size: designJpeg().length, width: 96, height: 64, uploadPath: expect.any(String) },
			{ id: expect.any(String), originalFilename: 'corrupt.png', size: 500, width: 0, height: 0, uploadPath: expect.any(String) },
		]);
		const none = await call(`${api}/v1/sessions/upload`, { method: 'POST', headers: headers(), body: new FormData() });
		expect(none.status).toBe(400);
	});

	it('analyze streams progress, result (multi-line data), error and complete, and takes one credit per image', async () => {
		sandbox.configure({ imageForgeCredits: 50 });
		const s = await session();
		const response = await fetch(`${api}/v1/sessions/${s.sessionId}/analyze`, {
			method: 'POST',
			headers: { ...headers(), 'content-type': 'application/json' },
			body: JSON.stringify({ sessionId: s.sessionId, images: refs(s) }),
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		const text = await response.text();
		expect(text).toMatch(/^retry: \d+$/m);
		expect(text).toContain(': keep-alive');
		expect(text).toMatch(/event: result\ndata: \{\ndata: {3}"imageId"/);
		const { events, retry, comments } = parseSse(text);
		expect(retry).toBe(3000);
		expect(comments).toContain('keep-alive');
		expect(events.map((e) => e.event)).toEqual(['progress', 'result', 'progress', 'result', 'progress', 'error', 'complete']);
		const data = events.map((e) => JSON.parse(e.data) as Record<string, unknown>);
		expect(data[0]).toEqual({ imageId: s.images[0].id, status: 'processing', current: 1, total: 3 });
		expect(data[1]).toEqual({
			imageId: s.images[0].id,
			metadata: { title: expect.any(String), alt: expect.any(String), caption: expect.any(String), description: expect.any(String), filename: expect.any(String), seoTags: expect.any(Array) },
		});
		expect((data[1].metadata as { filename: string }).filename).not.toMatch(/\./);
		expect(data[5]).toEqual({ imageId: s.images[2].id, error: expect.any(String) });
		expect(data[6]).toMatchObject({ status: 'completed', processed: 2, total: 3 });
		expect(events.every((e) => e.id !== undefined)).toBe(true);
		expect(sandbox.imageForgeBalance(KEY)).toBe(47);
	});

	it('flushes each event as it happens', async () => {
		sandbox.configure({ imageForgeMsPerImage: 120 });
		try {
			const s = await session();
			const started = Date.now();
			const response = await fetch(`${api}/v1/sessions/${s.sessionId}/analyze`, {
				method: 'POST',
				headers: { ...headers(), 'content-type': 'application/json' },
				body: JSON.stringify({ images: refs(s) }),
			});
			const reader = (response.body as ReadableStream<Uint8Array>).getReader();
			const arrivals: number[] = [];
			let text = '';
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				text += Buffer.from(value).toString('utf8');
				if (text.includes('event: progress') && arrivals.length === 0) arrivals.push(Date.now() - started);
			}
			const total = Date.now() - started;
			expect(arrivals[0]).toBeLessThan(total - 200);
		} finally {
			sandbox.configure({ imageForgeMsPerImage: 2 });
		}
	});

	it('refuses analyze with 402 before streaming when credits are short, and 404 for an unknown session', async () => {
		const s = await upload([['a.png', designPng(20, 20), 'image/png']], SANDBOX_KEYS.imageForge.brokeKey);
		const broke = await call(`${api}/v1/sessions/${s.body.sessionId}/analyze`, {
			method: 'POST',
			headers: headers(SANDBOX_KEYS.imageForge.brokeKey),
			json: { sessionId: s.body.sessionId, images: refs(s.body) },
		});
		expect(broke.status).toBe(402);
		expect(broke.body).toEqual({ error: 'Insufficient credits. You have 0 but need 1.' });
		const missing = await call(`${api}/v1/sessions/nope/analyze`, { method: 'POST', headers: headers(), json: { images: [] } });
		expect(missing.status).toBe(404);
		expect(missing.body).toEqual({ error: 'Session not found' });
		// Sessions belong to their key.
		const other = await call(`${api}/v1/sessions/${s.body.sessionId}/analyze`, { method: 'POST', headers: headers(), json: { images: refs(s.body) } });
		expect(other.status).toBe(404);
	});

	it('analyze-single answers JSON metadata; 422 for an undecodable image', async () => {
		const s = await session();
		const ok = await call(`${api}/v1/sessions/${s.sessionId}/analyze-single`, { method: 'POST', headers: headers(), json: { sessionId: s.sessionId, image: refs(s)[0] } });
		expect(ok.status).toBe(200);
		expect(ok.body).toEqual({ imageId: s.images[0].id, metadata: expect.objectContaining({ title: expect.any(String), seoTags: expect.any(Array) }) });
		const bad = await call(`${api}/v1/sessions/${s.sessionId}/analyze-single`, { method: 'POST', headers: headers(), json: { image: refs(s)[2] } });
		expect(bad.status).toBe(422);
		expect((await call(`${api}/v1/sessions/${s.sessionId}/analyze-single`, { method: 'POST', headers: headers(), json: { image: { id: 'x' } } })).status).toBe(404);
	});

	it('export streams progress and complete with variants named after metadata.filename', async () => {
		sandbox.configure({ imageForgeCredits: 50 });
		const s = await session();
		const [first, second] = refs(s);
		const response = await fetch(`${api}/v1/sessions/${s.sessionId}/export`, {
			method: 'POST',
			headers: { ...headers(), 'content-type': 'application/json' },
			body: JSON.stringify({
				sessionId: s.sessionId,
				images: [{ ...first, metadata: { filename: 'running-shoes' } }, second],
				settings: { format: 'webp', preset: 'high', responsive: true, responsiveSizes: [100, 200, 1000] },
			}),
		});
		const { events } = parseSse(await response.text());
		expect(events[events.length - 1].event).toBe('complete');
		expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(2);
		const progress = JSON.parse(events[0].data) as Record<string, unknown>;
		expect(progress).toEqual({ imageId: first.id, status: 'processing', step: expect.any(String), current: 1, total: 2 });
		const complete = JSON.parse(events[events.length - 1].data) as { results: Array<{ imageId: string; variants: Array<{ name: string; path: string; size: number; width: number; height: number }> }> };
		expect(complete.results[0].variants.map((v) => v.path.split('/').pop())).toEqual(['running-shoes.webp', 'running-shoes-100w.webp', 'running-shoes-200w.webp']);
		expect(complete.results[0].variants[1]).toEqual({ name: '100w', path: expect.any(String), size: expect.any(Number), width: 100, height: 67 });
		expect(sandbox.imageForgeBalance(KEY)).toBe(48);
		const badFormat = await call(`${api}/v1/sessions/${s.sessionId}/export`, { method: 'POST', headers: headers(), json: { images: [first], settings: { format: 'bmp', preset: 'high' } } });
		expect(badFormat.status).toBe(400);
	});

	it('sample is free, and refuses more than 5 images with 400 before streaming', async () => {
		sandbox.configure({ imageForgeCredits: 50 });
		const s = await session();
		const six = Array.from({ length: 6 }, () => refs(s)[0]);
		const refused = await call(`${api}/v1/sessions/${s.sessionId}/sample`, { method: 'POST', headers: headers(), json: { images: six, settings: { format: 'avif', preset: 'low' } } });
		expect(refused.status).toBe(400);
		const response = await fetch(`${api}/v1/sessions/${s.sessionId}/sample`, {
			method: 'POST',
			headers: { ...headers(), 'content-type': 'application/json' },
			body: JSON.stringify({ images: refs(s), settings: { format: 'original', preset: 'medium', responsive: false } }),
		});
		const { events } = parseSse(await response.text());
		expect(events.map((e) => e.event)).toContain('error');
		expect(events[events.length - 1].event).toBe('complete');
		expect(sandbox.imageForgeBalance(KEY)).toBe(50);
	});

	it('forgets a session after 24 idle sandbox hours', async () => {
		const s = await session();
		sandbox.advanceTime(24 * HOUR);
		const r = await call(`${api}/v1/sessions/${s.sessionId}/analyze-single`, { method: 'POST', headers: headers(), json: { image: refs(s)[0] } });
		expect(r.status).toBe(404);
		expect(r.body).toEqual({ error: 'Session not found' });
	});
});
