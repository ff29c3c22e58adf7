import { SseParser, readSse } from '../../../nodes/ImageForge/sse';
import type { SseEvent } from '../../../nodes/ImageForge/sse';

/** A stream with every feature at once: comments, retry, ids, multi-line data, all three line endings, multi-byte UTF-8. */
const STREAM = Buffer.from(
	[
		'retry: 3000\n\n',
		': analyze stream for 3 image(s)\n\n',
		'id: 1\nevent: progress\ndata: {"imageId":"img_1","status":"processing","current":1,"total":3}\n\n',
		': keep-alive\n\n',
		'id: 2\r\nevent: result\r\ndata: {\r\ndata:   "imageId": "img_1",\r\ndata:   "title": "Café ☕ in 🎨 tones"\r\ndata: }\r\n\r\n',
		'id: 3\revent: error\rdata: {"imageId":"img_2","error":"Could not decode"}\r\r',
		'data:no-space-after-colon\n\n',
		'data\n\n',
		'event: no-data-so-never-dispatched\n\n',
		'id: bad\u0000id\nretry: soon\nunknown-field: x\nevent: progress\ndata:  two leading spaces\n\n',
		'id: 9\nevent: complete\ndata: {"status":"completed","processed":1,"total":3}\n\n',
		'event: cut-off\ndata: {"this event never gets its blank line',
	].join(''),
	'utf8',
);

const EXPECTED: SseEvent[] = [
	{ type: 'progress', id: '1', data: '{"imageId":"img_1","status":"processing","current":1,"total":3}' },
	{ type: 'result', id: '2', data: '{\n  "imageId": "img_1",\n  "title": "Café ☕ in 🎨 tones"\n}' },
	{ type: 'error', id: '3', data: '{"imageId":"img_2","error":"Could not decode"}' },
	{ type: 'message', id: '3', data: 'no-space-after-colon' },
	{ type: 'message', id: '3', data: '' },
	{ type: 'progress', id: '3', data: ' two leading spaces' },
	{ type: 'complete', id: '9', data: '{"status":"completed","processed":1,"total":3}' },
	// The end of the stream closes the last event (its blank line never came).
	{ type: 'cut-off', id: '9', data: '{"this event never gets its blank line' },
];

function parseChunks(chunks: Array<Uint8Array | string>) {
	const parser = new SseParser();
	const events: SseEvent[] = [];
	for (const chunk of chunks) events.push(...parser.push(chunk));
	const end = parser.end();
	events.push(...end.events);
	return { events, truncated: end.truncated, retryMs: parser.retryMs, lastEventId: parser.lastEventId };
}

describe('SseParser', () => {
	test('reads events, ids, retry, comments, multi-line data and every line ending', () => {
		const whole = parseChunks([STREAM]);
		expect(whole.events).toEqual(EXPECTED);
		expect(whole.retryMs).toBe(3000);
		expect(whole.lastEventId).toBe('9');
		expect(whole.truncated).toBe(true);
		expect(JSON.parse(whole.events[1].data)).toEqual({ imageId: 'img_1', title: 'Café ☕ in 🎨 tones' });
	});

	test('the same stream split at every byte boundary gives identical events', () => {
		const reference = parseChunks([STREAM]);
		for (let at = 1; at < STREAM.length; at++) {
			const split = parseChunks([STREAM.subarray(0, at), STREAM.subarray(at)]);
			if (JSON.stringify(split) !== JSON.stringify(reference)) {
				// One readable failure instead of thousands of expect() calls.
				expect({ splitAt: at, ...split }).toEqual({ splitAt: at, ...reference });
			}
		}
	});

	test('chunks of every size, down to single bytes, give identical events', () => {
		const reference = parseChunks([STREAM]);
		for (let size = 1; size <= STREAM.length; size++) {
			const chunks: Buffer[] = [];
			for (let at = 0; at < STREAM.length; at += size) chunks.push(STREAM.subarray(at, at + size));
			const result = parseChunks(chunks);
			if (JSON.stringify(result) !== JSON.stringify(reference)) expect({ size, ...result }).toEqual({ size, ...reference });
		}
	});

	test('three-way splits around the CRLF, CR-only and multi-byte parts give identical events', () => {
		const reference = parseChunks([STREAM]);
		const from = STREAM.indexOf('id: 2');
		const to = STREAM.indexOf('data:no-space');
		for (let a = from; a < to; a++) {
			for (let b = a + 1; b <= to; b++) {
				const result = parseChunks([STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)]);
				if (JSON.stringify(result) !== JSON.stringify(reference)) expect({ a, b, ...result }).toEqual({ a, b, ...reference });
			}
		}
	});

	test('CRLF, LF and CR line endings are the same stream', () => {
		const lf = 'event: result\ndata: line one\ndata: line two\n: comment\nid: 5\n\n';
		const crlf = lf.replace(/\n/g, '\r\n');
		const cr = lf.replace(/\n/g, '\r');
		const expected = [{ type: 'result', data: 'line one\nline two', id: '5' }];
		expect(parseChunks([lf]).events).toEqual(expected);
		expect(parseChunks([crlf]).events).toEqual(expected);
		expect(parseChunks([cr]).events).toEqual(expected);
		// A CR at the end of one chunk and its LF at the start of the next are one line break, not two.
		expect(parseChunks(['event: result\r', '\ndata: line one\r', '\ndata: line two\r\n: comment\r\nid: 5\r', '\n\r', '\n']).events).toEqual(expected);
	});

	test('comments and retry lines dispatch nothing', () => {
		const { events, retryMs, truncated } = parseChunks([': only a comment\n\nretry: 1500\n\n:\n\n']);
		expect(events).toEqual([]);
		expect(retryMs).toBe(1500);
		expect(truncated).toBe(false);
	});

	test('a leading byte order mark is ignored, in bytes and in text', () => {
		const text = '\uFEFFdata: x\n\n';
		expect(parseChunks([Buffer.from(text, 'utf8')]).events).toEqual([{ type: 'message', data: 'x', id: '' }]);
		expect(parseChunks([text]).events).toEqual([{ type: 'message', data: 'x', id: '' }]);
	});

	test('a stream cut inside a multi-byte character ends truncated, not with a half event', () => {
		const bytes = Buffer.from('data: ok\n\ndata: é', 'utf8');
		const { events, truncated } = parseChunks([bytes.subarray(0, bytes.length - 1)]);
		expect(events).toEqual([{ type: 'message', data: 'ok', id: '' }]);
		expect(truncated).toBe(true);
	});
});

describe('readSse', () => {
	test('yields each event as soon as its chunk arrives, before the stream ends', async () => {
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const seen: string[] = [];
		async function* source() {
			yield Buffer.from('event: result\ndata: {"imageId":"a"}\n\nevent: res');
			seen.push('first chunk consumed');
			await gate;
			yield Buffer.from('ult\ndata: {"imageId":"b"}\n\n');
		}
		const ends: boolean[] = [];
		const iterator = readSse(source(), undefined, (end) => ends.push(end.truncated))[Symbol.asyncIterator]();
		const first = await iterator.next();
		expect(first.value).toEqual({ type: 'result', data: '{"imageId":"a"}', id: '' });
		expect(seen).toEqual([]);
		release();
		const second = await iterator.next();
		expect(second.value).toEqual({ type: 'result', data: '{"imageId":"b"}', id: '' });
		expect((await iterator.next()).done).toBe(true);
		expect(ends).toEqual([false]);
	});

	test('reports a stream that ends in the middle of an event, and hands over what arrived', async () => {
		async function* source() {
			yield 'event: complete\ndata: {"status":';
		}
		const ends: boolean[] = [];
		const events: SseEvent[] = [];
		for await (const event of readSse(source(), undefined, (end) => ends.push(end.truncated))) events.push(event);
		expect(events).toEqual([{ type: 'complete', data: '{"status":', id: '' }]);
		expect(ends).toEqual([true]);
	});

	test('the last event is dispatched when the stream ends after its data line but without the blank line (example 8)', async () => {
		const complete = JSON.stringify({ status: 'completed', results: [{ imageId: 'img_1' }] });
		for (const ending of ['\n', '\r\n', '\r', '']) {
			async function* source() {
				yield `event: result\ndata: {"imageId":"img_1"}\n\nevent: complete\ndata: ${complete}${ending}`;
			}
			const events: SseEvent[] = [];
			for await (const event of readSse(source())) events.push(event);
			expect(events.map((event) => event.type)).toEqual(['result', 'complete']);
			expect(events[1].data).toBe(complete);
		}
	});

	test('an event past the size cap fails with a clear error instead of growing without bound (example 9)', () => {
		const parser = new SseParser(1024);
		expect(parser.push('event: result\ndata: {"imageId":"a"}\n\n')).toHaveLength(1);
		expect(() => parser.push(`event: result\ndata: ${'x'.repeat(2048)}`)).toThrow(
			expect.objectContaining({ code: 'SSE_EVENT_TOO_LARGE', message: 'an event grew past 1024 characters without ending' }),
		);
	});

	test('comments do not reset the idle limit (example 9)', async () => {
		async function* commentsOnly() {
			yield 'event: progress\ndata: {}\n\n';
			for (;;) {
				await new Promise((resolve) => setTimeout(resolve, 20));
				yield ': keep-alive\n\n';
			}
		}
		const started = Date.now();
		const events: SseEvent[] = [];
		await expect(
			(async () => {
				for await (const event of readSse(commentsOnly(), undefined, undefined, { idleMs: 200 })) events.push(event);
			})(),
		).rejects.toMatchObject({ code: 'SSE_IDLE_LIMIT', message: 'no event arrived for 0.2 s' });
		expect(events).toHaveLength(1);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	test('events keep the idle limit at bay, the overall limit still ends the stream (example 9)', async () => {
		async function* busy() {
			for (;;) {
				await new Promise((resolve) => setTimeout(resolve, 20));
				yield 'data: {}\n\n';
			}
		}
		let events = 0;
		await expect(
			(async () => {
				for await (const event of readSse(busy(), undefined, undefined, { idleMs: 100, totalMs: 300 })) events += event.type === 'message' ? 1 : 0;
			})(),
		).rejects.toMatchObject({ code: 'SSE_TIME_LIMIT', message: 'the stream ran longer than 0.3 s' });
		expect(events).toBeGreaterThan(5);
	});
});
