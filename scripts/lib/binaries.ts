/** Reading binary data that n8n stored in filesystem mode, and what is in a file. */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { binaryFilePath } from './n8n.ts';
import type { BinaryRef, Item } from './n8n.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readBinary(userFolder: string, ref: BinaryRef): Buffer {
	const file = binaryFilePath(userFolder, ref);
	if (file) return readFileSync(file);
	if (ref.data && ref.data !== 'filesystem-v2') return Buffer.from(ref.data, 'base64');
	throw new Error(`binary ${ref.fileName ?? ''} has no file in n8n's binary store (id ${ref.id ?? 'none'})`);
}

export function isPng(bytes: Buffer): boolean {
	return bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

export function isJpeg(bytes: Buffer): boolean {
	return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** Copies every binary property of the items into `dir` and returns the files written. */
export function copyBinaries(userFolder: string, items: Item[], dir: string, prefix: (item: Item, index: number) => string): string[] {
	mkdirSync(dir, { recursive: true });
	const written: string[] = [];
	items.forEach((item, index) => {
		for (const [name, ref] of Object.entries(item.binary ?? {})) {
			const source = binaryFilePath(userFolder, ref);
			if (!source) continue;
			const extension = ref.fileExtension ?? path.extname(ref.fileName ?? '').slice(1) ?? 'bin';
			const target = path.join(dir, `${prefix(item, index)}${name}.${extension || 'bin'}`);
			copyFileSync(source, target);
			written.push(target);
		}
	});
	return written;
}
