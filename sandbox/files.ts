/**
 * /files/: fixture files for "image from URL" tests and large deterministic downloads.
 *   design.png (?width=&height=), design.jpg, blank.png, not-an-image.txt, clip.mp4,
 *   blob/<bytes>.bin?seed=N (streamed), zeros/<bytes>.bin (streamed zero bytes: compresses to
 *   almost nothing), ii/<imageId> (Image Intelligence proxy copies); anything else 404. Query
 *   strings are otherwise ignored, so `design.png?answer=yes` works. Like a host that negotiates,
 *   a request whose Accept header admits neither the file's type, its major type with a star, nor any type gets 406.
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
		const reply = this.file(ctx);
		if (reply.kind === 'done' || reply.status !== 200) return reply;
		const type = reply.headers?.['content-type'] ?? 'application/octet-stream';
		if (acceptable(ctx.req.headers.accept, type)) return reply;
		return {
			kind: 'bytes',
			status: 406,
			headers: { 'content-type': 'text/plain; charset=utf-8' },
			body: `Not acceptable: this is ${type}, the request accepts only ${ctx.req.headers.accept ?? ''}\n`,
		};
	}

	private file(ctx: RequestContext): Reply {
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
		const zeros = /^zeros\/(\d+)\.bin$/.exec(name);
		if (zeros) {
			const size = Number(zeros[1]);
			if (!Number.isSafeInteger(size) || size > MAX_BLOB_BYTES) return notFound(ctx.path);
			return { kind: 'stream', status: 200, headers: { 'content-type': 'application/octet-stream' }, length: size, chunks: () => zeroChunks(size) };
		}
		const memory = this.core.memoryFiles.get(name);
		if (memory) return { kind: 'bytes', status: 200, headers: { 'content-type': memory.contentType }, body: memory.body };
		return notFound(ctx.path);
	}
}

function* zeroChunks(size: number): Generator<Buffer> {
	const chunk = Buffer.alloc(64 * 1024);
	for (let left = size; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}

/** Whether an Accept header admits `type` (no header: anything). Quality values of 0 refuse. */
function acceptable(accept: string | undefined, type: string): boolean {
	if (!accept || accept.trim() === '') return true;
	const [major] = type.split(';')[0].trim().toLowerCase().split('/');
	const base = type.split(';')[0].trim().toLowerCase();
	return accept.split(',').some((entry) => {
		const [range, ...params] = entry.trim().toLowerCase().split(';');
		if (params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param))) return false;
		return range === '*/*' || range === base || range === `${major}/*`;
	});
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
	if (raw === null || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}
