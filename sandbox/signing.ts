/**
 * Presigned URLs in the style of S3 (EyeQuant maps) and GCS (Pique uploads). The signature is an
 * HMAC-SHA256 (hex) over the method, the path and every other query parameter, sorted, so any
 * change to the URL breaks it. The expiry itself is checked against the sandbox clock by the
 * route (the X-Amz-Date/X-Goog-Date values only have second resolution and "one hour" can be
 * milliseconds long in tests).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { escapeXml } from './http.ts';

// Sandbox-only signing keys (not secrets: anyone can read them here; they only make URLs tamper-evident).
const S3_SIGNING_KEY = 'sandbox-s3-signing-key';
const GCS_SIGNING_KEY = 'sandbox-gcs-signing-key';

/** Query parameters that never take part in a signature (the sandbox's own fault switch). */
const UNSIGNED = new Set(['__fault']);

function canonical(method: string, path: string, params: Array<[string, string]>): string {
	const sorted = params
		.filter(([k]) => !UNSIGNED.has(k))
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
		.sort();
	return `${method}\n${path}\n${sorted.join('&')}`;
}

function sign(key: string, text: string): string {
	return createHmac('sha256', key).update(text).digest('hex');
}

function amzDate(ms: number): string {
	return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function query(params: Array<[string, string]>): string {
	return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

function verify(key: string, method: string, path: string, search: URLSearchParams, signatureParam: string): boolean {
	const given = search.get(signatureParam);
	if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
	const params = [...search.entries()].filter(([k]) => k !== signatureParam);
	const expected = sign(key, canonical(method, path, params));
	return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

/** `path` must be the sandbox path, e.g. `/s3/eyequant-maps/<id>/attentionMap.png`. */
export function signS3Url(base: string, path: string, signedAtMs: number, expiresSeconds = 3600): string {
	const date = amzDate(signedAtMs);
	const params: Array<[string, string]> = [
		['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
		['X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD'],
		['X-Amz-Credential', `ASIASANDBOXEXAMPLE/${date.slice(0, 8)}/eu-west-1/s3/aws4_request`],
		['X-Amz-Date', date],
		['X-Amz-Expires', String(expiresSeconds)],
		['X-Amz-SignedHeaders', 'host'],
	];
	params.push(['X-Amz-Signature', sign(S3_SIGNING_KEY, canonical('GET', path, params))]);
	return `${base}${path}?${query(params)}`;
}

/** S3 signs GET; HEAD of the same URL is accepted as well (as S3 does for presigned GETs). */
export function verifyS3(path: string, search: URLSearchParams): boolean {
	return verify(S3_SIGNING_KEY, 'GET', path, search, 'X-Amz-Signature');
}

export function signGcsUrl(base: string, path: string, signedAtMs: number, signedHeaders: string[], expiresSeconds = 900): string {
	const date = amzDate(signedAtMs);
	const params: Array<[string, string]> = [
		['X-Goog-Algorithm', 'GOOG4-RSA-SHA256'],
		['X-Goog-Credential', `pique-uploads@pique-sandbox.iam.gserviceaccount.com/${date.slice(0, 8)}/auto/storage/goog4_request`],
		['X-Goog-Date', date],
		['X-Goog-Expires', String(expiresSeconds)],
		['X-Goog-SignedHeaders', ['host', ...signedHeaders.map((h) => h.toLowerCase())].sort().join(';')],
	];
	params.push(['X-Goog-Signature', sign(GCS_SIGNING_KEY, canonical('PUT', path, params))]);
	return `${base}${path}?${query(params)}`;
}

export function verifyGcs(method: string, path: string, search: URLSearchParams): boolean {
	return verify(GCS_SIGNING_KEY, method, path, search, 'X-Goog-Signature');
}

export function s3Error(code: string, message: string, extra: Record<string, string> = {}): string {
	const fields = Object.entries(extra)
		.map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
		.join('');
	return (
		`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}` +
		`<RequestId>SANDBOX${Date.now().toString(16).toUpperCase()}</RequestId><HostId>sandbox</HostId></Error>`
	);
}

export function gcsError(code: string, message: string, details?: string): string {
	return (
		`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
		`${details ? `<Details>${escapeXml(details)}</Details>` : ''}</Error>`
	);
}
