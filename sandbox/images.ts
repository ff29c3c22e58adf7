import { jpegInfo } from './jpeg.ts';
import { PngError, decodePng, isSingleColour } from './png.ts';

export interface ImageFacts {
	format: 'png' | 'jpeg';
	mimeType: 'image/png' | 'image/jpeg';
	width: number;
	height: number;
	/**
	 * All pixels one colour. Only known for PNG: the sandbox does not decode JPEG pixels
	 * (sandbox choice), so a blank JPEG is accepted as a normal image.
	 */
	blank: boolean;
	/** Average colour of a PNG (undefined for JPEG). */
	averageRgb?: [number, number, number];
}

/** Pixel limit for decoding uploaded PNGs (sandbox choice: bigger ones count as unreadable). */
export const MAX_INPUT_PIXELS = 50_000_000;

/** Facts about an image, or undefined when the bytes are not a decodable PNG or a well-formed JPEG. */
export function inspectImage(bytes: Buffer): ImageFacts | undefined {
	if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50) {
		try {
			const png = decodePng(bytes, { maxPixels: MAX_INPUT_PIXELS });
			let r = 0;
			let g = 0;
			let b = 0;
			const n = png.width * png.height;
			for (let i = 0; i < n; i++) {
				r += png.rgba[i * 4];
				g += png.rgba[i * 4 + 1];
				b += png.rgba[i * 4 + 2];
			}
			return {
				format: 'png',
				mimeType: 'image/png',
				width: png.width,
				height: png.height,
				blank: isSingleColour(png),
				averageRgb: [Math.round(r / n), Math.round(g / n), Math.round(b / n)],
			};
		} catch (error) {
			if (error instanceof PngError) return undefined;
			throw error;
		}
	}
	const jpeg = jpegInfo(bytes);
	if (jpeg) return { format: 'jpeg', mimeType: 'image/jpeg', width: jpeg.width, height: jpeg.height, blank: false };
	return undefined;
}

const NAMED_COLOURS: Array<[string, [number, number, number]]> = [
	['white', [245, 245, 245]],
	['black', [15, 15, 15]],
	['grey', [128, 128, 128]],
	['red', [220, 40, 40]],
	['orange', [245, 140, 30]],
	['yellow', [240, 220, 50]],
	['green', [50, 170, 80]],
	['teal', [30, 160, 160]],
	['blue', [50, 90, 220]],
	['purple', [140, 70, 200]],
	['pink', [240, 130, 180]],
	['brown', [130, 85, 50]],
	['lavender', [200, 200, 240]],
];

export function colourName(rgb: [number, number, number]): string {
	let best = NAMED_COLOURS[0];
	let bestDistance = Infinity;
	for (const entry of NAMED_COLOURS) {
		const d = (entry[1][0] - rgb[0]) ** 2 + (entry[1][1] - rgb[1]) ** 2 + (entry[1][2] - rgb[2]) ** 2;
		if (d < bestDistance) {
			bestDistance = d;
			best = entry;
		}
	}
	return best[0];
}
