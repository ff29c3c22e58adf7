import { createHash } from 'node:crypto';

import { blankPng, designJpeg, designPng, garbageBytes } from '../../sandbox/fixtures';
import { decodePng, readChunks } from '../../sandbox/png';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, bytesOf, call, startTestSandbox, until } from './helpers';

const HOUR = 60_000;
let sandbox: Sandbox;
let api: string;
const auth = { authorization: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}` };

beforeAll(async () => {
	sandbox = await startTestSandbox({ hourMs: HOUR });
	api = sandbox.baseUrls.eyeQuant;
});
afterAll(() => sandbox.close());

type Analysis = {
	id: string;
	_internal_exposed_id?: string;
	status: string;
	outputs?: Record<string, Record<string, unknown>>;
	error?: { code: string; message: string };
};

function create(body: unknown, headers: Record<string, string> = auth) {
	return call<{ id?: string; error?: { code: string; message: string } }>(`${api}/analyses`, { method: 'POST', headers, json: body });
}

function imageInput(bytes: Buffer, extra: Record<string, unknown> = {}) {
	return { type: 'image', content: bytes.toString('base64'), medium: 'desktopWeb', ...extra };
}

async function finished(id: string): Promise<Analysis> {
	const result = await until(
		() => call<Analysis>(`${api}/analyses/${id}`, { headers: auth }),
		(r) => r.body.status !== 'pending',
	);
	expect(result.status).toBe(200);
	return result.body;
}

async function successfulAnalysis(predictions?: unknown, title?: string, image = designPng()): Promise<Analysis> {
	const created = await create({ input: imageInput(image, title ? { title } : {}), ...(predictions ? { predictions } : {}) });
	expect(created.status).toBe(201);
	return finished(created.body.id as string);
}

describe('EyeQuant auth', () => {
	it('answers 401 authentication_failed without or with a wrong Bearer key', async () => {
		for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: SANDBOX_KEYS.eyeQuant.apiKey }]) {
			const r = await call(`${api}/analyses/whatever`, { headers });
			expect(r.status).toBe(401);
			expect(r.body).toEqual({ error: { code: 'authentication_failed', message: expect.any(String) } });
		}
	});

	it('answers 404 client_error for an unknown analysis with a valid key (the credential test)', async () => {
		const r = await call(`${api}/analyses/n8n-credential-test`, { headers: auth });
		expect(r.status).toBe(404);
		expect(r.body).toEqual({ error: { code: 'client_error', message: expect.any(String) } });
	});
});

describe('EyeQuant create validation', () => {
	const cases: Array<[string, unknown, number, string]> = [
		['garbage bytes', { input: imageInput(garbageBytes()) }, 400, 'unreadable_input_image'],
		['not base64', { input: { type: 'image', content: '%%%not base64%%%', medium: 'desktopWeb' } }, 400, 'unreadable_input_image'],
		['no content', { input: { type: 'image', medium: 'desktopWeb' } }, 400, 'unreadable_input_image'],
		['a blank image', { input: imageInput(blankPng(50, 40)) }, 400, 'blank_input_image'],
		['an unknown prediction', { input: imageInput(designPng()), predictions: { beauty: {} } }, 400, 'invalid_input_configuration'],
		['an unknown output', { input: imageInput(designPng()), predictions: { attention: { outputs: ['score'] } } }, 400, 'invalid_input_configuration'],
		['a bad medium', { input: imageInput(designPng(), { medium: 'tv' }) }, 400, 'invalid_input_configuration'],
		['no input', { predictions: {} }, 400, 'invalid_input_configuration'],
		['a web page input', { input: { type: 'url', url: 'https://example.com', medium: 'desktopWeb' } }, 400, 'could_not_grab_web_page'],
	];
	it.each(cases)('refuses %s', async (_name, body, status, code) => {
		const r = await create(body);
		expect(r.status).toBe(status);
		expect(r.body.error?.code).toBe(code);
		expect(typeof r.body.error?.message).toBe('string');
	});

	it('refuses a body that is not JSON and one over the size limit', async () => {
		const bad = await call<{ error: { code: string } }>(`${api}/analyses`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{' });
		expect(bad.status).toBe(400);
		expect(bad.body.error.code).toBe('client_error');
		const huge = await call<{ error: { code: string } }>(`${api}/analyses`, {
			method: 'POST',
			headers: { ...auth, 'content-type': 'application/json' },
			body: Buffer.alloc(31 * 1024 * 1024, 0x20),
		});
		expect(huge.status).toBe(413);
	});
});

describe('EyeQuant analyses', () => {
	it('goes pending -> success with the default attention map and the input image', async () => {
		const created = await create({ input: imageInput(designPng(), { title: 'Homepage' }) });
		expect(created.status).toBe(201);
		expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/) });
		const first = await call<Analysis>(`${api}/analyses/${created.body.id}`, { headers: auth });
		expect(first.body).toEqual({ id: created.body.id, status: 'pending' });
		const done = await finished(created.body.id as string);
		expect(done.status).toBe('success');
		expect(done._internal_exposed_id).toMatch(/^[0-9a-f]{24}$/);
		expect(done._internal_exposed_id).not.toBe(done.id);
		expect(Object.keys(done.outputs ?? {}).sort()).toEqual(['attention', 'input']);
		expect(Object.keys(done.outputs?.attention ?? {})).toEqual(['attentionMap']);
		expect(done.outputs?.input.image).toMatch(/\/s3\/eyequant-maps\/.+\/input\.png\?X-Amz-Algorithm=AWS4-HMAC-SHA256&.*X-Amz-Signature=[0-9a-f]{64}$/);
	});

	it('mirrors exactly the requested predictions and outputs, with deterministic scores', async () => {
		const predictions = {
			attention: { outputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'] },
			clarity: { outputs: ['score', 'map'] },
			excitingness: {},
		};
		const a = await successfulAnalysis(predictions);
		const outputs = a.outputs ?? {};
		expect(Object.keys(outputs.attention).sort()).toEqual(['attentionMap', 'hotspotsMap', 'perceptionMap']);
		expect(Object.keys(outputs.clarity).sort()).toEqual(['map', 'score']);
		expect(Object.keys(outputs.excitingness)).toEqual(['score']);
		for (const s of [outputs.clarity.score, outputs.excitingness.score]) {
			expect(Number.isInteger(s)).toBe(true);
			expect(s as number).toBeGreaterThanOrEqual(0);
			expect(s as number).toBeLessThanOrEqual(100);
		}
		const again = await successfulAnalysis({ clarity: {}, excitingness: { outputs: ['score'] } });
		expect(again.outputs?.clarity).toEqual({ score: outputs.clarity.score });
		expect(again.outputs?.excitingness.score).toBe(outputs.excitingness.score);
		const other = await successfulAnalysis({ clarity: {} }, undefined, designPng(200, 300));
		expect(other.outputs?.clarity.score).not.toBeUndefined();
	});

	it('accepts a JPEG and serves it back as the input image', async () => {
		const jpeg = designJpeg();
		const a = await successfulAnalysis(undefined, undefined, jpeg);
		const input = await bytesOf(String(a.outputs?.input.image));
		expect(input.status).toBe(200);
		expect(input.headers.get('content-type')).toBe('image/jpeg');
		expect(input.bytes).toEqual(jpeg);
	});

	it('fails an analysis whose title contains [fail]', async () => {
		const created = await create({ input: imageInput(designPng(), { title: 'Checkout [fail]' }) });
		const done = await finished(created.body.id as string);
		expect(done).toEqual({ id: created.body.id, status: 'failed', error: { code: 'server_error', message: expect.any(String) } });
	});

	it('serves every map as a valid PNG of the input size, byte-identical on every GET', async () => {
		const a = await successfulAnalysis({
			attention: { outputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'] },
			clarity: { outputs: ['map'] },
			excitingness: { outputs: ['map'] },
		});
		const urls = [
			...Object.values(a.outputs?.attention ?? {}),
			a.outputs?.clarity.map,
			a.outputs?.excitingness.map,
		].map(String);
		expect(urls).toHaveLength(5);
		for (const url of urls) {
			const first = await bytesOf(url);
			expect(first.status).toBe(200);
			expect(first.headers.get('content-type')).toBe('image/png');
			expect(Number(first.headers.get('content-length'))).toBe(first.bytes.length);
			const png = decodePng(first.bytes);
			expect([png.width, png.height]).toEqual([320, 200]);
			const second = await bytesOf(url);
			expect(second.bytes.equals(first.bytes)).toBe(true);
		}
		const head = await fetch(urls[0], { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).not.toBeNull();
	});

	it('pads maps to mapBytes exactly and keeps them valid', async () => {
		const a = await successfulAnalysis();
		const url = String(a.outputs?.attention.attentionMap);
		sandbox.configure({ mapBytes: 1_000_000 });
		try {
			const r = await bytesOf(url);
			expect(r.headers.get('content-length')).toBe('1000000');
			expect(r.bytes.length).toBe(1_000_000);
			expect(readChunks(r.bytes).map((c) => c.type)).toContain('paDd');
			expect(decodePng(r.bytes).width).toBe(320);
			const again = await bytesOf(url);
			expect(createHash('sha256').update(again.bytes).digest('hex')).toBe(createHash('sha256').update(r.bytes).digest('hex'));
		} finally {
			sandbox.configure({ mapBytes: undefined });
		}
	});

	it('refuses a map URL with a wrong or missing signature, or with an Authorization header', async () => {
		const a = await successfulAnalysis();
		const url = String(a.outputs?.attention.attentionMap);
		const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
		for (const bad of [tampered, url.split('?')[0], url.replace('attentionMap.png', 'perceptionMap.png')]) {
			const r = await call(bad);
			expect(r.status).toBe(403);
			expect(r.headers.get('content-type')).toBe('application/xml');
			expect(r.text).toContain('<Code>SignatureDoesNotMatch</Code>');
		}
		const withAuth = await call(url, { headers: auth });
		expect(withAuth.status).toBe(400);
		expect(withAuth.text).toContain('<Code>InvalidArgument</Code>');
	});

	it('expires one (scaled) hour after finishing: 410 resource_gone and 403 AccessDenied maps', async () => {
		const a = await successfulAnalysis();
		const url = String(a.outputs?.attention.attentionMap);
		sandbox.advanceTime(HOUR - 5_000);
		expect((await call(`${api}/analyses/${a.id}`, { headers: auth })).status).toBe(200);
		expect((await bytesOf(url)).status).toBe(200);
		sandbox.advanceTime(5_000);
		const gone = await call(`${api}/analyses/${a.id}`, { headers: auth });
		expect(gone.status).toBe(410);
		expect(gone.body).toEqual({ error: { code: 'resource_gone', message: 'This resource is no longer available.' } });
		const map = await call(url);
		expect(map.status).toBe(403);
		expect(map.headers.get('content-type')).toBe('application/xml');
		expect(map.text).toMatch(/<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
	});
});

describe('EyeQuant metadata, summary and recommendations', () => {
	it('updates metadata by analysis id; unknown ids give 404 analysis_not_found', async () => {
		const a = await successfulAnalysis();
		const r = await call(`${api}/update-meta/screenshot/${a._internal_exposed_id}`, {
			method: 'PUT',
			headers: auth,
			json: { description: 'Homepage hero', goal: 'Increase sign-ups' },
		});
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ success: true });
		const unknown = await call(`${api}/update-meta/screenshot/nope`, { method: 'PUT', headers: auth, json: { goal: 'x' } });
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({ success: false, msg: 'analysis_not_found' });
		// The screenshot id is not an analysis id.
		expect((await call(`${api}/update-meta/screenshot/${a.id}`, { method: 'PUT', headers: auth, json: {} })).status).toBe(404);
	});

	it.each(['summary', 'recommendations'])('%s: started -> processing -> completed Markdown, expiry and regeneration', async (kind) => {
		const a = await successfulAnalysis(undefined, 'Landing page');
		const url = `${api}/analyses/${kind}/${a._internal_exposed_id}`;
		const before = await call(url, { headers: auth });
		expect(before.status).toBe(404);
		expect(before.body).toEqual({ success: false, msg: `${kind}_not_found` });
		const start = await call(url, { method: 'POST', headers: auth });
		expect(start.status).toBe(200);
		expect(start.body).toEqual({ success: true, status: 'started', msg: expect.any(String) });
		const again = await call<{ status: string }>(url, { method: 'POST', headers: auth });
		expect(['started', 'processing']).toContain(again.body.status);
		const first = await call<{ status: string }>(url, { headers: auth });
		expect(['started', 'processing']).toContain(first.body.status);
		const done = await until(
			() => call<{ status: string; data?: string }>(url, { headers: auth }),
			(r) => r.body.status === 'completed',
		);
		expect(done.body.data).toMatch(/^# /);
		sandbox.advanceTime(HOUR);
		const expired = await call(url, { headers: auth });
		expect(expired.status).toBe(410);
		expect(expired.body).toMatchObject({ success: false, msg: 'analysis_expired' });
		const regenerated = await call(url, { method: 'POST', headers: auth });
		expect(regenerated.body).toMatchObject({ success: true, status: 'started' });
		expect((await call(`${api}/analyses/${kind}/unknown`, { headers: auth })).body).toEqual({ success: false, msg: 'analysis_not_found' });
		sandbox.advanceTime(24 * HOUR);
		const tooLate = await call(url, { method: 'POST', headers: auth });
		expect(tooLate.status).toBe(410);
		expect(tooLate.body).toEqual({ success: false, msg: 'analysis_expired' });
	});

	it('a title with [summary-fail] makes generation fail with 500', async () => {
		const a = await successfulAnalysis(undefined, 'Pricing [summary-fail]');
		const url = `${api}/analyses/summary/${a._internal_exposed_id}`;
		await call(url, { method: 'POST', headers: auth });
		const failed = await until(
			() => call(url, { headers: auth }),
			(r) => r.status !== 200,
		);
		expect(failed.status).toBe(500);
		expect(failed.body).toMatchObject({ success: false, msg: 'generation_failed', status: 'failed' });
	});

	it('has no video add-on (404)', async () => {
		for (const [method, path] of [
			['GET', '/upload-urls'],
			['POST', '/analyses/video'],
			['GET', '/analyses/video/abc'],
		]) {
			const r = await call(`${api}${path}`, { method, headers: auth, ...(method === 'POST' ? { json: {} } : {}) });
			expect(r.status).toBe(404);
		}
	});
});
