/** Mime type from a file's first bytes, for answers that do not say (or say only octet-stream). */
export function sniffMimeType(head: Buffer): string | undefined {
	const starts = (bytes: number[], offset = 0) => bytes.every((byte, index) => head[offset + index] === byte);
	if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
	if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
	if (head.subarray(4, 12).toString('latin1') === 'ftypavif') return 'image/avif';
	if (head.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
	if (starts([0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
	if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
	const text = head.subarray(0, 64).toString('utf8').trimStart();
	if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'image/svg+xml';
	return undefined;
}

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/avif': 'avif',
	'image/svg+xml': 'svg',
	'video/mp4': 'mp4',
	'video/webm': 'webm',
	'video/quicktime': 'mov',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'application/pdf': 'pdf',
	'application/json': 'json',
	'text/plain': 'txt',
};

/** Names hosts use for a type that has another registered name. */
const ALIASES: Record<string, string> = {
	'image/jpg': 'image/jpeg',
	'image/pjpeg': 'image/jpeg',
	'image/x-jpeg': 'image/jpeg',
	'image/x-png': 'image/png',
	'image/x-webp': 'image/webp',
	'image/svg': 'image/svg+xml',
	'video/x-m4v': 'video/mp4',
	'audio/mp3': 'audio/mpeg',
	'audio/x-mp3': 'audio/mpeg',
	'audio/x-wav': 'audio/wav',
	'audio/wave': 'audio/wav',
	'audio/vnd.wave': 'audio/wav',
	'application/x-pdf': 'application/pdf',
	'text/json': 'application/json',
};

/**
 * A Content-Type header as one registered mime type: lower case, parameters dropped, aliases
 * (`image/jpg`, `image/x-png`, ...) mapped to their registered name; undefined when empty.
 */
export function normalizeMimeType(header: string | string[] | undefined): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	const base = value?.split(';')[0].trim().toLowerCase();
	if (!base) return undefined;
	return ALIASES[base] ?? base;
}

export function extensionForMimeType(mimeType: string): string | undefined {
	const normalized = normalizeMimeType(mimeType);
	return normalized ? EXTENSIONS[normalized] : undefined;
}

export function isGenericMimeType(mimeType: string | undefined): boolean {
	const base = mimeType?.split(';')[0].trim().toLowerCase();
	return !base || base === 'application/octet-stream' || base === 'binary/octet-stream';
}
