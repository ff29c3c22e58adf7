const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>]+/gi;
const MASK = '***';

/** A URL as it may be shown to a user: no query string (presigned signatures live there), no userinfo. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const hadQuery = parsed.search.length > 0;
		parsed.username = '';
		parsed.password = '';
		parsed.search = '';
		parsed.hash = '';
		return hadQuery ? `${parsed.toString()}?[redacted]` : parsed.toString();
	} catch {
		return url.replace(/\?.*$/, '?[redacted]');
	}
}

/** Removes every secret and every URL query string from a text meant for users or logs. */
export function redactText(text: string, secrets: readonly string[] = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join(MASK);
	}
	return out.replace(URL_PATTERN, (url) => redactUrl(url));
}

/** Deep copy of a JSON-like value with every string passed through `redactText`. */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (Array.isArray(value)) return value.map((entry: unknown) => redactValue(entry, secrets)) as T;
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) out[key] = redactValue(entry, secrets);
		return out as T;
	}
	return value;
}
