import { pipeline } from 'node:stream';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createZstdDecompress } from 'node:zlib';

/** The content codings the pack reads (RFC 9110 §8.4.1, plus Brotli and Zstandard). */
const DECODERS: Record<string, () => Transform> = {
	gzip: () => createGunzip(),
	'x-gzip': () => createGunzip(),
	deflate: () => createInflate(),
	br: () => createBrotliDecompress(),
	zstd: () => createZstdDecompress(),
};

/** An answer in a content coding this pack cannot read; `code` is `UNSUPPORTED_CONTENT_CODING`. */
export class UnsupportedCodingError extends Error {
	readonly code = 'UNSUPPORTED_CONTENT_CODING';

	readonly coding: string;

	constructor(coding: string) {
		super(`the answer is in the content coding "${coding}", which cannot be read`);
		this.coding = coding;
	}
}

/** The codings of a `Content-Encoding` header in the order they were applied, `identity` left out. */
export function contentCodings(header: string | string[] | undefined): string[] {
	const value = Array.isArray(header) ? header.join(',') : (header ?? '');
	return value
		.split(',')
		.map((coding) => coding.trim().toLowerCase())
		.filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * The body as the server meant it: every content coding undone, last applied first. Destroying
 * the returned stream destroys the raw body too; a corrupt or cut-off coding errors the stream.
 * Throws `UnsupportedCodingError` (before reading anything) for a coding it does not know.
 */
export function decodeBody(body: Readable, header: string | string[] | undefined): Readable {
	const codings = contentCodings(header);
	if (codings.length === 0) return body;
	const decoders = codings.reverse().map((coding) => {
		const make = DECODERS[coding];
		if (!make) throw new UnsupportedCodingError(coding);
		return make();
	});
	// pipeline destroys every stage when one fails or the last one is destroyed early; the error
	// itself reaches whoever reads the last stage.
	pipeline([body, ...decoders], () => undefined);
	return decoders[decoders.length - 1];
}
