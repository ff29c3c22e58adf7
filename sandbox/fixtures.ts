/**
 * Deterministic test images and bytes, made here (nothing copied from elsewhere). The sandbox
 * serves them under /files/ and tests import them to send the same bytes.
 */
import { createHash } from 'node:crypto';

import { encodeJpeg } from './jpeg.ts';
import { encodePng } from './png.ts';
import type { RawImage } from './png.ts';

/** A colourful "web page design": gradient background, header bar, hero block, button, text lines. */
export function designImage(width = 320, height = 200): RawImage {
	const w = Math.max(1, Math.floor(width));
	const h = Math.max(1, Math.floor(height));
	const data = new Uint8Array(w * h * 3);
	const put = (x: number, y: number, r: number, g: number, b: number) => {
		const at = (y * w + x) * 3;
		data[at] = r;
		data[at + 1] = g;
		data[at + 2] = b;
	};
	for (let y = 0; y < h; y++) {
		for (let x = 0; x < w; x++) {
			const fx = x / w;
			const fy = y / h;
			let r = Math.round(235 - 40 * fy);
			let g = Math.round(240 - 30 * fx);
			let b = Math.round(250 - 20 * fx * fy);
			if (fy < 0.12) [r, g, b] = [30, 41, 59]; // header bar
			else if (fy > 0.2 && fy < 0.55 && fx > 0.06 && fx < 0.94) {
				// hero block with a diagonal gradient
				r = Math.round(99 + 120 * fx);
				g = Math.round(102 + 60 * fy);
				b = Math.round(241 - 100 * fx);
			}
			if (fy > 0.62 && fy < 0.72 && fx > 0.38 && fx < 0.62) [r, g, b] = [249, 115, 22]; // call-to-action button
			if (fy > 0.78 && fy < 0.95 && fx > 0.1 && fx < 0.9 && Math.floor(y / Math.max(1, h / 50)) % 2 === 0) {
				[r, g, b] = [100, 116, 139]; // text lines
			}
			if (fy < 0.12 && fx > 0.04 && fx < 0.14 && fy > 0.03 && fy < 0.09) [r, g, b] = [34, 197, 94]; // logo
			put(x, y, r, g, b);
		}
	}
	return { width: w, height: h, channels: 3, data };
}

/** designImage as a PNG (default 320x200). */
export function designPng(width = 320, height = 200): Buffer {
	return encodePng(designImage(width, height));
}

/** An all-one-colour PNG (EyeQuant answers `blank_input_image` for it). */
export function blankPng(width = 64, height = 64, rgb: [number, number, number] = [255, 255, 255]): Buffer {
	const data = new Uint8Array(width * height * 3);
	for (let i = 0; i < data.length; i += 3) {
		data[i] = rgb[0];
		data[i + 1] = rgb[1];
		data[i + 2] = rgb[2];
	}
	return encodePng({ width, height, channels: 3, data });
}

/** designImage encoded here as a baseline JPEG (default 96x64). */
export function designJpeg(width = 96, height = 64): Buffer {
	return encodeJpeg(designImage(width, height), 85);
}

/** Bytes that are neither PNG nor JPEG (and not valid base64 of one either). */
export function garbageBytes(length = 256): Buffer {
	const out = Buffer.alloc(length);
	let state = 0x9e3779b9;
	for (let i = 0; i < length; i++) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		out[i] = state >>> 24;
	}
	out[0] = 0x47; // 'G': never a PNG (0x89) or JPEG (0xFF) start
	return out;
}

export const NOT_AN_IMAGE_TEXT = 'This is not an image. The sandbox serves it as text/plain.\n';

/** A few bytes that look like the start of an MP4 (an `ftyp` box) and nothing more. */
export function fakeMp4(length = 4096): Buffer {
	const out = Buffer.alloc(length);
	out.writeUInt32BE(24, 0);
	out.write('ftypisom', 4, 'latin1');
	out.writeUInt32BE(0x200, 12);
	out.write('isomiso2', 16, 'latin1');
	garbageBytes(length - 24).copy(out, 24);
	return out;
}

const BLOB_BLOCK = 64 * 1024;

/** The first block of /files/blob/<n>.bin?seed=N, from which every later block is derived. */
function blobBase(seed: number): Buffer {
	const out = Buffer.alloc(BLOB_BLOCK);
	let counter = 0;
	for (let at = 0; at < BLOB_BLOCK; at += 32) {
		createHash('sha256').update(`sandbox-blob:${seed}:${counter++}`).digest().copy(out, at);
	}
	return out;
}

/**
 * Deterministic bytes of any size in 64 KiB pieces: block i is the seed's base block with its
 * first 8 bytes replaced by i (big-endian), so misordered or repeated pieces are detectable.
 */
export function* blobChunks(size: number, seed = 0): Generator<Buffer> {
	const base = blobBase(seed);
	let index = 0;
	for (let sent = 0; sent < size; sent += BLOB_BLOCK) {
		const n = Math.min(BLOB_BLOCK, size - sent);
		const piece = Buffer.allocUnsafe(n);
		base.copy(piece, 0, 0, n);
		const head = Buffer.alloc(8);
		head.writeBigUInt64BE(BigInt(index++));
		head.copy(piece, 0, 0, Math.min(8, n));
		yield piece;
	}
}

/** The whole blob in memory (for tests; small sizes only). */
export function blobBytes(size: number, seed = 0): Buffer {
	return Buffer.concat([...blobChunks(size, seed)]);
}
