/**
 * Writes a handler's Reply to the socket, applying the response-side faults: dropField,
 * malformedJson, reset/stall after N body bytes, sseDrop. Bodies are written piece by piece with
 * backpressure, so a 1 GiB stream never sits in memory.
 */
import type { ServerResponse } from 'node:http';

import { dropField, malformJson } from './faults.ts';
import { escapeXml, sleep, untilAborted } from './http.ts';
import type { Fault, Provider, Reply, RequestContext, SseItem } from './types.ts';

/** Waits until the response can take more data, or the client went away. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			signal.removeEventListener('abort', done);
			resolve();
		};
		res.once('drain', done);
		signal.addEventListener('abort', done, { once: true });
	});
}

function flushed(res: ServerResponse, chunk: Buffer): Promise<void> {
	return new Promise((resolve) => res.write(chunk, () => resolve()));
}

/** Tears the connection down with a TCP RST (the client sees ECONNRESET). */
export function resetConnection(res: ServerResponse): void {
	const socket = res.socket ?? res.req.socket;
	if (!socket || socket.destroyed) return;
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}

async function* sseBytes(items: AsyncIterable<SseItem>, dropAfter: number | undefined, dropped: { value: boolean }) {
	let events = 0;
	for await (const item of items) {
		if (item.kind === 'event') {
			if (dropAfter !== undefined && events >= dropAfter) {
				dropped.value = true;
				return;
			}
			events++;
		}
		yield Buffer.from(item.text, 'utf8');
	}
}

export async function sendReply(ctx: RequestContext, reply: Reply, fault: Fault | undefined): Promise<void> {
	const { res, signal } = ctx;
	if (reply.kind === 'done' || res.destroyed) return;
	let status = reply.status;
	let headers: Record<string, string> = {};
	let length: number | undefined;
	let pieces: () => Iterable<Buffer> | AsyncIterable<Buffer>;
	const dropped = { value: false };

	if (reply.kind === 'json') {
		let body = reply.body;
		if (fault?.type === 'dropField') body = dropField(body, fault.field);
		let text = JSON.stringify(body);
		if (fault?.type === 'malformedJson') {
			status = 200;
			text = malformJson(text);
		}
		const bytes = Buffer.from(text, 'utf8');
		headers = { 'content-type': 'application/json', ...reply.headers };
		length = bytes.length;
		pieces = () => [bytes];
	} else if (reply.kind === 'bytes') {
		const bytes = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
		headers = { ...reply.headers };
		length = bytes.length;
		pieces = () => [bytes];
	} else if (reply.kind === 'stream') {
		headers = { ...reply.headers };
		length = reply.length;
		pieces = reply.chunks;
	} else {
		headers = {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache',
			'x-accel-buffering': 'no',
			...reply.headers,
		};
		const dropAfter = fault?.type === 'sseDrop' ? fault.afterEvents : undefined;
		if (dropAfter !== undefined) headers.connection = 'close';
		const items = reply.items;
		pieces = () => sseBytes(items(signal), dropAfter, dropped);
	}

	const cut = fault?.type === 'reset' || fault?.type === 'stall' ? (fault.afterBytes ?? 0) : undefined;
	let limit = Infinity;
	if (cut !== undefined) {
		if (length === undefined || length === 0) length = undefined; // chunked, so the client waits for more
		limit = length === undefined ? cut : Math.min(cut, length - 1);
	}
	if (length !== undefined) headers['content-length'] = String(length);
	res.writeHead(status, headers);
	if (reply.kind === 'sse' || cut !== undefined) res.flushHeaders();

	let sent = 0;
	const headOnly = ctx.method === 'HEAD';
	if (!headOnly && limit > 0) {
		const iterable = pieces();
		const iterator = Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
		try {
			for (;;) {
				if (signal.aborted) break;
				const next = await iterator.next();
				if (next.done) break;
				let piece = next.value;
				if (sent + piece.length >= limit) {
					piece = piece.subarray(0, limit - sent);
					sent += piece.length;
					if (piece.length > 0) await flushed(res, piece);
					break;
				}
				sent += piece.length;
				if (reply.kind === 'sse') {
					await flushed(res, piece);
				} else if (!res.write(piece)) {
					await drained(res, signal);
				}
			}
		} finally {
			await iterator.return?.();
		}
	}
	if (res.destroyed) return;
	if (fault?.type === 'reset' && cut !== undefined) {
		// Give the client a moment to read the headers and the partial body before the RST.
		await sleep(20);
		resetConnection(res);
		return;
	}
	if (fault?.type === 'stall' && cut !== undefined) {
		await untilAborted(signal);
		return;
	}
	res.end();
	if (dropped.value) res.once('finish', () => res.socket?.end());
}

/** The body of a `status` fault when the rule gave none: each provider's own error shape. */
export function faultBody(provider: Provider, status: number): Reply {
	const message =
		status === 429 ? 'Too many requests (sandbox fault)' : status >= 500 ? 'Server error (sandbox fault)' : `HTTP ${status} (sandbox fault)`;
	switch (provider) {
		case 'eyeQuant': {
			const code = status === 429 || status === 503 ? 'over_capacity' : status >= 500 ? 'server_error' : 'client_error';
			return { kind: 'json', status, body: { error: { code, message } } };
		}
		case 'pique':
			return { kind: 'json', status, body: { detail: message } };
		case 'imageForge':
			return { kind: 'json', status, body: { error: message } };
		case 'imageIntelligence':
			return { kind: 'json', status, body: { code: status === 429 ? 'rate_limited' : 'server_error', message } };
		case 's3':
		case 'gcs': {
			const code = status === 503 || status === 429 ? 'SlowDown' : status >= 500 ? 'InternalError' : 'AccessDenied';
			return {
				kind: 'bytes',
				status,
				headers: { 'content-type': 'application/xml' },
				body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
			};
		}
		default:
			return { kind: 'bytes', status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${message}\n` };
	}
}
