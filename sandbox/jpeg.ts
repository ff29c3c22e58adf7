/**
 * A tiny baseline JPEG encoder (4:4:4 YCbCr, the standard quantisation and Huffman tables of
 * ITU-T T.81 Annex K) so the fixtures can include a real JPEG made here, and a structural JPEG
 * check (markers from SOI to EOI, size from the SOF segment). The sandbox never decodes JPEG
 * pixels: blank detection is PNG-only (see eyequant.ts).
 */
import type { RawImage } from './png.ts';

const LUMA_QUANT = [
	16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
	18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112,
	100, 103, 99,
];
const CHROMA_QUANT = [
	17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
	...new Array<number>(32).fill(99),
];

const DC_LUMA_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CHROMA_BITS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMA_VALUES = [
	0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81,
	0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75,
	0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
	0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5,
	0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];
const AC_CHROMA_BITS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMA_VALUES = [
	0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08,
	0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25,
	0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74,
	0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
	0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
	0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4,
	0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

/** ZIGZAG[i] = index (row * 8 + column) of the i-th coefficient in zig-zag order. */
const ZIGZAG: number[] = (() => {
	const order: number[] = [];
	for (let s = 0; s < 15; s++) {
		const cells: number[] = [];
		for (let row = 0; row < 8; row++) {
			const col = s - row;
			if (col >= 0 && col < 8) cells.push(row * 8 + col);
		}
		// Even diagonals run bottom-left to top-right, odd ones top-right to bottom-left.
		order.push(...(s % 2 === 0 ? cells.reverse() : cells));
	}
	return order;
})();

const COS: number[][] = Array.from({ length: 8 }, (_, x) => Array.from({ length: 8 }, (_, u) => Math.cos(((2 * x + 1) * u * Math.PI) / 16)));

interface HuffTable {
	codes: number[];
	lengths: number[];
}

function buildHuffman(bits: number[], values: number[]): HuffTable {
	const codes: number[] = [];
	const lengths: number[] = [];
	let code = 0;
	let k = 0;
	for (let len = 1; len <= 16; len++) {
		for (let i = 0; i < bits[len - 1]; i++) {
			codes[values[k]] = code;
			lengths[values[k]] = len;
			code++;
			k++;
		}
		code <<= 1;
	}
	return { codes, lengths };
}

function scaledQuant(base: number[], quality: number): number[] {
	const q = Math.min(100, Math.max(1, quality));
	const scale = q < 50 ? 5000 / q : 200 - 2 * q;
	return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

class BitWriter {
	private bytes: number[] = [];
	private acc = 0;
	private count = 0;

	write(value: number, length: number): void {
		for (let i = length - 1; i >= 0; i--) {
			this.acc = (this.acc << 1) | ((value >> i) & 1);
			this.count++;
			if (this.count === 8) this.flushByte();
		}
	}

	private flushByte(): void {
		this.bytes.push(this.acc);
		if (this.acc === 0xff) this.bytes.push(0x00);
		this.acc = 0;
		this.count = 0;
	}

	finish(): number[] {
		while (this.count !== 0) this.write(1, 1);
		return this.bytes;
	}
}

function category(value: number): number {
	let v = Math.abs(value);
	let n = 0;
	while (v > 0) {
		n++;
		v >>= 1;
	}
	return n;
}

function writeValue(out: BitWriter, value: number, size: number): void {
	if (size === 0) return;
	out.write(value < 0 ? value + (1 << size) - 1 : value, size);
}

function segment(marker: number, payload: number[]): number[] {
	const length = payload.length + 2;
	return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

/** Encodes an 8-bit grey or RGB(A) image (alpha ignored) as a baseline JPEG. */
export function encodeJpeg(image: RawImage, quality = 85): Buffer {
	const { width, height, channels, data } = image;
	const lumaQ = scaledQuant(LUMA_QUANT, quality);
	const chromaQ = scaledQuant(CHROMA_QUANT, quality);
	const tables = {
		dc: [buildHuffman(DC_LUMA_BITS, DC_VALUES), buildHuffman(DC_CHROMA_BITS, DC_VALUES)],
		ac: [buildHuffman(AC_LUMA_BITS, AC_LUMA_VALUES), buildHuffman(AC_CHROMA_BITS, AC_CHROMA_VALUES)],
	};
	const pixel = (x: number, y: number): [number, number, number] => {
		const cx = Math.min(x, width - 1);
		const cy = Math.min(y, height - 1);
		const at = (cy * width + cx) * channels;
		if (channels < 3) return [data[at], data[at], data[at]];
		return [data[at], data[at + 1], data[at + 2]];
	};
	const out = new BitWriter();
	const previousDc = [0, 0, 0];
	const block = new Float64Array(64);
	for (let by = 0; by < height; by += 8) {
		for (let bx = 0; bx < width; bx += 8) {
			for (let component = 0; component < 3; component++) {
				for (let y = 0; y < 8; y++) {
					for (let x = 0; x < 8; x++) {
						const [r, g, b] = pixel(bx + x, by + y);
						const value =
							component === 0
								? 0.299 * r + 0.587 * g + 0.114 * b
								: component === 1
									? -0.168736 * r - 0.331264 * g + 0.5 * b + 128
									: 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
						block[y * 8 + x] = value - 128;
					}
				}
				const quant = component === 0 ? lumaQ : chromaQ;
				const coefficients = new Array<number>(64);
				for (let v = 0; v < 8; v++) {
					for (let u = 0; u < 8; u++) {
						let sum = 0;
						for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) sum += block[y * 8 + x] * COS[x][u] * COS[y][v];
						const cu = u === 0 ? Math.SQRT1_2 : 1;
						const cv = v === 0 ? Math.SQRT1_2 : 1;
						coefficients[v * 8 + u] = Math.round((0.25 * cu * cv * sum) / quant[v * 8 + u]);
					}
				}
				const table = component === 0 ? 0 : 1;
				const dc = tables.dc[table];
				const ac = tables.ac[table];
				const diff = coefficients[0] - previousDc[component];
				previousDc[component] = coefficients[0];
				const size = category(diff);
				out.write(dc.codes[size], dc.lengths[size]);
				writeValue(out, diff, size);
				let run = 0;
				for (let i = 1; i < 64; i++) {
					const coefficient = coefficients[ZIGZAG[i]];
					if (coefficient === 0) {
						run++;
						continue;
					}
					while (run > 15) {
						out.write(ac.codes[0xf0], ac.lengths[0xf0]);
						run -= 16;
					}
					const acSize = category(coefficient);
					const symbol = (run << 4) | acSize;
					out.write(ac.codes[symbol], ac.lengths[symbol]);
					writeValue(out, coefficient, acSize);
					run = 0;
				}
				if (run > 0) out.write(ac.codes[0x00], ac.lengths[0x00]);
			}
		}
	}
	const bytes: number[] = [0xff, 0xd8];
	bytes.push(...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]));
	bytes.push(...segment(0xdb, [0x00, ...ZIGZAG.map((i) => lumaQ[i]), 0x01, ...ZIGZAG.map((i) => chromaQ[i])]));
	bytes.push(
		...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
	);
	bytes.push(
		...segment(0xc4, [
			0x00,
			...DC_LUMA_BITS,
			...DC_VALUES,
			0x10,
			...AC_LUMA_BITS,
			...AC_LUMA_VALUES,
			0x01,
			...DC_CHROMA_BITS,
			...DC_VALUES,
			0x11,
			...AC_CHROMA_BITS,
			...AC_CHROMA_VALUES,
		]),
	);
	bytes.push(...segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]));
	bytes.push(...out.finish());
	bytes.push(0xff, 0xd9);
	return Buffer.from(bytes);
}

/**
 * Structural check of a JPEG: SOI, well-formed marker segments up to the scan, a frame header
 * (any SOFn) giving the size, and EOI at the end (trailing zero padding tolerated).
 * Returns undefined for anything else. Pixels are not decoded.
 */
export function jpegInfo(buf: Buffer): { width: number; height: number; components: number; progressive: boolean } | undefined {
	if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
	let end = buf.length;
	while (end > 2 && buf[end - 1] === 0x00) end--;
	if (buf[end - 2] !== 0xff || buf[end - 1] !== 0xd9) return undefined;
	let offset = 2;
	let frame: { width: number; height: number; components: number; progressive: boolean } | undefined;
	while (offset + 4 <= end) {
		if (buf[offset] !== 0xff) return undefined;
		let marker = buf[offset + 1];
		while (marker === 0xff && offset + 2 < end) {
			offset++;
			marker = buf[offset + 1];
		}
		if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return undefined;
		const length = buf.readUInt16BE(offset + 2);
		if (length < 2 || offset + 2 + length > end) return undefined;
		const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isSof) {
			if (length < 8) return undefined;
			const height = buf.readUInt16BE(offset + 5);
			const width = buf.readUInt16BE(offset + 7);
			const components = buf[offset + 9];
			if (width === 0 || height === 0 || ![1, 3, 4].includes(components)) return undefined;
			frame = { width, height, components, progressive: marker === 0xc2 };
		}
		if (marker === 0xda) return frame && offset + 2 + length < end - 2 ? frame : undefined;
		offset += 2 + length;
	}
	return undefined;
}
