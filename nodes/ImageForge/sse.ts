/**
 * Server-sent events for Image Forge's streams, read with `eventsource-parser` (the WHATWG "event
 * stream interpretation" rules: CRLF, LF or CR line ends; `data:` lines joined with LF; comments;
 * chunks split anywhere, inside a multi-byte UTF-8 character too), plus what a node needs on top:
 * the last event is dispatched when the stream ends without its blank line, one event may not
 * grow past a size cap, and a stream may not run past an idle limit (comments do not count as
 * activity) or an overall limit.
 */
import { createParser } from 'eventsource-parser';
import type { EventSourceParser } from 'eventsource-parser';

export interface SseEvent {
	/** The `event:` field, `message` when none was given. */
	type: string;
	/** The `data:` lines joined with LF. */
	data: string;
	/** The last event id seen so far (an `id:` line stays in force for the following events). */
	id: string;
}

/** Why a stream was given up: `code` is `SSE_EVENT_TOO_LARGE`, `SSE_IDLE_LIMIT` or `SSE_TIME_LIMIT`. */
export class SseLimitError extends Error {
	readonly code: 'SSE_EVENT_TOO_LARGE' | 'SSE_IDLE_LIMIT' | 'SSE_TIME_LIMIT';

	constructor(code: SseLimitError['code'], message: string) {
		super(message);
		this.code = code;
	}
}

/** Default cap on one event (its unfinished lines and data): far above any Image Forge event. */
export const DEFAULT_MAX_EVENT_CHARS = 8 * 1024 * 1024;

export class SseParser {
	/** The reconnection time the server asked for with `retry:`, if any. */
	retryMs: number | undefined;

	lastEventId = '';

	private readonly decoder = new TextDecoder('utf-8');
	private readonly parser: EventSourceParser;
	private readonly maxEventChars: number;
	private events: SseEvent[] = [];
	private tooLarge = false;
	private sawText = false;

	/** `maxEventChars`: an event (or an unfinished line) longer than this throws `SseLimitError`. */
	constructor(maxEventChars = DEFAULT_MAX_EVENT_CHARS) {
		this.maxEventChars = maxEventChars;
		this.parser = createParser({
			onEvent: (event) => {
				if (event.id !== undefined) this.lastEventId = event.id;
				this.events.push({ type: event.event ?? 'message', data: event.data, id: this.lastEventId });
			},
			onRetry: (ms) => {
				this.retryMs = ms;
			},
			onError: (error) => {
				if (error.type === 'max-buffer-size-exceeded') this.tooLarge = true;
			},
			maxBufferSize: maxEventChars,
		});
	}

	/** Feeds one chunk and returns the events it completed; throws `SseLimitError` for an oversized event. */
	push(chunk: Uint8Array | string): SseEvent[] {
		let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		if (!this.sawText && text !== '') {
			this.sawText = true;
			// TextDecoder drops a leading BOM from bytes; string chunks may still carry one.
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		if (text !== '') this.parser.feed(text);
		if (this.tooLarge) {
			throw new SseLimitError('SSE_EVENT_TOO_LARGE', `an event grew past ${this.maxEventChars} characters without ending`);
		}
		return this.take();
	}

	/**
	 * Ends the stream. A complete event whose closing blank line never came is dispatched (the end
	 * of the stream closes it; eventsource-parser's `reset({ consume: true })` only finishes the
	 * last line, so two line ends are fed instead). An event cut inside a multi-byte character is
	 * dropped. `truncated` tells whether the stream stopped inside an event.
	 */
	end(): { events: SseEvent[]; truncated: boolean } {
		const events = this.take();
		const cutCharacter = this.decoder.decode() !== '';
		if (cutCharacter) {
			this.parser.reset();
			return { events, truncated: true };
		}
		this.parser.feed('\n\n');
		const closedByEnd = this.take();
		this.parser.reset();
		return { events: [...events, ...closedByEnd], truncated: closedByEnd.length > 0 };
	}

	private take(): SseEvent[] {
		const events = this.events;
		this.events = [];
		return events;
	}
}

/** The outcome of reading a whole stream with `readSse`. */
export interface SseStreamEnd {
	/** The stream stopped inside an event (its last event came without the closing blank line). */
	truncated: boolean;
}

/** Bounds on reading one stream; each is off when absent. */
export interface SseLimits {
	/** Longest time without an event; comments and keep-alives do not count. */
	idleMs?: number;
	/** Longest time for the whole stream. */
	totalMs?: number;
}

/**
 * Yields each event as soon as the chunk that completes it arrives. `onEnd` learns whether the
 * stream stopped in the middle of an event. Throws `SseLimitError` when a limit runs out (the
 * caller destroys the source).
 */
export async function* readSse(
	source: AsyncIterable<Uint8Array | string>,
	parser: SseParser = new SseParser(),
	onEnd?: (end: SseStreamEnd) => void,
	limits: SseLimits = {},
): AsyncGenerator<SseEvent> {
	const iterator = source[Symbol.asyncIterator]();
	const total = limits.totalMs !== undefined ? AbortSignal.timeout(limits.totalMs) : undefined;
	let idle = limits.idleMs !== undefined ? AbortSignal.timeout(limits.idleMs) : undefined;
	for (;;) {
		const next = await nextWithin(iterator, total, idle, limits);
		if (next.done) break;
		const events = parser.push(next.value);
		if (events.length > 0 && limits.idleMs !== undefined) idle = AbortSignal.timeout(limits.idleMs);
		for (const event of events) yield event;
	}
	const { events, truncated } = parser.end();
	for (const event of events) yield event;
	onEnd?.({ truncated });
}

async function nextWithin<T>(
	iterator: AsyncIterator<T>,
	total: AbortSignal | undefined,
	idle: AbortSignal | undefined,
	limits: SseLimits,
): Promise<IteratorResult<T>> {
	const next = iterator.next();
	if (!total && !idle) return await next;
	// The read left behind when a limit wins fails once the caller destroys the source.
	next.catch(() => undefined);
	const watched: Array<[AbortSignal, () => SseLimitError]> = [];
	if (total) watched.push([total, () => new SseLimitError('SSE_TIME_LIMIT', `the stream ran longer than ${seconds(limits.totalMs)} s`)]);
	if (idle) watched.push([idle, () => new SseLimitError('SSE_IDLE_LIMIT', `no event arrived for ${seconds(limits.idleMs)} s`)]);
	const cleanups: Array<() => void> = [];
	const limit = new Promise<never>((_resolve, reject) => {
		for (const [signal, error] of watched) {
			if (signal.aborted) reject(error());
			const onAbort = () => reject(error());
			signal.addEventListener('abort', onAbort, { once: true });
			cleanups.push(() => signal.removeEventListener('abort', onAbort));
		}
	});
	try {
		return await Promise.race([next, limit]);
	} finally {
		for (const cleanup of cleanups) cleanup();
	}
}

function seconds(ms: number | undefined): number {
	return Math.round((ms ?? 0) / 100) / 10;
}
