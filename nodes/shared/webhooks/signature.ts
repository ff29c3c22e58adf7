import { createHmac, timingSafeEqual } from 'node:crypto';

const SHA256_BYTES = 32;

/** The signature's bytes from hex (64 digits) or base64 (standard or URL-safe, padding optional); undefined otherwise. */
function signatureBytes(text: string): Buffer | undefined {
	if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
	if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
	const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	return bytes.length === SHA256_BYTES ? bytes : undefined;
}

/**
 * Whether `header` is the HMAC-SHA256 of the raw request body with `secret`, as Pique signs its
 * webhooks (`X-Webhook-Signature`; PROVIDERS.md §3). Pique does not document the encoding, so hex
 * and base64 are both accepted, with or without a `sha256=` prefix; the comparison takes the same
 * time wherever the bytes differ. A missing header or secret is never valid.
 */
export function isValidHmacSignature(rawBody: Buffer, header: string | string[] | undefined, secret: string): boolean {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value || !secret) return false;
	const given = signatureBytes(value.trim().replace(/^sha256=/i, ''));
	if (!given) return false;
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	return timingSafeEqual(given, expected);
}
