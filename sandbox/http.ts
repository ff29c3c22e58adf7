import type { IncomingMessage } from 'node:http';

import type { Reply } from './types.ts';

export class BodyTooLarge extends Error {
	readonly limit: number;

	constructor(limit: number) {
		super(`Request body larger than ${limit} bytes`);
		this.limit = limit;
	}
}

export class BadJson extends Error {}

const bodiesRead = new WeakMap<IncomingMessage, Buffer>();

/** The whole body readBody read from this request, if it read one (the request log's `body`). */
export function bodyRead(req: IncomingMessage): Buffer | undefined {
	return bodiesRead.get(req);
}

/**
 * Reads the whole request body up to `limit` bytes. Over the limit it stops collecting, lets the
 * rest drain (so the client still gets the answer) and throws BodyTooLarge.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) {
		req.resume();
		return Promise.reject(new BodyTooLarge(limit));
	}
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				cleanup();
				req.resume();
				reject(new BodyTooLarge(limit));
				return;
			}
			chunks.push(chunk);
		};
		const onEnd = () => {
			cleanup();
			const body = Buffer.concat(chunks);
			bodiesRead.set(req, body);
			resolve(body);
		};
		const onError = (error: Error) => {
			cleanup();
			reject(error);
		};
		const onClose = () => {
			if (!req.complete) {
				cleanup();
				reject(new Error('Client went away before the body was complete'));
			}
		};
		const cleanup = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onError);
			req.off('close', onClose);
		};
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onError);
		req.on('close', onClose);
	});
}

/** Parses a JSON body; BadJson when it is not JSON (or empty). */
export async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<unknown> {
	const body = await readBody(req, limit);
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		throw new BadJson('Request body is not valid JSON');
	}
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { kind: 'json', status, body, headers };
}

export function xml(status: number, body: string, headers: Record<string, string> = {}): Reply {
	return { kind: 'bytes', status, body, headers: { 'content-type': 'application/xml', ...headers } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done, { once: true });
	});
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** http(s) URL check used by every provider's validation. */
export function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

/** Only loopback hosts are ever contacted by the sandbox (image fetches, webhooks). */
export function isLoopbackUrl(value: string): boolean {
	try {
		const { hostname, protocol } = new URL(value);
		if (protocol !== 'http:' && protocol !== 'https:') return false;
		return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
	} catch {
		return false;
	}
}

export function randomHex(bytes: number): string {
	return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

export function escapeXml(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
