/**
 * How alike the action nodes' icons look at a glance: each light icon rendered by Chromium on white
 * and shrunk to 8×8, as ink (0 = white, 1 = full colour, whatever the colour); the distance of two
 * icons is their mean absolute difference per cell (0 = the same silhouette). Measured: the old
 * Image Intelligence and Image Forge icons (a framed landscape each) 0.130; every pair of the
 * current icons 0.146 or more (Image Intelligence ~ Image Forge 0.191).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

export const ACTION_NODE_ICONS: Record<string, string> = {
	EyeQuant: 'nodes/EyeQuant/eyequant.svg',
	'Image Intelligence': 'nodes/ImageIntelligence/imageintelligence.svg',
	Pique: 'nodes/Pique/pique.svg',
	'Image Forge': 'nodes/ImageForge/imageforge.svg',
	'Archive Outputs': 'nodes/ArchiveOutputs/archiveoutputs.svg',
};

/** Runs in the page (plain JavaScript: this project compiles without the DOM types): icon URLs → 8×8 ink. */
const RENDER_IN_PAGE = `async (list) => {
	const size = 8;
	const out = {};
	for (const { name, url } of list) {
		const image = new Image(size, size);
		image.src = url;
		await image.decode();
		const canvas = document.createElement('canvas');
		canvas.width = size;
		canvas.height = size;
		const context = canvas.getContext('2d');
		context.fillStyle = '#fff';
		context.fillRect(0, 0, size, size);
		context.drawImage(image, 0, 0, size, size);
		const { data } = context.getImageData(0, 0, size, size);
		const grey = [];
		for (let index = 0; index < data.length; index += 4) grey.push(1 - Math.min(data[index], data[index + 1], data[index + 2]) / 255);
		out[name] = grey;
	}
	return out;
}`;

/** Every pair of action-node icons with its distance. */
export async function iconDistances(page: Page, root: string, icons = ACTION_NODE_ICONS): Promise<Array<{ a: string; b: string; distance: number }>> {
	const sources = Object.entries(icons).map(([name, file]) => ({
		name,
		url: `data:image/svg+xml;base64,${readFileSync(path.join(root, file)).toString('base64')}`,
	}));
	const greys = (await page.evaluate(`(${RENDER_IN_PAGE})(${JSON.stringify(sources)})`)) as Record<string, number[]>;
	const names = Object.keys(greys);
	const pairs: Array<{ a: string; b: string; distance: number }> = [];
	for (const [i, a] of names.entries()) {
		for (const b of names.slice(i + 1)) {
			const distance = greys[a].reduce((sum, value, index) => sum + Math.abs(value - greys[b][index]), 0) / greys[a].length;
			pairs.push({ a, b, distance });
		}
	}
	return pairs;
}
