import { readProviderError } from '../../../nodes/shared/http/errors';
import { redactAndCut, redactText, redactUrl, redactValue } from '../../../nodes/shared/http/redact';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter } from '../../../nodes/shared/http/retry';

describe('redaction', () => {
	test('a presigned URL keeps host and path, loses query, userinfo and fragment', () => {
		expect(redactUrl('https://user:pw@bucket.s3.amazonaws.com/maps/a.png?X-Amz-Signature=abc#x')).toBe(
			'https://bucket.s3.amazonaws.com/maps/a.png?[redacted]',
		);
		expect(redactUrl('https://api.eyequant.com/v2/analyses/1')).toBe('https://api.eyequant.com/v2/analyses/1');
	});

	test('secrets and URL queries are removed from free text and nested values', () => {
		const text = 'key pq_abc123456 failed at https://x.test/up?sig=zzz then pq_abc123456 again';
		expect(redactText(text, ['pq_abc123456'])).toBe('key *** failed at https://x.test/up?[redacted] then *** again');
		expect(redactValue({ a: ['see https://h.test/p?token=t1'], b: 3 }, [])).toEqual({
			a: ['see https://h.test/p?[redacted]'],
			b: 3,
		});
	});
});

describe('redaction that cannot be beaten', () => {
	const key = 'sk-live-0123456789abcdef';

	test('a body that was cut inside the key (the 64 KiB error-body limit) does not show the key\'s start', () => {
		expect(redactText(`error: bad key ${key.slice(0, 11)}`, [key])).toBe('error: bad key ***');
		expect(redactText('ends with sk', [key])).toBe('ends with sk');
	});

	test('JSON-escaped and URL-encoded keys, escaped URLs and signature parameters outside a URL', () => {
		const odd = 'pq_a/b+c"d';
		expect(redactText(`{"k":"pq_a\\/b+c\\"d"} ${encodeURIComponent(odd)}`, [odd])).toBe('{"k":"***"} ***');
		expect(redactText('"https:\\/\\/b.test\\/m.png?X-Amz-Signature=abc"', [])).toBe('"https:\\/\\/b.test\\/m.png?[redacted]"');
		expect(redactText('cut …m.png?X-Amz-Date=1&X-Amz-Signature=abc', [])).toBe('cut …m.png?X-Amz-Date=[redacted]&X-Amz-Signature=[redacted]');
	});

	test('redacting twice changes nothing, and punctuation after a URL stays outside it', () => {
		const once = redactText('refused outputs.x (https://h.test/a.png?token=abc): blocked; see https://h.test/b.', []);
		expect(once).toBe('refused outputs.x (https://h.test/a.png?[redacted]): blocked; see https://h.test/b.');
		expect(redactText(once, [])).toBe(once);
	});

	test('redact, then cut: the cut never reopens a secret or a signature', () => {
		const text = `${'a'.repeat(15)}${key} https://h.test/p?sig=zzz`;
		for (let max = 10; max < text.length; max++) {
			const shown = redactAndCut(text, [key], max);
			expect(shown).not.toContain(key.slice(0, 4));
			expect(shown).not.toContain('zzz');
			expect(shown.length).toBeLessThanOrEqual(max + 1);
		}
	});
});

describe('retry decisions', () => {
	test('429 is retried for every method, 5xx gateways only for idempotent requests', () => {
		expect(isRetryableStatus(429, false)).toBe(true);
		expect(isRetryableStatus(503, false)).toBe(false);
		expect(isRetryableStatus(503, true)).toBe(true);
		expect(isRetryableStatus(500, true)).toBe(false);
		expect(isRetryableStatus(404, true)).toBe(false);
	});

	test('Retry-After reads seconds and HTTP dates', () => {
		const now = Date.parse('2026-11-23T10:00:00Z');
		expect(parseRetryAfter('2', now)).toBe(2000);
		expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});

	test('backoff grows exponentially with jitter and stays under the cap', () => {
		const settings = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
		expect(backoffDelay(0, settings, () => 0)).toBe(50);
		expect(backoffDelay(0, settings, () => 1)).toBe(100);
		expect(backoffDelay(3, settings, () => 1)).toBe(800);
		expect(backoffDelay(10, settings, () => 1)).toBe(1000);
	});
});

describe('provider error bodies', () => {
	test.each([
		[{ error: { code: 'resource_gone', message: 'gone' } }, '', { code: 'resource_gone', message: 'gone' }],
		[{ detail: 'Job not found' }, '', { message: 'Job not found' }],
		[{ detail: [{ loc: ['body', 'limit'], msg: 'too big' }] }, '', { message: 'body.limit: too big' }],
		[{ error: 'Insufficient credits. You have 0 but need 5.' }, '', { message: 'Insufficient credits. You have 0 but need 5.' }],
		[{ success: false, msg: 'analysis_expired' }, '', { message: 'analysis_expired' }],
		[undefined, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', { code: 'AccessDenied', message: 'Request has expired' }],
		[undefined, 'plain text failure', { message: 'plain text failure' }],
	])('%j %s', (body, text, expected) => {
		expect(readProviderError(body, text)).toEqual(expected);
	});
});
