import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readBinaryBuffer, readBinaryInput } from '../../../shared/binary-input';
import { checked, optionsOf } from '../common';
import { MAX_ID_CHARS, checkId, checkUrl, urlList } from '../../limits';
import type { AskImage } from '../../limits';

interface UrlEntry {
	url?: unknown;
	customId?: unknown;
}

/** The images one input item contributes: its image URLs, or its binary files as base64. */
export async function imagesOfItem(context: IExecuteFunctions, itemIndex: number): Promise<AskImage[]> {
	const source = context.getNodeParameter('imageSource', itemIndex, 'url') as string;
	const images = source === 'binary' ? await binaryImages(context, itemIndex) : urlImages(context, itemIndex);
	if (images.length === 0) {
		throw new NodeOperationError(context.getNode(), 'This item has no image to ask about', {
			itemIndex,
			description:
				source === 'binary'
					? 'Set "Input Binary Fields" to the binary properties that hold the images.'
					: 'Add at least one entry under "Image URLs" (an expression such as {{ $json.url }} reads it from the item; {{ $json.urls }} may return a list).',
		});
	}
	return images;
}

function urlImages(context: IExecuteFunctions, itemIndex: number): AskImage[] {
	const entries = context.getNodeParameter('imageUrls.image', itemIndex, []) as UrlEntry[];
	const images: AskImage[] = [];
	for (const [entryIndex, entry] of entries.entries()) {
		const urls = urlList(entry.url);
		const label = `Image URL ${entryIndex + 1}`;
		const customId = checked(context, itemIndex, () => checkId(entry.customId, `Custom ID of ${label}`));
		for (const [n, url] of urls.entries()) {
			checked(context, itemIndex, () => checkUrl(url, urls.length > 1 ? `${label} (URL ${n + 1})` : label));
			// One entry may expand to several URLs: each gets the entry's custom ID with its number.
			const suffix = `-${n + 1}`;
			const id = customId && urls.length > 1 ? `${customId.slice(0, MAX_ID_CHARS - suffix.length)}${suffix}` : customId;
			images.push({ url, ...(id ? { customId: id } : {}) });
		}
	}
	return images;
}

async function binaryImages(context: IExecuteFunctions, itemIndex: number): Promise<AskImage[]> {
	const names = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data'))
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	const fileNameAsId = optionsOf(context, itemIndex).fileNameAsCustomId !== false;
	const images: AskImage[] = [];
	for (const name of names) {
		const input = await readBinaryInput(context, itemIndex, name);
		const bytes = await readBinaryBuffer(input);
		images.push({ blob: bytes.toString('base64'), ...(fileNameAsId ? { customId: input.fileName.slice(0, MAX_ID_CHARS) } : {}) });
	}
	return images;
}
