/**
 * An http(s) URL as text, also JSON-escaped (`https:\/\/host\/p?sig=…`), up to a quote, space,
 * angle bracket or backslash-quote; the query string is what gets removed.
 */
const URL_PATTERN = /\bhttps?:(?:\\?\/){2}[^\s"'<>]+/gi;
/** Query parameters that carry signatures or tokens, also outside a whole URL (a cut or scheme-less link). */
const SIGNED_PARAMETER = /\b(x-amz-[a-z-]+|x-goog-[a-z-]+|signature|sig|token|access_token|api_key|apikey|key)=[^&\s"'<>\\]+/gi;
const MASK = '***';
/** A text that ends with at least this many characters of a secret is taken to be cut inside it. */
const MIN_PARTIAL = 3;
/** JSON-like values are never this deep; the bound keeps a cyclic object from looping. */
const MAX_DEPTH = 32;

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

/** Every way a secret may be written in a body: as is, JSON-escaped and URL-encoded; longest first. */
function secretForms(secrets: readonly string[]): string[] {
	const forms = new Set<string>();
	for (const secret of secrets) {
		if (!secret) continue;
		forms.add(secret);
		const escaped = JSON.stringify(secret).slice(1, -1);
		forms.add(escaped);
		forms.add(escaped.replace(/\//g, '\\/'));
		forms.add(encodeURIComponent(secret));
	}
	return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/** Masks the end of a text when it is the start of a secret (the text was cut inside the secret). */
function maskCutSecret(text: string, forms: readonly string[]): string {
	for (const form of forms) {
		for (let length = Math.min(form.length - 1, text.length); length >= MIN_PARTIAL; length--) {
			if (text.endsWith(form.slice(0, length))) return text.slice(0, text.length - length) + MASK;
		}
	}
	return text;
}

const TRAILING_PUNCTUATION = /[).,;:!\]]+$/;

/** One URL found in a text: punctuation after it stays, an already redacted one stays as it is. */
function redactFoundUrl(found: string): string {
	const done = found.indexOf('?[redacted]');
	if (done >= 0 && /^[).,;:!\]]*$/.test(found.slice(done + '?[redacted]'.length))) return found;
	const trail = TRAILING_PUNCTUATION.exec(found)?.[0] ?? '';
	const url = found.slice(0, found.length - trail.length);
	const shown = url.includes('\\/') ? redactUrl(url.replace(/\\\//g, '/')).replace(/\//g, '\\/') : redactUrl(url);
	return shown + trail;
}

/**
 * Removes every secret (whatever its length, also JSON-escaped or URL-encoded, also cut off at the
 * end of the text) and every URL query string (also in JSON-escaped URLs, and signature parameters
 * outside a URL) from a text meant for users or logs. Apply it to the whole text before any cut:
 * use `redactAndCut` to shorten.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
	const forms = secretForms(secrets);
	let out = text;
	for (const form of forms) out = out.split(form).join(MASK);
	out = maskCutSecret(out, forms);
	return out.replace(URL_PATTERN, redactFoundUrl).replace(SIGNED_PARAMETER, (_match, name: string) => `${name}=[redacted]`);
}

/** Redacts the whole text, then cuts it to at most `max` characters (with "…" when cut). */
export function redactAndCut(text: string, secrets: readonly string[], max: number): string {
	const redacted = redactText(text, secrets);
	return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted;
}

/** Deep copy of a JSON-like value with every string passed through `redactText`. */
export function redactValue<T>(value: T, secrets: readonly string[] = [], depth = 0): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (depth > MAX_DEPTH) return value;
	if (Array.isArray(value)) return value.map((entry: unknown) => redactValue(entry, secrets, depth + 1)) as T;
	if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) out[key] = redactValue(entry, secrets, depth + 1);
		return out as T;
	}
	return value;
}
