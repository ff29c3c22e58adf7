/**
 * Writes a handler's Reply to the socket, applying the response-side faults: dropField,
 * malformedJson, reset/stall after N body bytes, sseDrop. Bodies are written piece by piece with
 * backpressure, so a 1 GiB stream never sits in memory.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, createBrotliCompress, createDeflate, createGzip, createZstdCompress, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import type { Transform } from 'node:stream';

import { dropField, malformJson } from './faults.ts';
import { escapeXml, sleep, untilAborted } from './http.ts';
import type { ContentCoding, Fault, Provider, Reply, RequestContext, SseItem } from './types.ts';

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

const ENCODE_SYNC: Record<ContentCoding, (bytes: Buffer) => Buffer> = {
	gzip: (bytes) => gzipSync(bytes),
	deflate: (bytes) => deflateSync(bytes),
	br: (bytes) => brotliCompressSync(bytes),
	zstd: (bytes) => zstdCompressSync(bytes),
};
const ENCODE_STREAM: Record<ContentCoding, () => Transform> = {
	gzip: () => createGzip(),
	deflate: () => createDeflate(),
	br: () => createBrotliCompress(),
	zstd: () => createZstdCompress(),
};

/** The body pieces in a content coding, compressed as they stream. */
function encodedPieces(pieces: () => Iterable<Buffer> | AsyncIterable<Buffer>, coding: ContentCoding): () => AsyncIterable<Buffer> {
	return () => Readable.from(pieces()).pipe(ENCODE_STREAM[coding]());
}

/** The body pieces cut to `bytes` at a time, `everyMs` apart (a host that trickles). */
async function* trickled(pieces: Iterable<Buffer> | AsyncIterable<Buffer>, bytes: number, everyMs: number, signal: AbortSignal): AsyncGenerator<Buffer> {
	for await (const piece of pieces) {
		for (let at = 0; at < piece.length; at += bytes) {
			if (signal.aborted) return;
			yield piece.subarray(at, at + bytes);
			await sleep(everyMs, signal);
		}
	}
}

/** The SSE items the sse* faults send instead of (or made from) the real ones. */
async function* faultedSse(items: AsyncIterable<SseItem>, fault: Fault | undefined, signal: AbortSignal): AsyncGenerator<SseItem> {
	if (fault?.type === 'sseCommentsOnly') {
		yield { kind: 'comment', text: ': stream open\n\n' };
		while (!signal.aborted) {
			await sleep(fault.everyMs, signal);
			yield { kind: 'comment', text: ': keep-alive\n\n' };
		}
		return;
	}
	if (fault?.type === 'sseHugeEvent') {
		yield { kind: 'comment', text: 'event: result\ndata: ' };
		const chunk = 'x'.repeat(64 * 1024);
		for (let sent = 0; sent < fault.bytes && !signal.aborted; sent += chunk.length) {
			yield { kind: 'comment', text: chunk.slice(0, Math.min(chunk.length, fault.bytes - sent)) };
		}
		return;
	}
	let held: SseItem | undefined;
	for await (const item of items) {
		if (held) yield held;
		held = item;
	}
	if (!held) return;
	// sseUnterminated: the last event's closing blank line (one of its two line ends) is not sent.
	yield held.kind === 'event' && fault?.type === 'sseUnterminated' ? { ...held, text: held.text.replace(/\n\n$/, '\n') } : held;
}

/** A storage host's answer to an expired presigned link: S3 403 AccessDenied, GCS 400 ExpiredToken. */
export function expiredLinkBody(style: 's3' | 'gcs', now: number): Reply {
	const xml =
		style === 's3'
			? '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
			: `<Error><Code>ExpiredToken</Code><Message>Invalid argument.</Message><Details>The provided token has expired. Request signature expired at: ${new Date(now).toISOString()}</Details></Error>`;
	return {
		kind: 'bytes',
		status: style === 's3' ? 403 : 400,
		headers: { 'content-type': 'application/xml; charset=UTF-8' },
		body: `<?xml version='1.0' encoding='UTF-8'?>${xml}`,
	};
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
		const closes = dropAfter !== undefined || fault?.type === 'sseUnterminated' || fault?.type === 'sseHugeEvent';
		if (closes) headers.connection = 'close';
		const items = reply.items;
		pieces = () => sseBytes(faultedSse(items(signal), fault, signal), dropAfter, dropped);
		if (closes && dropAfter === undefined) dropped.value = true;
	}

	if (fault?.type === 'contentType') headers['content-type'] = fault.value;
	if (fault?.type === 'encoding') {
		headers['content-encoding'] = fault.coding;
		if (length !== undefined && (reply.kind === 'json' || reply.kind === 'bytes')) {
			const encoded = ENCODE_SYNC[fault.coding](Buffer.concat([...(pieces() as Iterable<Buffer>)]));
			length = encoded.length;
			pieces = () => [encoded];
		} else {
			length = undefined;
			pieces = encodedPieces(pieces, fault.coding);
		}
	}
	if (fault?.type === 'trickle') {
		const plain = pieces;
		pieces = () => trickled(plain(), fault.bytes, fault.everyMs, signal);
	}

	const cut = fault?.type === 'reset' || fault?.type === 'stall' ? (fault.afterBytes ?? 0) : undefined;
	let limit = Infinity;
	if (cut !== undefined) {
		if (length === undefined || length === 0) length = undefined; // chunked, so the client waits for more
		limit = length === undefined ? cut : Math.min(cut, length - 1);
	}
	if (length !== undefined) headers['content-length'] = String(length);
	res.writeHead(status, headers);
	if (reply.kind === 'sse' || cut !== undefined || fault?.type === 'trickle') res.flushHeaders();

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
				if (reply.kind === 'sse' || fault?.type === 'trickle') {
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
