import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkedId } from '../shared/parameters';
import type { Metadata } from './schemas';

/** What the API needs to name one uploaded image (the `images[]` entries of analyze and export). */
export interface ImageRef {
	sessionId: string;
	imageId: string;
	uploadPath: string;
	originalFilename: string;
}

/** The provider's batch limit ("keep batches under 100 images"; 400 above). */
export const MAX_IMAGES_PER_REQUEST = 100;

const REF_FIELDS: Array<{ parameter: keyof ImageRef; field: string; label: string }> = [
	{ parameter: 'sessionId', field: 'sessionId', label: 'Session ID' },
	{ parameter: 'imageId', field: 'imageId', label: 'Image ID' },
	{ parameter: 'uploadPath', field: 'uploadPath', label: 'Upload Path' },
	{ parameter: 'originalFilename', field: 'originalFilename', label: 'Original Filename' },
];

/** Reads the image parameters of one item (by default `$json.sessionId` etc. from Session → Upload). */
export function readImageRef(context: IExecuteFunctions, itemIndex: number): ImageRef {
	const ref = {} as ImageRef;
	for (const { parameter, field, label } of REF_FIELDS) {
		const value = context.getNodeParameter(parameter, itemIndex, '') as unknown;
		const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
		const isPathId = parameter === 'sessionId' || parameter === 'imageId';
		// An object, list or boolean from an expression is refused by name rather than reported missing.
		if (isPathId && value !== undefined && value !== null && text === '' && typeof value !== 'string') {
			checkedId(context, value, label, itemIndex, parameter);
		}
		if (text === '') {
			throw new NodeOperationError(context.getNode(), `No ${label} for this item`, {
				itemIndex,
				description: `The parameter "${label}" is empty. By default it is read from the input item's "${field}" field, which Image Forge → Session → Upload outputs (one item per image). Put that node before this one, or set the parameter.`,
			});
		}
		ref[parameter] = isPathId ? checkedId(context, text, label, itemIndex, parameter) : text;
	}
	return ref;
}

/** The input item's SEO metadata fields (as Image → Analyze outputs them), if it has any. */
export function metadataFromItem(json: IDataObject): Partial<Metadata> | undefined {
	const metadata: Partial<Metadata> = {};
	for (const key of ['title', 'alt', 'caption', 'description', 'filename'] as const) {
		const value = json[key];
		if (typeof value === 'string' && value.trim() !== '') metadata[key] = value;
	}
	if (Array.isArray(json.seoTags) && json.seoTags.every((tag) => typeof tag === 'string')) {
		metadata.seoTags = json.seoTags as string[];
	}
	return Object.keys(metadata).length > 0 ? metadata : undefined;
}

export interface ItemImage {
	itemIndex: number;
	ref: ImageRef;
	metadata?: Partial<Metadata>;
}

/** One request's worth of images: one session, each image once, at most `max`. */
export interface SessionBatch {
	sessionId: string;
	images: ItemImage[];
	/** Every item index the batch answers (an image listed by two items answers both). */
	itemIndexes: number[];
}

/** Groups items by session into requests of at most `max` distinct images, in input order. */
export function batchesBySession(items: readonly ItemImage[], max = MAX_IMAGES_PER_REQUEST): SessionBatch[] {
	const bySession = new Map<string, ItemImage[]>();
	for (const item of items) {
		const list = bySession.get(item.ref.sessionId) ?? [];
		list.push(item);
		bySession.set(item.ref.sessionId, list);
	}
	const batches: SessionBatch[] = [];
	for (const [sessionId, list] of bySession) {
		const seen = new Map<string, SessionBatch>();
		let current: SessionBatch | undefined;
		for (const item of list) {
			const existing = seen.get(item.ref.imageId);
			if (existing) {
				existing.itemIndexes.push(item.itemIndex);
				continue;
			}
			if (!current || current.images.length >= max) {
				current = { sessionId, images: [], itemIndexes: [] };
				batches.push(current);
			}
			current.images.push(item);
			current.itemIndexes.push(item.itemIndex);
			seen.set(item.ref.imageId, current);
		}
	}
	return batches;
}

/** The fields every image item carries, so the next Image Forge node works with its defaults. */
export function refFields(ref: ImageRef): IDataObject {
	return {
		sessionId: ref.sessionId,
		imageId: ref.imageId,
		originalFilename: ref.originalFilename,
		uploadPath: ref.uploadPath,
	};
}

/** An analyze result as a flat item: the metadata fields at the top, the provider's answer under `raw`. */
export function metadataItem(ref: ImageRef, metadata: Metadata, raw: unknown): IDataObject {
	return {
		...refFields(ref),
		title: metadata.title,
		alt: metadata.alt,
		caption: metadata.caption,
		description: metadata.description,
		filename: metadata.filename,
		seoTags: metadata.seoTags,
		raw: raw as IDataObject,
	};
}

/** The input item's binary data, carried to the output when the user keeps it. */
export function passBinary(context: IExecuteFunctions, itemIndex: number, keep: boolean): Pick<INodeExecutionData, 'binary'> {
	const binary = context.getInputData()[itemIndex]?.binary;
	return keep && binary ? { binary } : {};
}

/** "a.png (img_1), b.png (img_2)", with at most `limit` names and a count of the rest. */
export function describeImages(refs: ReadonlyArray<Pick<ImageRef, 'imageId' | 'originalFilename'>>, limit = Number.POSITIVE_INFINITY): string {
	const shown = refs.slice(0, limit).map((ref) => `${ref.originalFilename} (${ref.imageId})`);
	const rest = refs.length - shown.length;
	return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
