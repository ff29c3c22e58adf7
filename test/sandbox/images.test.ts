import { crc32, deflateSync } from 'node:zlib';

import { blankPng, blobBytes, blobChunks, designImage, designJpeg, designPng, garbageBytes } from '../../sandbox/fixtures';
import { inspectImage } from '../../sandbox/images';
import { encodeJpeg, jpegInfo } from '../../sandbox/jpeg';
import { MAP_NAMES, renderMap } from '../../sandbox/maps';
import { PADDING_CHUNK_TYPE, PNG_SIGNATURE, PngError, decodePng, encodePng, isSingleColour, paddedPng, readChunks } from '../../sandbox/png';

function chunk(type: string, data: Buffer): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'latin1');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Buffer {
	const b = Buffer.alloc(13);
	b.writeUInt32BE(width, 0);
	b.writeUInt32BE(height, 4);
	b[8] = bitDepth;
	b[9] = colorType;
	b[12] = interlace;
	return chunk('IHDR', b);
}

function collect(gen: Iterable<Buffer>): Buffer {
	return Buffer.concat([...gen]);
}

describe('PNG encoder and decoder', () => {
	it('round-trips grey, grey+alpha, RGB and RGBA images', () => {
		for (const channels of [1, 2, 3, 4] as const) {
			const width = 7;
			const height = 5;
			const data = new Uint8Array(width * height * channels).map((_, i) => (i * 37) & 0xff);
			const decoded = decodePng(encodePng({ width, height, channels, data }));
			expect([decoded.width, decoded.height, decoded.bitDepth]).toEqual([width, height, 8]);
			for (let p = 0; p < width * height; p++) {
				const src = Array.from(data.subarray(p * channels, (p + 1) * channels));
				const rgba = Array.from(decoded.rgba.subarray(p * 4, p * 4 + 4));
				const expected =
					channels === 1 ? [src[0], src[0], src[0], 255] : channels === 2 ? [src[0], src[0], src[0], src[1]] : channels === 3 ? [...src, 255] : src;
				expect(rgba).toEqual(expected);
			}
		}
	});

	it('decodes a 2-bit palette PNG with transparency and a 16-bit grey PNG', () => {
		const palette = chunk('PLTE', Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]));
		const trns = chunk('tRNS', Buffer.from([255, 128]));
		// 3x2 pixels, indexes 0 1 2 / 3 0 1, 2 bits each, filter 0.
		const rows = Buffer.from([0, 0b00011000, 0, 0b11000100]);
		const png = Buffer.concat([PNG_SIGNATURE, ihdr(3, 2, 2, 3), palette, trns, chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
		const d = decodePng(png);
		expect(Array.from(d.rgba.subarray(0, 12))).toEqual([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255]);
		expect(Array.from(d.rgba.subarray(12, 16))).toEqual([9, 9, 9, 255]);

		const grey16 = Buffer.from([2, 0x12, 0x34, 0xab, 0xcd]); // filter Up on the first row = None
		const png16 = Buffer.concat([PNG_SIGNATURE, ihdr(2, 1, 16, 0), chunk('IDAT', deflateSync(grey16)), chunk('IEND', Buffer.alloc(0))]);
		expect(Array.from(decodePng(png16).rgba)).toEqual([0x12, 0x12, 0x12, 255, 0xab, 0xab, 0xab, 255]);
	});

	it('decodes an Adam7-interlaced PNG', () => {
		// 2x2 RGB interlaced: pass 1 has (0,0), pass 6 has (1,0), pass 7 has row 1.
		const raw = Buffer.from([0, 10, 20, 30, 0, 40, 50, 60, 0, 70, 80, 90, 100, 110, 120]);
		const png = Buffer.concat([PNG_SIGNATURE, ihdr(2, 2, 8, 2, 1), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
		const d = decodePng(png);
		expect(d.interlaced).toBe(true);
		expect(Array.from(d.rgba)).toEqual([10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 100, 110, 120, 255]);
	});

	it('refuses broken PNGs', () => {
		const good = designPng(16, 16);
		expect(() => decodePng(garbageBytes())).toThrow(PngError);
		expect(() => decodePng(good.subarray(0, good.length - 20))).toThrow(PngError);
		const badCrc = Buffer.from(good);
		badCrc[30] ^= 0xff;
		expect(() => decodePng(badCrc)).toThrow(/CRC/);
	});

	it('pads a PNG to an exact size with a private chunk that decoders skip', () => {
		const png = designPng(40, 30);
		for (const total of [png.length + 12, png.length + 1000, png.length + 300_000]) {
			const padded = paddedPng(png, total);
			const bytes = collect(padded.body());
			expect(padded.length).toBe(total);
			expect(bytes.length).toBe(total);
			const chunks = readChunks(bytes);
			expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', PADDING_CHUNK_TYPE, 'IEND']);
			expect(Buffer.from(decodePng(bytes).rgba)).toEqual(Buffer.from(decodePng(png).rgba));
			expect(collect(padded.body())).toEqual(bytes); // the same bytes every time
		}
		// Targets that cannot be met (smaller, or under 12 bytes more) give the natural PNG.
		expect(paddedPng(png, png.length + 5).length).toBe(png.length);
		expect(paddedPng(png, 10).length).toBe(png.length);
		expect(paddedPng(png).length).toBe(png.length);
	});
});

describe('JPEG', () => {
	it('encodes a structurally valid baseline JPEG of the requested size', () => {
		const jpeg = designJpeg(96, 64);
		expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
		expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
		expect(jpegInfo(jpeg)).toEqual({ width: 96, height: 64, components: 3, progressive: false });
		expect(jpegInfo(encodeJpeg(designImage(13, 9)))).toMatchObject({ width: 13, height: 9 });
	});

	it('rejects non-JPEG and truncated JPEG bytes', () => {
		const jpeg = designJpeg();
		expect(jpegInfo(garbageBytes())).toBeUndefined();
		expect(jpegInfo(jpeg.subarray(0, jpeg.length - 40))).toBeUndefined();
		expect(jpegInfo(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined();
	});
});

describe('fixtures', () => {
	it('design images are colourful, blank ones are one colour', () => {
		const design = decodePng(designPng());
		expect([design.width, design.height]).toEqual([320, 200]);
		expect(isSingleColour(design)).toBe(false);
		expect(isSingleColour(decodePng(blankPng(10, 10, [1, 2, 3])))).toBe(true);
		expect(inspectImage(designPng())).toMatchObject({ format: 'png', width: 320, height: 200, blank: false });
		expect(inspectImage(blankPng())).toMatchObject({ format: 'png', blank: true });
		expect(inspectImage(designJpeg())).toMatchObject({ format: 'jpeg', mimeType: 'image/jpeg', width: 96, height: 64 });
		expect(inspectImage(garbageBytes())).toBeUndefined();
	});

	it('blob bytes are deterministic per seed and numbered per 64 KiB block', () => {
		const a = blobBytes(200_000, 1);
		expect(a.length).toBe(200_000);
		expect(blobBytes(200_000, 1)).toEqual(a);
		expect(blobBytes(200_000, 2)).not.toEqual(a);
		const pieces = [...blobChunks(200_000, 1)];
		expect(pieces.map((p) => p.readBigUInt64BE(0))).toEqual([0n, 1n, 2n, 3n]);
	});

	it('every map renders as a valid PNG of the input size, deterministically', () => {
		for (const name of MAP_NAMES) {
			const png = renderMap(name, 120, 80, 'abc');
			const d = decodePng(png);
			expect([d.width, d.height]).toEqual([120, 80]);
			expect(renderMap(name, 120, 80, 'abc')).toEqual(png);
		}
		expect(renderMap('attentionMap', 120, 80, 'abc')).not.toEqual(renderMap('attentionMap', 120, 80, 'abd'));
	});
});
