import type { IncomingMessage, ServerResponse } from 'node:http';

export type Provider = 'eyeQuant' | 'imageIntelligence' | 'pique' | 'imageForge' | 's3' | 'gcs' | 'files' | 'control';

export interface SandboxOptions {
	/** 0 = random free port (tests); default 4010 for the CLI. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Real milliseconds that count as one provider hour (expiry). Default 3_600_000. */
	hourMs?: number;
	/** EyeQuant pending -> success delay. Default 1500. */
	eyeQuantProcessingMs?: number;
	/** Pique pending -> processing -> completed total. Default 2000. */
	piqueProcessingMs?: number;
	/** Image Intelligence IN_PROGRESS -> COMPLETED_* delay. Default 1000. */
	imageIntelligenceProcessingMs?: number;
	/** Image Forge SSE pacing per image. Default 20. */
	imageForgeMsPerImage?: number;
	/** Byte size of every EyeQuant map PNG (padded with a private ancillary chunk). Default: natural size. */
	mapBytes?: number;
	/** Added before every API answer (not the s3/gcs/files routes). Default 0. */
	latencyMs?: number;
	/** Pique webhook HMAC secret. Default 'whsec_sandbox'. */
	webhookSecret?: string;
	/** Starting balance of the default Image Forge key. Default 1000. */
	imageForgeCredits?: number;
	/**
	 * Keep each API request's headers and body in its log entry (request-shape tests). Default
	 * false: the log then holds no keys and no request bodies, and its memory stays small.
	 */
	recordRequests?: boolean;
}

export interface SandboxConfig {
	hourMs: number;
	eyeQuantProcessingMs: number;
	piqueProcessingMs: number;
	imageIntelligenceProcessingMs: number;
	imageForgeMsPerImage: number;
	mapBytes: number | undefined;
	latencyMs: number;
	webhookSecret: string;
	imageForgeCredits: number;
}

export interface RequestLogEntry {
	/** Sequence number, starting at 1 for each sandbox. */
	seq: number;
	method: string;
	/** Full path on the sandbox (no query string), e.g. `/eyequant/v2/analyses`. */
	path: string;
	query: Record<string, string>;
	/** HTTP status sent; 0 when the connection was reset (or stalled) before any status was sent. */
	status: number;
	provider: Provider;
	/** Sandbox clock (epoch ms, including advanceTime) when the request arrived. */
	at: number;
	/** The fault type applied to this request, if any. */
	fault?: Fault['type'];
	/** The request's headers (lower-case names), with `recordRequests` only. */
	headers?: Record<string, string | string[] | undefined>;
	/** The whole body as the sandbox read it before answering, with `recordRequests` only (not storage PUTs). */
	body?: Buffer;
}

export interface LogFilter {
	method?: string;
	pathPrefix?: string;
	provider?: string;
	status?: number;
}

export type Fault =
	| { type: 'status'; status: number; retryAfter?: number | string; body?: unknown }
	/** An error answer that repeats the request (URL with query, headers with the key, body) in `format` (sandbox/echo.ts). */
	| { type: 'echo'; status: number; format: 'json' | 'text' | 'html' | 'sse' }
	| { type: 'reset'; afterBytes?: number }
	| { type: 'stall'; afterBytes?: number }
	| { type: 'malformedJson' }
	| { type: 'dropField'; field: string }
	| { type: 'sseDrop'; afterEvents: number }
	| { type: 'latency'; ms: number }
	/** A 3xx with Location (not processed); chains by pointing at a URL that carries its own fault. */
	| { type: 'redirect'; location: string; status: RedirectStatus }
	/** The real answer sent in this content coding (Content-Encoding set). */
	| { type: 'encoding'; coding: ContentCoding }
	/** The real answer with this Content-Type header (e.g. the alias `image/jpg`). */
	| { type: 'contentType'; value: string }
	/** A storage host's answer to an expired presigned link (not processed). */
	| { type: 'expired'; style: 's3' | 'gcs' }
	/** The body sent `bytes` bytes at a time, `everyMs` apart. */
	| { type: 'trickle'; bytes: number; everyMs: number }
	/** An SSE answer that sends only `: keep-alive` comments, `everyMs` apart, until the client leaves. */
	| { type: 'sseCommentsOnly'; everyMs: number }
	/** An SSE answer whose last event lacks its closing blank line; the connection then closes. */
	| { type: 'sseUnterminated' }
	/** An SSE answer that is one event with a `data:` line of `bytes` bytes and no line break, then closes. */
	| { type: 'sseHugeEvent'; bytes: number };

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;
export type ContentCoding = 'gzip' | 'deflate' | 'br' | 'zstd';

export interface FaultRule {
	match?: { method?: string; path?: RegExp | string; provider?: string };
	/** Fault every Nth matching call (1 = every call). Default 1. */
	every?: number;
	/** Stop after this many faults. Default unlimited. */
	times?: number;
	fault: Fault;
}

/** One server-sent-events item; only `event` items count for the sseDrop fault. */
export type SseItem = { kind: 'event'; text: string } | { kind: 'comment'; text: string };

export type Reply =
	| { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
	| { kind: 'bytes'; status: number; body: Buffer | string; headers: Record<string, string> }
	| {
			kind: 'stream';
			status: number;
			headers: Record<string, string>;
			/** Exact byte count when known (sent as Content-Length). */
			length?: number;
			chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>;
	  }
	| { kind: 'sse'; status: number; headers?: Record<string, string>; items: (signal: AbortSignal) => AsyncIterable<SseItem> }
	/** The handler wrote the response itself (nothing else to do). */
	| { kind: 'done' };

export interface Clock {
	now(): number;
}

export interface RequestContext {
	req: IncomingMessage;
	res: ServerResponse;
	method: string;
	/** Full path, decoded form not applied (as received). */
	path: string;
	/** Path below the provider prefix, e.g. `/analyses/abc` for EyeQuant. */
	subpath: string;
	/** Query string parameters, without the sandbox's own `__fault`. */
	query: URLSearchParams;
	provider: Provider;
	entry: RequestLogEntry;
	/** Aborted when the client goes away or the sandbox closes. */
	signal: AbortSignal;
}
