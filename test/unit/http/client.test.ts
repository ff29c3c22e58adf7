import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeApiError } from 'n8n-workflow';
import { z } from 'zod/v4';

import { ApiClient } from '../../../nodes/shared/http/client';
import type { ApiClientOptions } from '../../../nodes/shared/http/client';
import type { ProviderProfile } from '../../../nodes/shared/http/errors';
import { sendJson, startTestServer } from '../../helpers/http-server';
import { recordingContext } from '../../helpers/request-context';

const PROVIDER: ProviderProfile = { name: 'TestProvider' };
const SECRET = 'sk-live-very-secret-key-123';
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };
const okSchema = z.object({ status: z.string(), id: z.string() });

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

afterEach(async () => {
	await server?.close();
});

function client(options: Partial<ApiClientOptions> = {}, signal?: AbortSignal) {
	const context = recordingContext(signal);
	const api = new ApiClient(context, {
		provider: PROVIDER,
		baseUrl: server.url,
		headers: { authorization: `Bearer ${SECRET}` },
		secrets: [SECRET],
		retry: FAST_RETRY,
		...options,
	});
	return { api, context };
}

async function failure(promise: Promise<unknown>): Promise<NodeApiError> {
	try {
		await promise;
	} catch (error) {
		return error as NodeApiError;
	}
	throw new Error('expected the request to fail');
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
async function closedPort(): Promise<number> {
	const blocker = createServer();
	await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
	const { port } = blocker.address() as AddressInfo;
	await new Promise<void>((resolve) => blocker.close(() => resolve()));
	return port;
}

describe('retries', () => {
	test('a GET answered 503 twice is retried and the third answer is used', async () => {
		server = await startTestServer((_req, res, index) =>
			index < 2 ? sendJson(res, 503, { error: 'busy' }) : sendJson(res, 200, { status: 'ok', id: 'a1' }),
		);
		const { api } = client();
		await expect(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema)).resolves.toEqual({ status: 'ok', id: 'a1' });
		expect(server.seen).toHaveLength(3);
	});

	test('Retry-After is waited for before the next try', async () => {
		server = await startTestServer((_req, res, index) =>
			index === 0
				? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
				: sendJson(res, 200, { status: 'ok', id: 'a1' }),
		);
		const { api } = client();
		await api.json({ method: 'GET', path: '/jobs/a1' }, okSchema);
		expect(server.seen).toHaveLength(2);
		expect(server.seen[1].at - server.seen[0].at).toBeGreaterThanOrEqual(950);
	});

	test('gives up after maxTries with an error that says so and names the provider code', async () => {
		server = await startTestServer((_req, res) =>
			sendJson(res, 503, { error: { code: 'over_capacity', message: 'Try later' } }),
		);
		const { api } = client({ retry: { ...FAST_RETRY, maxTries: 3 } });
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(server.seen).toHaveLength(3);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('TestProvider error 503 over_capacity: Try later');
		expect(error.description).toContain('Gave up after 3 tries');
		expect(error.httpCode).toBe('503');
	});

	test('a POST answered 503 is not repeated: the provider may have created the job', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 503, { error: 'unavailable' }));
		const { api } = client();
		await failure(api.json({ method: 'POST', path: '/jobs', json: { a: 1 } }, okSchema));
		expect(server.seen).toHaveLength(1);
	});

	test('a POST whose connection resets after sending is not repeated', async () => {
		server = await startTestServer((_req, res) => res.socket?.destroy());
		const { api } = client();
		const error = await failure(api.json({ method: 'POST', path: '/jobs', json: { a: 1 } }, okSchema));
		expect(server.seen).toHaveLength(1);
		expect(error.message).toMatch(/^The connection to TestProvider dropped after the request was sent \((ECONNRESET|UND_ERR_SOCKET)\)$/);
		expect(error.description).toMatch(/may have received the request before the connection dropped, so the job it starts may exist already/);
		expect(error.description).not.toContain('base URL');
	});

	test('a POST answered 429 is repeated: the provider refused before doing anything', async () => {
		server = await startTestServer((_req, res, index) =>
			index === 0
				? sendJson(res, 429, { error: 'slow' }, { 'retry-after': '0' })
				: sendJson(res, 200, { status: 'created', id: 'j1' }),
		);
		const { api } = client();
		await expect(api.json({ method: 'POST', path: '/jobs', json: {} }, okSchema)).resolves.toEqual({
			status: 'created',
			id: 'j1',
		});
		expect(server.seen).toHaveLength(2);
		expect(server.seen.map((request) => request.body)).toEqual(['{}', '{}']);
	});

	test('a POST the provider documents as safe to repeat may retry 503', async () => {
		server = await startTestServer((_req, res, index) =>
			index === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, { status: 'started', id: 's' }),
		);
		const { api } = client();
		await api.json({ method: 'POST', path: '/summary/s', idempotent: true }, okSchema);
		expect(server.seen).toHaveLength(2);
	});

	test('a GET whose connection resets is retried', async () => {
		server = await startTestServer((_req, res, index) =>
			index === 0 ? res.socket?.destroy() : sendJson(res, 200, { status: 'ok', id: 'a1' }),
		);
		const { api } = client();
		await api.json({ method: 'GET', path: '/jobs/a1' }, okSchema);
		expect(server.seen).toHaveLength(2);
	});

	test('a refused connection is retried even for a POST (nothing was sent)', async () => {
		const port = await closedPort();
		server = await startTestServer((_req, res) => sendJson(res, 200, {}));
		const { api, context } = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { ...FAST_RETRY, maxTries: 2 } });
		const error = await failure(api.json({ method: 'POST', path: '/jobs', json: {} }, okSchema));
		expect(error.message).toBe('TestProvider could not be reached (ECONNREFUSED): the connection was refused');
		expect(context.logs.filter((line) => line.includes('retrying'))).toHaveLength(1);
	});

	test('an unreachable absolute URL (a presigned link) is not blamed on the credential, and its signature stays out', async () => {
		const port = await closedPort();
		server = await startTestServer((_req, res) => sendJson(res, 200, {}));
		const { api } = client({ retry: { ...FAST_RETRY, maxTries: 1 } });
		const error = await failure(
			api.json({ method: 'GET', url: `http://127.0.0.1:${port}/bucket/map.png?X-Amz-Signature=abc123` }, okSchema),
		);
		expect(error.description).toContain(`Check that this n8n can reach http://127.0.0.1:${port}/bucket/map.png`);
		expect(error.description).not.toContain('credential');
		expect(JSON.stringify(error)).not.toContain('abc123');
	});

	test('a body stream is made anew for each try', async () => {
		server = await startTestServer((_req, res, index) =>
			index === 0 ? sendJson(res, 502, {}) : sendJson(res, 200, { status: 'ok', id: 'u' }),
		);
		const { api } = client();
		let made = 0;
		await api.json(
			{ method: 'PUT', path: '/upload', body: () => (made++, Buffer.from('payload')) },
			okSchema,
		);
		expect(made).toBe(2);
		expect(server.seen.map((request) => request.body)).toEqual(['payload', 'payload']);
	});
});

describe('timeouts and cancellation', () => {
	test('a server that never answers times out with a clear error', async () => {
		server = await startTestServer(() => undefined);
		const { api } = client({ timeoutMs: 200, retry: { maxTries: 1 } });
		const error = await failure(api.json({ method: 'GET', path: '/slow' }, okSchema));
		expect(error.message).toBe('TestProvider could not be reached (REQUEST_TIMEOUT): the whole answer did not arrive within the timeout');
		expect(error.description).toContain('Raise the timeout option');
	});

	test('cancelling the execution aborts the request in flight', async () => {
		server = await startTestServer(() => undefined);
		const controller = new AbortController();
		const { api } = client({}, controller.signal);
		const pending = failure(api.json({ method: 'GET', path: '/slow' }, okSchema));
		setTimeout(() => controller.abort(), 100);
		const error = await pending;
		expect(error.message).toBe('The request to TestProvider was cancelled');
		expect(server.seen).toHaveLength(1);
	});

	test('cancelling during a Retry-After wait stops without another request', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 429, {}, { 'retry-after': '30' }));
		const controller = new AbortController();
		const { api } = client({}, controller.signal);
		const pending = failure(api.json({ method: 'GET', path: '/busy' }, okSchema));
		setTimeout(() => controller.abort(), 200);
		const error = await pending;
		expect(error.message).toBe('The request to TestProvider was cancelled');
		expect(server.seen).toHaveLength(1);
	});

	test('a Retry-After longer than the limit fails at once and says how long the provider asked', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 429, { error: 'quota' }, { 'retry-after': '3600' }));
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/busy' }, okSchema));
		expect(server.seen).toHaveLength(1);
		expect(error.message).toBe('TestProvider error 429: quota');
		expect(error.description).toContain('asked to wait 3600 s');
	});
});

describe('validation', () => {
	test('a body that does not match the schema names the field', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 200, { id: 'a1', status: 7 }));
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('`status`');
		expect(error.message).toMatch(/^TestProvider returned an answer this node does not understand/);
	});

	test('a missing field is named', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 200, { id: 'a1' }));
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error.message).toContain('`status`');
	});

	test('malformed JSON is a clear error, not a SyntaxError', async () => {
		server = await startTestServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"status": "ok", "id": ');
		});
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('TestProvider returned a body that is not valid JSON');
	});
});

describe('secrets never leak', () => {
	test('a 401 that echoes the key gives a message and description without it', async () => {
		server = await startTestServer((_req, res) =>
			sendJson(res, 401, { error: { code: 'authentication_failed', message: `Key ${SECRET} is not valid` } }),
		);
		const { api, context } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error.message).toBe('TestProvider error 401 authentication_failed: Key *** is not valid');
		expect(error.description).toContain('check the API key');
		const everything = JSON.stringify({ error, message: error.message, description: error.description, logs: context.logs });
		expect(everything).not.toContain(SECRET);
		expect(server.seen[0].headers.authorization).toBe(`Bearer ${SECRET}`);
	});

	test("a presigned URL's query string never appears in an error or a log line", async () => {
		server = await startTestServer((_req, res) => {
			res.writeHead(403, { 'content-type': 'application/xml' });
			res.end('<Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error>');
		});
		const { api, context } = client();
		const url = `${server.url}/bucket/map.png?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeefcafe`;
		const error = await failure(api.send({ method: 'GET', url }));
		expect(error.message).toBe('TestProvider error 403 SignatureDoesNotMatch: bad signature');
		const everything = JSON.stringify({ error, description: error.description, logs: context.logs });
		expect(everything).not.toContain('deadbeefcafe');
		expect(everything).not.toContain('AKIAEXAMPLE');
		expect(everything).toContain('/bucket/map.png?[redacted]');
	});

	/** Every run of 4 or more characters of the key that appears in the text. */
	const keyPieces = (text: string, key: string) => {
		const found: string[] = [];
		for (let start = 0; start + 4 <= key.length; start++) if (text.includes(key.slice(start, start + 4))) found.push(key.slice(start, start + 4));
		return found;
	};

	test('a key echoed where the message is cut to length: redacted first, so not even its start shows', async () => {
		for (const before of [280, 290, 300, 390, 395]) {
			server = await startTestServer((_req, res) => {
				res.writeHead(400, { 'content-type': 'text/plain' });
				res.end(`${'x'.repeat(before)} ${SECRET} rest`);
			});
			const { api, context } = client();
			const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
			const everything = JSON.stringify({ error, message: error.message, description: error.description, messages: error.messages, logs: context.logs });
			expect(keyPieces(everything, SECRET)).toEqual([]);
			await server.close();
		}
	});

	test('a key at the cut of a malformed 2xx answer does not show its start', async () => {
		server = await startTestServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(`{"note":"${'y'.repeat(87)}","key":"${SECRET}"`);
		});
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error.description).toContain('started with: {"note"');
		expect(keyPieces(`${error.message} ${error.description}`, SECRET)).toEqual([]);
	});

	test('a presigned URL inside a JSON-escaped string of a malformed answer is shown without its signature', async () => {
		server = await startTestServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"map":"https:\\/\\/bucket.test\\/a.png?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeefcafe"');
		});
		const { api } = client();
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error.description).toContain('https:\\/\\/bucket.test\\/a.png?[redacted]');
		expect(error.description).not.toContain('deadbeef');
		expect(error.description).not.toContain('AKIAEXAMPLE');
	});

	test('a key shorter than 4 characters is masked too', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 401, { error: { code: 'authentication_failed', message: 'Key k9Z is not valid' } }));
		const { api } = client({ headers: { authorization: 'Bearer k9Z' }, secrets: ['k9Z'] });
		const error = await failure(api.json({ method: 'GET', path: '/jobs/a1' }, okSchema));
		expect(error.message).toBe('TestProvider error 401 authentication_failed: Key *** is not valid');
		expect(JSON.stringify({ error, messages: error.messages })).not.toContain('k9Z');
	});

	test('no auth header is sent to an absolute URL', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 200, { status: 'ok', id: 'x' }));
		const { api } = client();
		await api.json({ method: 'GET', url: `${server.url}/elsewhere` }, okSchema);
		expect(server.seen[0].headers.authorization).toBeUndefined();
	});
});

describe('ids in paths', () => {
	test('a path with an empty, "." or ".." segment is refused before anything is sent, whichever node built it', async () => {
		server = await startTestServer((_req, res) => sendJson(res, 200, { status: 'ok', id: 'x' }));
		const { api } = client();
		for (const path of ['/analyses/..', '/analyses/.', '/analyses/', '/v1/sessions/../analyze', '/a//b']) {
			const error = await failure(api.json({ method: 'POST', path, itemIndex: 3 }, okSchema));
			expect(error.message).toBe('An id in the request path is empty or "." / ".."');
			expect(error.context.itemIndex).toBe(3);
		}
		await api.json({ method: 'GET', path: '/analyses/a..b' }, okSchema);
		expect(server.seen.map((request) => request.url)).toEqual(['/analyses/a..b']);
	});
});

describe('proxy from the environment', () => {
	const saved = { ...process.env };
	afterEach(() => {
		for (const key of ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
	});

	test('HTTP_PROXY routes requests through the proxy, NO_PROXY bypasses it', async () => {
		server = await startTestServer((req, res) => sendJson(res, 200, { status: 'via-proxy', id: req.url }));
		// The proxy accepts the CONNECT tunnel and answers the tunnelled request itself.
		const tunnels: string[] = [];
		server.server.on('connect', (req, socket) => {
			tunnels.push(req.url ?? '');
			socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			server.server.emit('connection', socket);
		});
		process.env.HTTP_PROXY = server.url;
		process.env.NO_PROXY = '';
		const { api } = client({ baseUrl: 'http://provider.invalid/v2' });
		const answer = await api.json({ method: 'GET', path: '/jobs/p1' }, okSchema);
		// undici 8 forwards plain-http requests to the proxy in absolute form instead of tunnelling.
		expect(answer).toEqual({ status: 'via-proxy', id: 'http://provider.invalid/v2/jobs/p1' });
		expect(tunnels).toEqual([]);

		process.env.NO_PROXY = 'provider.invalid';
		const direct = client({ baseUrl: 'http://provider.invalid/v2', retry: { maxTries: 1 } });
		const error = await failure(direct.api.json({ method: 'GET', path: '/jobs/p1' }, okSchema));
		expect(error.message).toMatch(/could not be reached \((ENOTFOUND|EAI_AGAIN)\)/);
		expect(server.seen).toHaveLength(1);
	}, 10_000);
});

describe('real hosts (issue 13)', () => {
	const saved = { ...process.env };
	afterEach(() => {
		for (const key of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
	});

	test('an API call that carries the key never follows a redirect to another origin (example 1)', async () => {
		const elsewhere = await startTestServer((_req, res) => sendJson(res, 200, { status: 'stolen', id: 'x' }));
		try {
			server = await startTestServer((_req, res) => {
				res.writeHead(307, { location: `${elsewhere.url}/v2/jobs` });
				res.end();
			});
			const { api } = client({ retry: { maxTries: 3 } });
			const error = await failure(api.json({ method: 'GET', path: '/jobs' }, okSchema));
			expect(error.message).toBe('TestProvider answered with a redirect (HTTP 307) that was not followed');
			expect(error.description).toContain("Set the credential's base URL to the address the provider redirects to");
			expect(elsewhere.seen).toHaveLength(0);
			expect(server.seen).toHaveLength(1);
		} finally {
			await elsewhere.close();
		}
	});

	test('a link download follows a redirect without the caller\'s credential headers on the new origin', async () => {
		const elsewhere = await startTestServer((_req, res) => sendJson(res, 200, { status: 'ok', id: 'moved' }));
		try {
			server = await startTestServer((_req, res) => {
				res.writeHead(302, { location: `${elsewhere.url}/real` });
				res.end();
			});
			const { api } = client();
			const response = await api.send({ method: 'GET', url: `${server.url}/short`, link: {}, headers: { authorization: 'Bearer link-token', cookie: 'a=b' } });
			response.body.destroy();
			expect(response.displayUrl).toBe(`${elsewhere.url}/real`);
			expect(server.seen[0].headers.authorization).toBe('Bearer link-token');
			expect(elsewhere.seen[0].headers.authorization).toBeUndefined();
			expect(elsewhere.seen[0].headers.cookie).toBeUndefined();
			expect(elsewhere.seen[0].headers.accept).toBe('*/*');
		} finally {
			await elsewhere.close();
		}
	});

	test('a gzip JSON answer is read (example 2)', async () => {
		const { gzipSync } = await import('node:zlib');
		server = await startTestServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
			res.end(gzipSync(JSON.stringify({ status: 'ok', id: 'zipped' })));
		});
		const { api } = client();
		expect(await api.json({ method: 'GET', path: '/jobs/1' }, okSchema)).toEqual({ status: 'ok', id: 'zipped' });
	});

	test('HTTPS_PROXY pointing at a proxy that drops CONNECT fails at once with a proxy hint (example 10)', async () => {
		const { startBrokenProxy } = await import('../../../sandbox/proxy');
		const proxy = await startBrokenProxy('drop');
		try {
			process.env.HTTPS_PROXY = proxy.url;
			process.env.NO_PROXY = '';
			server = await startTestServer((_req, res) => sendJson(res, 200, { status: 'ok', id: 'x' }));
			const { api } = client({ baseUrl: 'https://provider.invalid/v2', timeoutMs: 5000 });
			const started = Date.now();
			const error = await failure(api.json({ method: 'GET', path: '/jobs/1' }, okSchema));
			expect(Date.now() - started).toBeLessThan(2000);
			expect(error.message).toBe('TestProvider could not be reached (UND_ERR_PRX_CONN): the proxy closed the connection instead of opening a tunnel');
			expect(error.description).toContain('The proxy in HTTP_PROXY / HTTPS_PROXY refused or closed the tunnel');
			expect(proxy.connects()).toBeLessThanOrEqual(5);
		} finally {
			await proxy.close();
		}
	});

	test('a proxy that never answers CONNECT: Timeout holds, and so does cancel', async () => {
		const { startBrokenProxy } = await import('../../../sandbox/proxy');
		const proxy = await startBrokenProxy('silent');
		try {
			process.env.HTTPS_PROXY = proxy.url;
			process.env.NO_PROXY = '';
			server = await startTestServer((_req, res) => sendJson(res, 200, { status: 'ok', id: 'x' }));
			const timed = client({ baseUrl: 'https://provider.invalid/v2', timeoutMs: 300, retry: { maxTries: 1 } });
			let started = Date.now();
			const error = await failure(timed.api.json({ method: 'GET', path: '/jobs/1' }, okSchema));
			expect(Date.now() - started).toBeLessThan(1500);
			expect(error.message).toMatch(/could not be reached \((REQUEST_TIMEOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT)\)/);

			const controller = new AbortController();
			const cancellable = client({ baseUrl: 'https://provider.invalid/v2', timeoutMs: 60_000 }, controller.signal);
			started = Date.now();
			const pending = failure(cancellable.api.send({ method: 'GET', path: '/jobs/1' }));
			await new Promise((resolve) => setTimeout(resolve, 200));
			controller.abort();
			const cancelled = await pending;
			expect(Date.now() - started).toBeLessThan(1500);
			expect(cancelled.message).toBe('The request to TestProvider was cancelled');
		} finally {
			await proxy.close();
		}
	});
});
