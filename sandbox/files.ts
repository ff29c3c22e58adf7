/**
 * /files/: fixture files for "image from URL" tests and large deterministic downloads.
 *   design.png (?width=&height=), design.jpg, blank.png, not-an-image.txt, clip.mp4,
 *   blob/<bytes>.bin?seed=N (streamed), ii/<imageId> (Image Intelligence proxy copies);
 *   anything else 404. Query strings are otherwise ignored, so `design.png?answer=yes` works.
 */
import type { Core } from './core.ts';
import { NOT_AN_IMAGE_TEXT, blankPng, blobChunks, designJpeg, designPng, fakeMp4 } from './fixtures.ts';
import type { Reply, RequestContext } from './types.ts';

/** Largest /files/blob size (sandbox choice). */
export const MAX_BLOB_BYTES = 16 * 1024 ** 3;

function notFound(path: string): Reply {
	return { kind: 'bytes', status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Not found: ${path}\n` };
}

export class FilesSandbox {
	private readonly core: Core;
	private readonly cache = new Map<string, Buffer>();

	constructor(core: Core) {
		this.core = core;
	}

	private cached(key: string, make: () => Buffer): Buffer {
		let value = this.cache.get(key);
		if (!value) {
			value = make();
			this.cache.set(key, value);
		}
		return value;
	}

	handle(ctx: RequestContext): Reply {
		if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
			return { kind: 'bytes', status: 405, headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }, body: 'Method not allowed\n' };
		}
		const name = ctx.subpath.replace(/^\//, '');
		const png = (body: Buffer): Reply => ({ kind: 'bytes', status: 200, headers: { 'content-type': 'image/png' }, body });
		switch (name) {
			case 'design.png': {
				const width = clampInt(ctx.query.get('width'), 320, 1, 8000);
				const height = clampInt(ctx.query.get('height'), 200, 1, 8000);
				return png(this.cached(`design:${width}x${height}`, () => designPng(width, height)));
			}
			case 'blank.png':
				return png(this.cached('blank', () => blankPng(64, 64)));
			case 'design.jpg':
				return { kind: 'bytes', status: 200, headers: { 'content-type': 'image/jpeg' }, body: this.cached('jpg', () => designJpeg()) };
			case 'not-an-image.txt':
				return { kind: 'bytes', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: NOT_AN_IMAGE_TEXT };
			case 'clip.mp4':
				return { kind: 'bytes', status: 200, headers: { 'content-type': 'video/mp4' }, body: this.cached('mp4', () => fakeMp4()) };
		}
		const blob = /^blob\/(\d+)\.bin$/.exec(name);
		if (blob) {
			const size = Number(blob[1]);
			if (!Number.isSafeInteger(size) || size > MAX_BLOB_BYTES) return notFound(ctx.path);
			const seed = clampInt(ctx.query.get('seed'), 0, 0, 2 ** 31);
			return {
				kind: 'stream',
				status: 200,
				headers: { 'content-type': 'application/octet-stream', etag: `"blob-${size}-${seed}"` },
				length: size,
				chunks: () => blobChunks(size, seed),
			};
		}
		const memory = this.core.memoryFiles.get(name);
		if (memory) return { kind: 'bytes', status: 200, headers: { 'content-type': memory.contentType }, body: memory.body };
		return notFound(ctx.path);
	}
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
	if (raw === null || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}
