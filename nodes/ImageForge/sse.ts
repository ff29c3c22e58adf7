/**
 * A server-sent events parser following the WHATWG "event stream interpretation" rules: lines end
 * in CRLF, LF or CR; `data:` lines accumulate (joined with LF); `event:`, `id:` and `retry:` set
 * their fields; lines starting with `:` are comments; a blank line dispatches the event. Chunks may
 * be split anywhere, inside a line, inside a CRLF pair or inside a multi-byte UTF-8 character.
 */

export interface SseEvent {
	/** The `event:` field, `message` when none was given. */
	type: string;
	/** The `data:` lines joined with LF. */
	data: string;
	/** The last event id seen so far (an `id:` line stays in force for the following events). */
	id: string;
}

const LF = 10;
const CR = 13;

export class SseParser {
	/** The reconnection time the server asked for with `retry:`, if any. */
	retryMs: number | undefined;

	lastEventId = '';

	private readonly decoder = new TextDecoder('utf-8');
	private tail = '';
	private skipLeadingLf = false;
	private sawText = false;
	private eventType = '';
	private dataLines: string[] = [];
	private pendingFields = false;

	/** Feeds one chunk and returns the events it completed. */
	push(chunk: Uint8Array | string): SseEvent[] {
		const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		const events: SseEvent[] = [];
		this.feed(text, events);
		return events;
	}

	/**
	 * Ends the stream. An event without its closing blank line is not dispatched (as the spec
	 * says); `truncated` tells whether one was cut off.
	 */
	end(): { events: SseEvent[]; truncated: boolean } {
		const events: SseEvent[] = [];
		this.feed(this.decoder.decode(), events);
		const truncated = this.tail !== '' || this.pendingFields;
		this.tail = '';
		this.resetEvent();
		return { events, truncated };
	}

	private feed(text: string, events: SseEvent[]): void {
		if (text === '') return;
		let pos = 0;
		if (!this.sawText) {
			this.sawText = true;
			// TextDecoder drops a leading BOM from bytes; string chunks may still carry one.
			if (text.charCodeAt(0) === 0xfeff) pos = 1;
		}
		if (this.skipLeadingLf) {
			this.skipLeadingLf = false;
			if (text.charCodeAt(pos) === LF) pos++;
		}
		// The searches only move forward, so every character is looked at once per chunk.
		let nextLf = text.indexOf('\n', pos);
		let nextCr = text.indexOf('\r', pos);
		while (pos < text.length) {
			if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
			if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
			const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
			if (end === -1) {
				this.tail += text.slice(pos);
				return;
			}
			const piece = text.slice(pos, end);
			const line = this.tail === '' ? piece : this.tail + piece;
			this.tail = '';
			this.line(line, events);
			pos = end + 1;
			if (text.charCodeAt(end) === CR) {
				if (end + 1 < text.length) {
					if (text.charCodeAt(end + 1) === LF) pos++;
				} else {
					// A CR at the very end of a chunk: its LF may open the next one.
					this.skipLeadingLf = true;
				}
			}
		}
	}

	private line(line: string, events: SseEvent[]): void {
		if (line === '') {
			this.dispatch(events);
			return;
		}
		if (line.charCodeAt(0) === 58 /* : */) return;
		const colon = line.indexOf(':');
		let field: string;
		let value: string;
		if (colon === -1) {
			field = line;
			value = '';
		} else {
			field = line.slice(0, colon);
			value = line.charCodeAt(colon + 1) === 32 /* space */ ? line.slice(colon + 2) : line.slice(colon + 1);
		}
		switch (field) {
			case 'event':
				this.eventType = value;
				this.pendingFields = true;
				break;
			case 'data':
				this.dataLines.push(value);
				this.pendingFields = true;
				break;
			case 'id':
				if (!value.includes('\u0000')) this.lastEventId = value;
				break;
			case 'retry':
				if (/^\d+$/.test(value)) this.retryMs = Number(value);
				break;
			default:
				// Unknown fields are ignored, as the spec says.
				break;
		}
	}

	private dispatch(events: SseEvent[]): void {
		if (this.dataLines.length > 0) {
			events.push({ type: this.eventType || 'message', data: this.dataLines.join('\n'), id: this.lastEventId });
		}
		this.resetEvent();
	}

	private resetEvent(): void {
		this.eventType = '';
		this.dataLines = [];
		this.pendingFields = false;
	}
}

/** The outcome of reading a whole stream with `readSse`. */
export interface SseStreamEnd {
	/** The last event was cut off before its closing blank line. */
	truncated: boolean;
}

/**
 * Yields each event as soon as the chunk that completes it arrives. `onEnd` learns whether the
 * stream stopped in the middle of an event.
 */
export async function* readSse(
	source: AsyncIterable<Uint8Array | string>,
	parser: SseParser = new SseParser(),
	onEnd?: (end: SseStreamEnd) => void,
): AsyncGenerator<SseEvent> {
	for await (const chunk of source) {
		for (const event of parser.push(chunk)) yield event;
	}
	const { events, truncated } = parser.end();
	for (const event of events) yield event;
	onEnd?.({ truncated });
}
