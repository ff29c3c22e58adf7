import path from 'node:path';
import { Readable } from 'node:stream';

import type { BinaryInput } from '../shared/binary-input';
import { ApiClient } from '../shared/http/client';
import type { RequestContext } from '../shared/http/client';
import type { ProviderProfile } from '../shared/http/errors';
import { extensionForMimeType, isGenericMimeType } from '../shared/mime';
import type { PresignedUpload } from './schemas';

export const UPLOAD_CONTENT_TYPES = ['video', 'image', 'audio'] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

const MAX_FILE_NAME = 255;

/** For files whose mime type says nothing (application/octet-stream): the extension decides. */
const CONTENT_TYPE_BY_EXTENSION: Record<string, UploadContentType> = {
	mp4: 'video',
	m4v: 'video',
	mov: 'video',
	webm: 'video',
	mkv: 'video',
	avi: 'video',
	png: 'image',
	jpg: 'image',
	jpeg: 'image',
	gif: 'image',
	webp: 'image',
	avif: 'image',
	mp3: 'audio',
	wav: 'audio',
	m4a: 'audio',
	ogg: 'audio',
	flac: 'audio',
	aac: 'audio',
};

/** Pique's content type (video, image, audio) of a file, from its mime type, else its extension. */
export function inferContentType(mimeType: string, fileName: string): UploadContentType | undefined {
	const family = mimeType.split('/')[0].trim().toLowerCase();
	if ((UPLOAD_CONTENT_TYPES as readonly string[]).includes(family)) return family as UploadContentType;
	if (!isGenericMimeType(mimeType) && family !== 'application') return undefined;
	const extension = path.extname(fileName).slice(1).toLowerCase();
	return CONTENT_TYPE_BY_EXTENSION[extension];
}

/**
 * The file name Pique gets: no folders, at most 255 characters with the extension kept, and an
 * extension from the mime type when the name has none (Pique derives the upload's type from it).
 */
export function uploadFileName(fileName: string, mimeType: string): string {
	let name = fileName.split(/[\\/]/).pop()?.trim() || 'upload';
	if (!path.extname(name)) {
		const extension = extensionForMimeType(mimeType);
		if (extension) name = `${name}.${extension}`;
	}
	if (name.length <= MAX_FILE_NAME) return name;
	const extension = path.extname(name).slice(0, 16);
	return name.slice(0, MAX_FILE_NAME - extension.length) + extension;
}

/** Thrown into the upload stream when the binary data holds more or fewer bytes than announced. */
export class UploadSizeError extends Error {
	constructor(fileName: string, expected: number, actual: number) {
		super(`The binary file "${fileName}" has ${actual < expected ? 'only ' : 'at least '}${actual} bytes, but its binary data says ${expected}`);
	}
}

/**
 * A fresh stream of the file for each try of the PUT, opened from n8n's binary store only when
 * undici starts sending (one chunk at a time in memory), checked against the announced size.
 */
export function uploadBody(input: BinaryInput, onSizeError: (error: UploadSizeError) => void): () => Readable {
	async function* chunks(): AsyncGenerator<Buffer> {
		const source = await input.open();
		let sent = 0;
		try {
			for await (const chunk of source) {
				const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
				sent += buffer.length;
				if (sent > input.size) throw new UploadSizeError(input.fileName, input.size, sent);
				yield buffer;
			}
		} finally {
			source.destroy();
		}
		if (sent !== input.size) throw new UploadSizeError(input.fileName, input.size, sent);
	}
	return () =>
		Readable.from(chunks(), { objectMode: false }).on('error', (error) => {
			if (error instanceof UploadSizeError) onSizeError(error);
		});
}

/** Storage errors (GCS XML codes) of the presigned PUT, in words a workflow builder can act on. */
const UPLOAD_PROFILE: ProviderProfile = {
	name: 'Pique upload',
	explain(status, error) {
		const code = error.code ?? '';
		if (code === 'ExpiredToken' || /expired/i.test(error.message ?? '')) {
			return { hint: 'The upload URL expired before the file arrived (Pique\'s upload URLs last 15 to 60 minutes).' };
		}
		if (code === 'SignatureDoesNotMatch' || status === 403) {
			return { hint: 'The storage refused the upload\'s signature or headers.' };
		}
		if (code === 'EntityTooSmall' || code === 'EntityTooLarge') {
			return { hint: 'The bytes that arrived do not match the size announced to Pique; the binary data may have changed while it was read.' };
		}
		if (code === 'PreconditionFailed') return { hint: 'A file was already uploaded for this job.' };
		return { hint: 'The storage behind Pique\'s upload URL refused or lost the upload.' };
	},
};

/**
 * PUTs the file to the presigned URL with exactly the headers Pique returned (plus the exact
 * Content-Length), streamed; no Pique key goes to the storage host. Retried (a PUT of the same
 * bytes is harmless) on 429/5xx and dropped connections, each try re-reading the file.
 */
export async function putUpload(
	context: RequestContext,
	presigned: PresignedUpload,
	input: BinaryInput,
	options: { itemIndex: number; timeoutMs: number },
): Promise<void> {
	const client = new ApiClient(context, { provider: UPLOAD_PROFILE, timeoutMs: options.timeoutMs });
	const headers: Record<string, string> = { ...presigned.upload_headers };
	if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) headers['content-length'] = String(input.size);
	let sizeError: UploadSizeError | undefined;
	try {
		const response = await client.send({
			method: 'PUT',
			url: presigned.upload_url,
			headers,
			body: uploadBody(input, (error) => {
				sizeError = error;
			}),
			itemIndex: options.itemIndex,
		});
		// The 2xx status is the storage's whole answer: its body is neither waited for nor read.
		response.body.on('error', () => undefined).destroy();
	} catch (error) {
		throw sizeError ?? error;
	}
}
