/**
 * EyeQuant-like map images, drawn from the input's size and bytes: a few Gaussian "attention"
 * blobs placed by a hash of the input, plus the usual top-left reading bias, rendered per map
 * type. Deterministic: the same input and map name always give the same PNG bytes.
 */
import { createHash } from 'node:crypto';

import { encodePng } from './png.ts';
import type { RawImage } from './png.ts';

export const MAP_NAMES = ['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap'] as const;
export type MapName = (typeof MAP_NAMES)[number];

/** Maps larger than this many pixels are drawn scaled down, keeping the aspect ratio (sandbox choice). */
export const MAX_MAP_PIXELS = 16_000_000;

interface Blob {
	cx: number;
	cy: number;
	sigma: number;
	weight: number;
}

function blobsFor(seed: Buffer, width: number, height: number): Blob[] {
	const count = 3 + (seed[0] % 4);
	const short = Math.min(width, height);
	const blobs: Blob[] = [];
	for (let i = 0; i < count; i++) {
		const b = seed.subarray(1 + i * 4, 5 + i * 4);
		blobs.push({
			cx: (b[0] / 255) * width,
			cy: (b[1] / 255) * height,
			sigma: Math.max(1, (0.06 + (b[2] / 255) * 0.14) * short),
			weight: 0.4 + (b[3] / 255) * 0.6,
		});
	}
	// People read from the top left: a broad blob there on every map.
	blobs.push({ cx: width * 0.2, cy: height * 0.15, sigma: Math.max(1, 0.25 * short), weight: 0.35 });
	return blobs;
}

/** Attention field in [0, 1], row-major. */
function field(blobs: Blob[], width: number, height: number): Float32Array {
	const out = new Float32Array(width * height);
	for (const blob of blobs) {
		const gx = new Float32Array(width);
		const gy = new Float32Array(height);
		const k = 1 / (2 * blob.sigma * blob.sigma);
		for (let x = 0; x < width; x++) gx[x] = Math.exp(-((x - blob.cx) ** 2) * k);
		for (let y = 0; y < height; y++) gy[y] = blob.weight * Math.exp(-((y - blob.cy) ** 2) * k);
		for (let y = 0; y < height; y++) {
			const row = y * width;
			const fy = gy[y];
			if (fy < 1e-4) continue;
			for (let x = 0; x < width; x++) out[row + x] += fy * gx[x];
		}
	}
	let max = 0;
	for (let i = 0; i < out.length; i++) if (out[i] > max) max = out[i];
	if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max;
	return out;
}

function jet(v: number): [number, number, number] {
	const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
	return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

function mapSize(width: number, height: number): { width: number; height: number } {
	const pixels = width * height;
	if (pixels <= MAX_MAP_PIXELS) return { width, height };
	const scale = Math.sqrt(MAX_MAP_PIXELS / pixels);
	return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** The PNG of one map for an input of `inputWidth` x `inputHeight` whose bytes hash to `inputSha256`. */
export function renderMap(name: MapName, inputWidth: number, inputHeight: number, inputSha256: string): Buffer {
	const { width, height } = mapSize(Math.max(1, inputWidth), Math.max(1, inputHeight));
	const base = createHash('sha256').update(`${inputSha256}:attention`).digest();
	const own = createHash('sha256').update(`${inputSha256}:${name}`).digest();
	const blobs = blobsFor(name === 'excitingnessMap' || name === 'clarityMap' ? own : base, width, height);
	const f = field(blobs, width, height);
	let image: RawImage;
	switch (name) {
		case 'perceptionMap': {
			// What is seen at a glance: the strongest regions light, the rest dark.
			const data = new Uint8Array(width * height);
			for (let i = 0; i < f.length; i++) {
				const t = Math.min(1, Math.max(0, (f[i] - 0.35) / 0.3));
				data[i] = Math.round(20 + 235 * t * t * (3 - 2 * t));
			}
			image = { width, height, channels: 1, data };
			break;
		}
		case 'hotspotsMap': {
			// Transparent overlay with one translucent disc per hotspot.
			const data = new Uint8Array(width * height * 4);
			blobs.slice(0, -1).forEach((blob, index) => {
				const r = blob.sigma * 0.8;
				const colour = index === 0 ? [239, 68, 68] : [249, 115, 22];
				const y0 = Math.max(0, Math.floor(blob.cy - r));
				const y1 = Math.min(height - 1, Math.ceil(blob.cy + r));
				const x0 = Math.max(0, Math.floor(blob.cx - r));
				const x1 = Math.min(width - 1, Math.ceil(blob.cx + r));
				for (let y = y0; y <= y1; y++) {
					for (let x = x0; x <= x1; x++) {
						const d = Math.hypot(x - blob.cx, y - blob.cy);
						if (d > r) continue;
						const at = (y * width + x) * 4;
						data[at] = colour[0];
						data[at + 1] = colour[1];
						data[at + 2] = colour[2];
						data[at + 3] = d > r - 2 ? 255 : 140;
					}
				}
			});
			image = { width, height, channels: 4, data };
			break;
		}
		case 'clarityMap': {
			const data = new Uint8Array(width * height * 3);
			for (let i = 0; i < f.length; i++) {
				const v = f[i];
				data[i * 3] = Math.round(30 + 200 * v);
				data[i * 3 + 1] = Math.round(80 + 170 * v);
				data[i * 3 + 2] = Math.round(200 + 55 * v);
			}
			image = { width, height, channels: 3, data };
			break;
		}
		case 'excitingnessMap': {
			const data = new Uint8Array(width * height * 3);
			for (let i = 0; i < f.length; i++) {
				const v = f[i];
				data[i * 3] = Math.round(60 + 195 * v);
				data[i * 3 + 1] = Math.round(20 + 150 * v * v);
				data[i * 3 + 2] = Math.round(110 * (1 - v));
			}
			image = { width, height, channels: 3, data };
			break;
		}
		default: {
			const data = new Uint8Array(width * height * 3);
			for (let i = 0; i < f.length; i++) {
				const [r, g, b] = jet(f[i]);
				data[i * 3] = r;
				data[i * 3 + 1] = g;
				data[i * 3 + 2] = b;
			}
			image = { width, height, channels: 3, data };
		}
	}
	return encodePng(image);
}
