/**
 * A small PNG encoder and decoder on top of node:zlib, enough for the sandbox: encode 8-bit
 * grey/RGB/RGBA images, decode every standard PNG (all colour types and bit depths, Adam7
 * interlacing) into RGBA8, and stream a PNG padded to an exact byte size with a private
 * ancillary chunk (never holding the padding in memory).
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Type of the padding chunk: ancillary (p), private (a), reserved bit clear (D), safe to copy (d). */
export const PADDING_CHUNK_TYPE = 'paDd';

export interface RawImage {
	width: number;
	height: number;
	/** 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA; 8 bits per sample. */
	channels: 1 | 2 | 3 | 4;
	/** Row-major samples, width * height * channels bytes. */
	data: Uint8Array;
}

export interface DecodedPng {
	width: number;
	height: number;
	bitDepth: number;
	colorType: number;
	interlaced: boolean;
	/** width * height * 4 bytes. */
	rgba: Uint8Array;
}

export interface PngChunk {
	type: string;
	/** Offset of the chunk's length field in the file. */
	offset: number;
	length: number;
	data: Buffer;
}

export class PngError extends Error {}

const COLOR_TYPE_FOR_CHANNELS: Record<RawImage['channels'], number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const CHANNELS_FOR_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export function chunk(type: string, data: Uint8Array = Buffer.alloc(0)): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'latin1');
	Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

/** Encodes 8-bit samples; every row uses the Sub filter (good for the smooth maps). */
export function encodePng(image: RawImage, level = 6): Buffer {
	const { width, height, channels, data } = image;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new PngError(`Bad PNG size ${width}x${height}`);
	}
	if (data.length !== width * height * channels) throw new PngError('Pixel data does not match the size');
	const stride = width * channels;
	const filtered = Buffer.alloc((stride + 1) * height);
	for (let y = 0; y < height; y++) {
		const out = y * (stride + 1);
		const row = y * stride;
		filtered[out] = 1;
		for (let x = 0; x < stride; x++) {
			const left = x >= channels ? data[row + x - channels] : 0;
			filtered[out + 1 + x] = (data[row + x] - left) & 0xff;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = COLOR_TYPE_FOR_CHANNELS[channels];
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;
	return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(filtered, { level })), chunk('IEND')]);
}

/** Walks the chunks of a PNG; checks the signature, the structure and (by default) every CRC. */
export function readChunks(buf: Buffer, checkCrc = true): PngChunk[] {
	if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new PngError('Not a PNG (bad signature)');
	const chunks: PngChunk[] = [];
	let offset = 8;
	while (offset < buf.length) {
		if (offset + 12 > buf.length) throw new PngError('Truncated PNG chunk');
		const length = buf.readUInt32BE(offset);
		if (length > 0x7fffffff || offset + 12 + length > buf.length) throw new PngError('Truncated PNG chunk');
		const type = buf.toString('latin1', offset + 4, offset + 8);
		if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError('Bad PNG chunk type');
		if (checkCrc) {
			const expected = buf.readUInt32BE(offset + 8 + length);
			if (crc32(buf.subarray(offset + 4, offset + 8 + length)) !== expected) throw new PngError(`Bad CRC in ${type} chunk`);
		}
		chunks.push({ type, offset, length, data: buf.subarray(offset + 8, offset + 8 + length) });
		offset += 12 + length;
		if (type === 'IEND') break;
	}
	if (chunks[0]?.type !== 'IHDR') throw new PngError('PNG does not start with IHDR');
	if (chunks[chunks.length - 1]?.type !== 'IEND') throw new PngError('PNG has no IEND');
	return chunks;
}

/** Size and format from the IHDR chunk only, or undefined when this is not a PNG. */
export function pngInfo(buf: Buffer): { width: number; height: number; bitDepth: number; colorType: number } | undefined {
	if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colorType: buf[25] };
}

const ADAM7 = [
	[0, 0, 8, 8],
	[4, 0, 8, 8],
	[0, 4, 4, 8],
	[2, 0, 4, 4],
	[0, 2, 2, 4],
	[1, 0, 2, 2],
	[0, 1, 1, 2],
] as const;

/** Decodes any standard PNG into RGBA8 (16-bit samples keep their high byte). */
export function decodePng(buf: Buffer, options: { maxPixels?: number; checkCrc?: boolean } = {}): DecodedPng {
	const chunks = readChunks(buf, options.checkCrc ?? true);
	const ihdr = chunks[0].data;
	if (ihdr.length !== 13) throw new PngError('Bad IHDR');
	const width = ihdr.readUInt32BE(0);
	const height = ihdr.readUInt32BE(4);
	const bitDepth = ihdr[8];
	const colorType = ihdr[9];
	const interlaced = ihdr[12] === 1;
	if (width < 1 || height < 1) throw new PngError('PNG has no pixels');
	if (!ALLOWED_DEPTHS[colorType]?.includes(bitDepth)) throw new PngError(`Bad colour type ${colorType} / bit depth ${bitDepth}`);
	if (ihdr[10] !== 0 || ihdr[11] !== 0 || ihdr[12] > 1) throw new PngError('Unknown PNG compression, filter or interlace method');
	const maxPixels = options.maxPixels ?? 100_000_000;
	if (width * height > maxPixels) throw new PngError(`PNG too large (${width}x${height})`);
	for (const c of chunks) {
		const critical = c.type.charCodeAt(0) < 97;
		if (critical && !['IHDR', 'PLTE', 'IDAT', 'IEND'].includes(c.type)) throw new PngError(`Unknown critical chunk ${c.type}`);
	}
	const palette = chunks.find((c) => c.type === 'PLTE')?.data;
	const trns = chunks.find((c) => c.type === 'tRNS')?.data;
	if (colorType === 3 && !palette) throw new PngError('Palette PNG without PLTE');
	const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
	if (idat.length === 0) throw new PngError('PNG has no IDAT');
	const channels = CHANNELS_FOR_COLOR_TYPE[colorType];
	const bitsPerPixel = channels * bitDepth;
	const bpp = Math.max(1, bitsPerPixel >> 3);
	const passes = interlaced
		? ADAM7.map(([x0, y0, dx, dy]) => ({
				x0,
				y0,
				dx,
				dy,
				w: Math.ceil((width - x0) / dx),
				h: Math.ceil((height - y0) / dy),
			}))
		: [{ x0: 0, y0: 0, dx: 1, dy: 1, w: width, h: height }];
	let expected = 0;
	for (const p of passes) if (p.w > 0 && p.h > 0) expected += p.h * (1 + Math.ceil((p.w * bitsPerPixel) / 8));
	let raw: Buffer;
	try {
		raw = inflateSync(idat, { maxOutputLength: expected + 1 });
	} catch (error) {
		throw new PngError(`PNG image data does not inflate: ${(error as Error).message}`);
	}
	if (raw.length < expected) throw new PngError('PNG image data is truncated');

	const rgba = new Uint8Array(width * height * 4);
	const maxSample = (1 << bitDepth) - 1;
	let pos = 0;
	for (const p of passes) {
		if (p.w === 0 || p.h === 0) continue;
		const stride = Math.ceil((p.w * bitsPerPixel) / 8);
		let prev = new Uint8Array(stride);
		for (let y = 0; y < p.h; y++) {
			const filter = raw[pos];
			const line = new Uint8Array(raw.subarray(pos + 1, pos + 1 + stride));
			pos += 1 + stride;
			unfilter(filter, line, prev, bpp);
			prev = line;
			for (let x = 0; x < p.w; x++) {
				const samples = readSamples(line, x, channels, bitDepth);
				const target = ((p.y0 + y * p.dy) * width + p.x0 + x * p.dx) * 4;
				toRgba(samples, colorType, bitDepth, maxSample, palette, trns, rgba, target);
			}
		}
	}
	return { width, height, bitDepth, colorType, interlaced, rgba };
}

function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, bpp: number): void {
	const n = line.length;
	switch (filter) {
		case 0:
			return;
		case 1:
			for (let i = bpp; i < n; i++) line[i] = (line[i] + line[i - bpp]) & 0xff;
			return;
		case 2:
			for (let i = 0; i < n; i++) line[i] = (line[i] + prev[i]) & 0xff;
			return;
		case 3:
			for (let i = 0; i < n; i++) line[i] = (line[i] + (((i >= bpp ? line[i - bpp] : 0) + prev[i]) >> 1)) & 0xff;
			return;
		case 4:
			for (let i = 0; i < n; i++) {
				const a = i >= bpp ? line[i - bpp] : 0;
				const b = prev[i];
				const c = i >= bpp ? prev[i - bpp] : 0;
				const pa = Math.abs(b - c);
				const pb = Math.abs(a - c);
				const pc = Math.abs(a + b - 2 * c);
				const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
				line[i] = (line[i] + predictor) & 0xff;
			}
			return;
		default:
			throw new PngError(`Bad PNG filter type ${filter}`);
	}
}

/** Samples of pixel x at full precision (0..2^bitDepth-1). */
function readSamples(line: Uint8Array, x: number, channels: number, bitDepth: number): number[] {
	const out: number[] = [];
	if (bitDepth === 8) {
		for (let c = 0; c < channels; c++) out.push(line[x * channels + c]);
	} else if (bitDepth === 16) {
		for (let c = 0; c < channels; c++) out.push((line[(x * channels + c) * 2] << 8) | line[(x * channels + c) * 2 + 1]);
	} else {
		const bit = x * bitDepth;
		const byte = line[bit >> 3];
		const shift = 8 - bitDepth - (bit & 7);
		out.push((byte >> shift) & ((1 << bitDepth) - 1));
	}
	return out;
}

function toRgba(
	s: number[],
	colorType: number,
	bitDepth: number,
	maxSample: number,
	palette: Buffer | undefined,
	trns: Buffer | undefined,
	out: Uint8Array,
	at: number,
): void {
	const to8 = (v: number) => (bitDepth === 16 ? v >> 8 : bitDepth === 8 ? v : Math.round((v * 255) / maxSample));
	switch (colorType) {
		case 0: {
			const g = to8(s[0]);
			out[at] = g;
			out[at + 1] = g;
			out[at + 2] = g;
			out[at + 3] = trns && trns.length >= 2 && trns.readUInt16BE(0) === s[0] ? 0 : 255;
			return;
		}
		case 2:
			out[at] = to8(s[0]);
			out[at + 1] = to8(s[1]);
			out[at + 2] = to8(s[2]);
			out[at + 3] =
				trns && trns.length >= 6 && trns.readUInt16BE(0) === s[0] && trns.readUInt16BE(2) === s[1] && trns.readUInt16BE(4) === s[2]
					? 0
					: 255;
			return;
		case 3: {
			const i = s[0];
			if (!palette || i * 3 + 2 >= palette.length) throw new PngError('Palette index out of range');
			out[at] = palette[i * 3];
			out[at + 1] = palette[i * 3 + 1];
			out[at + 2] = palette[i * 3 + 2];
			out[at + 3] = trns && i < trns.length ? trns[i] : 255;
			return;
		}
		case 4: {
			const g = to8(s[0]);
			out[at] = g;
			out[at + 1] = g;
			out[at + 2] = g;
			out[at + 3] = to8(s[1]);
			return;
		}
		default:
			out[at] = to8(s[0]);
			out[at + 1] = to8(s[1]);
			out[at + 2] = to8(s[2]);
			out[at + 3] = to8(s[3]);
	}
}

/** True when every pixel has the same RGBA value. */
export function isSingleColour(image: { rgba: Uint8Array }): boolean {
	const px = new Uint32Array(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength >> 2);
	const first = px[0];
	for (let i = 1; i < px.length; i++) if (px[i] !== first) return false;
	return true;
}

const MAX_PADDING_CHUNK_DATA = 0x40000000; // 1 GiB per chunk (PNG allows 2^31-1)
const PIECE = 256 * 1024;
const ZEROS = Buffer.alloc(PIECE);
const paddingCrcCache = new Map<number, number>();

export interface PaddedPng {
	/** Total byte count of the file that `body()` yields. */
	length: number;
	/** The file, in pieces; the padding is generated on the fly. */
	body(): Generator<Buffer>;
}

/**
 * The PNG `png`, grown to exactly `totalBytes` with `paDd` chunks full of zeros placed just before
 * IEND (decoders skip unknown ancillary chunks). Every chunk costs 12 bytes, so a target between
 * the natural size + 1 and + 11 cannot be met: then (and when the target is smaller than the PNG,
 * or not given) the PNG is served at its natural size.
 */
export function paddedPng(png: Buffer, totalBytes?: number): PaddedPng {
	const extra = totalBytes === undefined ? 0 : totalBytes - png.length;
	if (extra < 12) return { length: png.length, *body() { yield png; } };
	const sizes: number[] = [];
	let remaining = extra;
	while (remaining > 0) {
		let data = Math.min(remaining - 12, MAX_PADDING_CHUNK_DATA);
		const left = remaining - 12 - data;
		if (left > 0 && left < 12) data -= 12;
		sizes.push(data);
		remaining -= data + 12;
	}
	const iendAt = png.length - 12;
	const head = png.subarray(0, iendAt);
	const iend = png.subarray(iendAt);
	return {
		length: png.length + extra,
		*body() {
			yield head;
			for (const size of sizes) {
				const header = Buffer.alloc(8);
				header.writeUInt32BE(size, 0);
				header.write(PADDING_CHUNK_TYPE, 4, 'latin1');
				yield header;
				const known = paddingCrcCache.get(size);
				let crc = crc32(header.subarray(4, 8));
				for (let sent = 0; sent < size; ) {
					const n = Math.min(PIECE, size - sent);
					const piece = n === PIECE ? ZEROS : ZEROS.subarray(0, n);
					if (known === undefined) crc = crc32(piece, crc);
					yield piece;
					sent += n;
				}
				if (known === undefined) paddingCrcCache.set(size, crc);
				const trailer = Buffer.alloc(4);
				trailer.writeUInt32BE(known ?? crc, 0);
				yield trailer;
			}
			yield iend;
		},
	};
}
