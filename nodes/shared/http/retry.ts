/** Statuses after which the provider did not do the work, or a proxy in front of it failed. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Network failures that can hit any request, including one whose body was already sent. */
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'UND_ERR_SOCKET',
	'UND_ERR_CLOSED',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
	'REQUEST_TIMEOUT',
]);

/** Failures before a connection existed: nothing reached the provider, so even a POST may be repeated. */
const NOT_CONNECTED_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'UND_ERR_CONNECT_TIMEOUT',
]);

export interface RetrySettings {
	/** Total attempts, the first one included. */
	maxTries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** A Retry-After longer than this is not waited for: the request fails with the provider's answer. */
	maxRetryAfterMs: number;
}

/**
 * Tries shared by every request made for one purpose (a download that re-requests after its body
 * broke off): `used` counts requests sent, and none is sent once it reaches `maxTries`.
 */
export interface TryBudget {
	maxTries: number;
	used: number;
}

export const DEFAULT_RETRY: RetrySettings = {
	maxTries: 5,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	maxRetryAfterMs: 120_000,
};

export function errorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * A 429 means the provider refused before doing anything, so every method may retry it.
 * 502/503/504 and dropped connections may come after the provider acted: only idempotent
 * requests retry those. Connection failures before connecting retry for every method.
 */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
	if (status === 429) return true;
	return idempotent && RETRYABLE_STATUSES.has(status);
}

export function isRetryableNetworkError(error: unknown, idempotent: boolean): boolean {
	const code = errorCode(error);
	if (!code) return false;
	if (NOT_CONNECTED_CODES.has(code)) return true;
	return idempotent && RETRYABLE_NETWORK_CODES.has(code);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (header === undefined || header.trim() === '') return undefined;
	const trimmed = header.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Exponential backoff with full jitter: a random wait in [base/2, base * 2^attempt], capped. */
export function backoffDelay(attempt: number, settings: RetrySettings, random = Math.random): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
	const floor = Math.min(ceiling, settings.baseDelayMs / 2);
	return Math.round(floor + random() * (ceiling - floor));
}
