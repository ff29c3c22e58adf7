import { designPng } from '../../sandbox/fixtures';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, call, parseSse, startTestSandbox, until } from './helpers';

let sandbox: Sandbox;
const eq = { authorization: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}` };
const pq = { 'x-api-key': SANDBOX_KEYS.pique.apiKey };
const fault = (f: unknown) => ({ 'x-sandbox-fault': JSON.stringify(f) });
const judges = () => `${sandbox.baseUrls.pique}/v1/judges`;

beforeAll(async () => {
	sandbox = await startTestSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
	sandbox.clearFaults();
	sandbox.configure({ latencyMs: 0 });
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a failure');
}

async function eyeQuantAnalysis(): Promise<string> {
	const created = await call<{ id: string }>(`${sandbox.baseUrls.eyeQuant}/analyses`, {
		method: 'POST',
		headers: eq,
		json: { input: { type: 'image', content: designPng(64, 48).toString('base64'), medium: 'mobileWeb' }, predictions: { clarity: {} } },
	});
	await until(
		() => call<{ status: string }>(`${sandbox.baseUrls.eyeQuant}/analyses/${created.body.id}`, { headers: eq }),
		(r) => r.body.status === 'success',
	);
	return created.body.id;
}

describe('no faults unless asked', () => {
	it('answers a round of calls to every route normally and records no fault', async () => {
		sandbox.clearLog();
		const id = await eyeQuantAnalysis();
		for (let i = 0; i < 10; i++) {
			expect((await call(`${sandbox.baseUrls.eyeQuant}/analyses/${id}`, { headers: eq })).status).toBe(200);
			expect((await call(judges(), { headers: pq })).status).toBe(200);
			expect((await call(`${sandbox.baseUrls.imageForge}/v1/credits/balance`, { headers: { 'x-api-key': SANDBOX_KEYS.imageForge.apiKey } })).status).toBe(200);
			expect((await fetch(`${sandbox.url}/files/design.png`)).status).toBe(200);
		}
		const token = await call(`${sandbox.baseUrls.imageIntelligence}/oauth/token`, {
			method: 'POST',
			json: { clientId: SANDBOX_KEYS.imageIntelligence.clientId, clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret },
		});
		expect(token.status).toBe(200);
		expect(sandbox.requests().every((e) => e.fault === undefined && e.status < 400)).toBe(true);
	});
});

describe('status faults', () => {
	it('429 with Retry-After in the provider error shape, per request by header', async () => {
		const r = await call(judges(), { headers: { ...pq, ...fault({ type: 'status', status: 429, retryAfter: 1 }) } });
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('1');
		expect(r.body).toEqual({ detail: expect.any(String) });
		const e = await call(`${sandbox.baseUrls.eyeQuant}/analyses/x`, { headers: { ...eq, ...fault({ type: 'status', status: 503 }) } });
		expect(e.status).toBe(503);
		expect(e.body).toEqual({ error: { code: 'over_capacity', message: expect.any(String) } });
		const f = await call(`${sandbox.baseUrls.imageForge}/v1/credits/balance`, { headers: fault({ type: 'status', status: 500 }) });
		expect(f.body).toEqual({ error: expect.any(String) });
		expect(sandbox.requests({ status: 429 })).toEqual([expect.objectContaining({ method: 'GET', path: '/pique/v1/judges', fault: 'status' })]);
	});

	it('per request by the __fault query parameter, with a custom body', async () => {
		const f = encodeURIComponent(JSON.stringify({ type: 'status', status: 502, body: { detail: 'bad gateway' }, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }));
		const r = await call(`${judges()}?__fault=${f}`, { headers: pq });
		expect(r.status).toBe(502);
		expect(r.body).toEqual({ detail: 'bad gateway' });
		expect(r.headers.get('retry-after')).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
	});

	it('per run: every Nth matching call, at most `times`, matched by path, method, provider or regex', async () => {
		sandbox.setFaults([{ match: { path: '/pique/v1/judges' }, every: 3, fault: { type: 'status', status: 429, retryAfter: 1 } }]);
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await call(judges(), { headers: pq })).status);
		expect(statuses).toEqual([200, 200, 429, 200, 200, 429, 200]);

		sandbox.setFaults([{ match: { provider: 'imageForge', method: 'GET' }, times: 2, fault: { type: 'status', status: 503 } }]);
		const forge: number[] = [];
		for (let i = 0; i < 4; i++) forge.push((await call(`${sandbox.baseUrls.imageForge}/v1/credits/balance`, { headers: { 'x-api-key': SANDBOX_KEYS.imageForge.apiKey } })).status);
		expect(forge).toEqual([503, 503, 200, 200]);
		expect((await call(judges(), { headers: pq })).status).toBe(200);

		sandbox.setFaults([{ match: { path: /\/judges\/[^/]+$/ }, fault: { type: 'status', status: 500 } }]);
		expect((await call(`${judges()}/${sandbox.judges.video}`, { headers: pq })).status).toBe(500);
		expect((await call(judges(), { headers: pq })).status).toBe(200);
		sandbox.clearFaults();
		expect((await call(`${judges()}/${sandbox.judges.video}`, { headers: pq })).status).toBe(200);
	});
});

describe('connection faults', () => {
	it('reset before headers: the request fails and is logged with status 0', async () => {
		sandbox.clearLog();
		const error = await errorOf(fetch(judges(), { headers: { ...pq, ...fault({ type: 'reset' }) } }));
		expect(error.name).toBe('TypeError');
		expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain((error.cause as { code?: string }).code);
		expect(sandbox.requests()).toEqual([expect.objectContaining({ path: '/pique/v1/judges', status: 0, fault: 'reset' })]);
	});

	it('reset after N body bytes: headers arrive, the body breaks', async () => {
		const response = await fetch(`${sandbox.url}/files/blob/1048576.bin`, { headers: fault({ type: 'reset', afterBytes: 5000 }) });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-length')).toBe('1048576');
		let received = 0;
		const error = await errorOf(
			(async () => {
				for await (const chunk of response.body as ReadableStream<Uint8Array>) received += chunk.length;
			})(),
		);
		expect(error.name).toBe('TypeError');
		expect(received).toBeLessThanOrEqual(5000);
	});

	it('stall: headers (and N bytes) then nothing, until the client gives up', async () => {
		const controller = new AbortController();
		const response = await fetch(`${sandbox.url}/files/blob/100000.bin`, { headers: fault({ type: 'stall', afterBytes: 100 }), signal: controller.signal });
		expect(response.status).toBe(200);
		const reader = (response.body as ReadableStream<Uint8Array>).getReader();
		let received = 0;
		while (received < 100) received += ((await reader.read()).value ?? new Uint8Array()).length;
		expect(received).toBe(100);
		const next = reader.read();
		const outcome = await Promise.race([next.then(() => 'data'), new Promise((resolve) => setTimeout(() => resolve('stalled'), 300))]);
		expect(outcome).toBe('stalled');
		controller.abort();
		await expect(next).rejects.toBeDefined();
	});

	it('a stalled JSON answer (headers only) is torn down by close()', async () => {
		const own = await startTestSandbox();
		const response = await fetch(`${own.baseUrls.pique}/v1/judges`, { headers: { ...pq, ...fault({ type: 'stall' }) } });
		expect(response.status).toBe(200);
		const body = response.text();
		await new Promise((resolve) => setTimeout(resolve, 50));
		await own.close();
		await expect(body).rejects.toBeDefined();
	});

	it('latency: the answer comes after the given delay', async () => {
		const started = Date.now();
		const r = await call(judges(), { headers: { ...pq, ...fault({ type: 'latency', ms: 200 }) } });
		expect(r.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
	});

	it('latencyMs delays API answers but not files', async () => {
		sandbox.configure({ latencyMs: 150 });
		let started = Date.now();
		await call(judges(), { headers: pq });
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		started = Date.now();
		await fetch(`${sandbox.url}/files/design.png`).then((r) => r.arrayBuffer());
		expect(Date.now() - started).toBeLessThan(140);
	});
});

describe('body faults', () => {
	it('malformedJson: 200 with a body no JSON parser accepts', async () => {
		const r = await call(`${sandbox.baseUrls.eyeQuant}/analyses/unknown`, { headers: { ...eq, ...fault({ type: 'malformedJson' }) } });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/json');
		expect(() => JSON.parse(r.text)).toThrow();
	});

	it('dropField: the real answer minus a (dotted) field', async () => {
		const id = await eyeQuantAnalysis();
		const url = `${sandbox.baseUrls.eyeQuant}/analyses/${id}`;
		const full = await call<Record<string, unknown>>(url, { headers: eq });
		const noStatus = await call<Record<string, unknown>>(url, { headers: { ...eq, ...fault({ type: 'dropField', field: 'status' }) } });
		expect(noStatus.body).toEqual(Object.fromEntries(Object.entries(full.body).filter(([k]) => k !== 'status')));
		const noScore = await call<{ outputs: { clarity: Record<string, unknown> } }>(url, {
			headers: { ...eq, ...fault({ type: 'dropField', field: 'outputs.clarity.score' }) },
		});
		expect(noScore.body.outputs.clarity).toEqual({});
	});

	it('sseDrop: the stream ends cleanly after N events, before complete', async () => {
		const key = { 'x-api-key': SANDBOX_KEYS.imageForge.apiKey };
		const form = new FormData();
		for (let i = 0; i < 3; i++) form.append('images[]', new Blob([designPng(30, 20)], { type: 'image/png' }), `p${i}.png`);
		const s = await call<{ sessionId: string; images: Array<{ id: string }> }>(`${sandbox.baseUrls.imageForge}/v1/sessions/upload`, { method: 'POST', headers: key, body: form });
		const response = await fetch(`${sandbox.baseUrls.imageForge}/v1/sessions/${s.body.sessionId}/analyze`, {
			method: 'POST',
			headers: { ...key, 'content-type': 'application/json', ...fault({ type: 'sseDrop', afterEvents: 3 }) },
			body: JSON.stringify({ images: s.body.images }),
		});
		const { events } = parseSse(await response.text());
		expect(events.map((e) => e.event)).toEqual(['progress', 'result', 'progress']);
	});
});

describe('control endpoints and the request log', () => {
	it('records method, path, query and status; "exactly 3 GETs"', async () => {
		sandbox.clearLog();
		for (let i = 0; i < 3; i++) await call(`${judges()}?limit=${i + 1}`, { headers: pq });
		await call(`${sandbox.baseUrls.pique}/v1/judges/nope`, { headers: pq });
		const gets = sandbox.requests({ method: 'GET', pathPrefix: '/pique/v1/judges', status: 200 });
		expect(gets).toHaveLength(3);
		expect(gets[0]).toEqual({ seq: expect.any(Number), method: 'GET', path: '/pique/v1/judges', query: { limit: '1' }, status: 200, provider: 'pique', at: expect.any(Number) });
		expect(sandbox.requests({ status: 404 })).toHaveLength(1);
	});

	it('drives faults, the log, the clock and the config over HTTP (logged as control, hidden by default)', async () => {
		const control = `${sandbox.url}/__sandbox`;
		const put = await call(`${control}/faults`, {
			method: 'PUT',
			json: [
				{ match: { path: { regex: '^/pique/v1/judges$' } }, times: 1, fault: { type: 'status', status: 503, retryAfter: 2 } },
				{ match: { path: '/files/' }, fault: { type: 'status', status: 500 } },
			],
		});
		expect(put.status).toBe(200);
		const listed = await call<Array<{ match: { path: { regex: string } } }>>(`${control}/faults`);
		expect(new RegExp(listed.body[0].match.path.regex).test('/pique/v1/judges')).toBe(true);
		expect((await call(judges(), { headers: pq })).status).toBe(503);
		expect((await call(judges(), { headers: pq })).status).toBe(200);
		expect((await fetch(`${sandbox.url}/files/design.png`)).status).toBe(500);
		expect((await call(`${control}/faults`, { method: 'DELETE' })).status).toBe(204);
		expect((await fetch(`${sandbox.url}/files/design.png`)).status).toBe(200);
		expect((await call(`${control}/faults`, { method: 'PUT', json: [{ fault: { type: 'explode' } }] })).status).toBe(400);

		const before = sandbox.now();
		const advanced = await call<{ now: number }>(`${control}/advance`, { method: 'POST', json: { ms: 3_600_000 } });
		expect(advanced.body.now - before).toBeGreaterThanOrEqual(3_600_000);
		const config = await call<Record<string, unknown>>(`${control}/config`, { method: 'PATCH', json: { latencyMs: 5, mapBytes: 123456 } });
		expect(config.body).toMatchObject({ latencyMs: 5, mapBytes: 123456 });
		expect((await call(`${control}/config`, { method: 'PATCH', json: { warpSpeed: 9 } })).status).toBe(400);
		await call(`${control}/config`, { method: 'PATCH', json: { latencyMs: 0, mapBytes: null } });
		expect(sandbox.config().mapBytes).toBeUndefined();

		const log = await call<Array<{ provider: string; path: string }>>(`${control}/log?provider=pique`);
		expect(log.body.length).toBeGreaterThan(0);
		expect(log.body.every((e) => e.provider === 'pique')).toBe(true);
		expect(sandbox.requests().some((e) => e.provider === 'control')).toBe(false);
		expect(sandbox.requests({ provider: 'control' }).length).toBeGreaterThan(3);
		expect((await call(`${control}/log`, { method: 'DELETE' })).status).toBe(204);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('refuses a fault header that is not a valid fault', async () => {
		const r = await call(judges(), { headers: { ...pq, 'x-sandbox-fault': '{"type":"status"}' } });
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ error: expect.stringContaining('Bad sandbox fault') });
	});
});

describe('echo fault', () => {
	it('repeats the URL with its query, every header with the key, and the body, in each format', async () => {
		const url = `${judges()}?X-Amz-Signature=sig123`;
		const json = await call(url, { method: 'POST', headers: { ...pq, ...fault({ type: 'echo' }) }, json: { secret: 'in-body' } });
		expect(json.status).toBe(400);
		expect(json.body.detail).toEqual(expect.stringContaining(SANDBOX_KEYS.pique.apiKey));
		for (const part of ['POST http://', '/pique/v1/judges?X-Amz-Signature=sig123', `x-api-key: ${SANDBOX_KEYS.pique.apiKey}`, '{"secret":"in-body"}']) {
			expect(json.body.detail).toEqual(expect.stringContaining(part));
		}
		const text = await call(url, { headers: { ...pq, ...fault({ type: 'echo', format: 'text', status: 502 }) } });
		expect(text.status).toBe(502);
		expect(text.headers.get('content-type')).toContain('text/plain');
		expect(text.text).toContain(SANDBOX_KEYS.pique.apiKey);
		const html = await call(url, { headers: { ...eq, ...fault({ type: 'echo', format: 'html', status: 500 }) } });
		expect(html.headers.get('content-type')).toContain('text/html');
		expect(html.text).toContain(`Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}`);
		const sse = await call(url, { headers: { ...pq, ...fault({ type: 'echo', format: 'sse' }) } });
		expect(sse.status).toBe(200);
		expect(sse.headers.get('content-type')).toContain('text/event-stream');
		expect(sse.text).toMatch(/^event: error\ndata: \{"error":"Bad request: GET http:.*pq_sandbox_key/);
	});

	it('is refused with a clear message for an unknown format', async () => {
		const answer = await call(judges(), { headers: { ...pq, ...fault({ type: 'echo', format: 'xml' }) } });
		expect(answer.status).toBe(400);
		expect(answer.body.error).toContain('"format" is one of json, text, html, sse');
	});
});
