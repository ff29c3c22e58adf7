import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SANDBOX_KEYS, startSandbox } from '../../sandbox/server';
import type { Sandbox, SandboxOptions } from '../../sandbox/server';

export { SANDBOX_KEYS };

/**
 * Fast defaults for tests: short processing delays (long enough that a read right after a create
 * still sees the job pending on a busy machine), real hour length (tests use advanceTime).
 */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({
		port: 0,
		eyeQuantProcessingMs: 250,
		piqueProcessingMs: 250,
		imageIntelligenceProcessingMs: 250,
		imageForgeMsPerImage: 2,
		...options,
	});
}

export interface JsonResponse<T = unknown> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

/** fetch + read the whole body; `body` is the parsed JSON or undefined when the text is not JSON. */
export async function call<T = Record<string, unknown>>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<JsonResponse<T>> {
	const { json, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (json !== undefined) headers.set('content-type', 'application/json');
	const response = await fetch(url, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
	const text = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { status: response.status, headers: response.headers, body: body as T, text };
}

export async function bytesOf(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
	const response = await fetch(url, init);
	return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` says so (or throws after timeoutMs). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000, everyMs = 20): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting; last value: ${JSON.stringify(value)}`);
		await sleep(everyMs);
	}
}

export interface SseEvent {
	event: string;
	data: string;
	id?: string;
}

/** A spec-following server-sent-events parser (comments, multi-line data, retry, id, CRLF). */
export function parseSse(text: string): { events: SseEvent[]; comments: string[]; retry?: number } {
	const events: SseEvent[] = [];
	const comments: string[] = [];
	let retry: number | undefined;
	let event = '';
	let data: string[] = [];
	let id: string | undefined;
	for (const line of text.split(/\r\n|\r|\n/)) {
		if (line === '') {
			if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
			event = '';
			data = [];
			continue;
		}
		if (line.startsWith(':')) {
			comments.push(line.slice(1).trim());
			continue;
		}
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'event') event = value;
		else if (field === 'data') data.push(value);
		else if (field === 'id') id = value;
		else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
	}
	return { events, comments, retry };
}

export interface ReceivedHook {
	headers: IncomingHttpHeaders;
	body: string;
	at: number;
}

/** A local webhook receiver; `answer` picks the status for the n-th delivery (0-based). */
export async function startReceiver(answer: (index: number) => number = () => 200): Promise<{
	url: string;
	received: ReceivedHook[];
	close(): Promise<void>;
}> {
	const received: ReceivedHook[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const index = received.length;
			received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
			res.writeHead(answer(index), { 'content-type': 'text/plain' });
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		received,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
