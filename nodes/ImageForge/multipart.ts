import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** One file of a multipart/form-data body, opened only when its turn comes. */
export interface MultipartFile {
	fieldName: string;
	fileName: string;
	mimeType: string;
	/** Exact byte count: the body announces the total as Content-Length. */
	size: number;
	open(): Promise<Readable>;
}

export interface MultipartBody {
	contentType: string;
	contentLength: number;
	/** A fresh stream of the whole body each call (a retry resends it). */
	stream(): Readable;
}

/** Thrown into the body stream when a file's bytes do not match its announced size. */
export class FileSizeMismatchError extends Error {
	readonly fileName: string;

	constructor(fileName: string, expected: number, actual: number) {
		super(`The binary file "${fileName}" has ${actual} bytes, but its binary data says ${expected}`);
		this.fileName = fileName;
	}
}

/** How browsers escape a form-data name or file name (WHATWG HTML, multipart/form-data encoding). */
function escapeQuoted(value: string): string {
	return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A multipart/form-data body streamed file by file from `open()`: at most one chunk of one file is
 * in memory at a time, and the Content-Length is known before the first byte is sent.
 */
export function multipartBody(files: readonly MultipartFile[], boundary = `----n8nVisualAi${randomBytes(12).toString('hex')}`): MultipartBody {
	const heads = files.map((file) =>
		Buffer.from(
			`--${boundary}\r\n` +
				`Content-Disposition: form-data; name="${escapeQuoted(file.fieldName)}"; filename="${escapeQuoted(file.fileName)}"\r\n` +
				`Content-Type: ${file.mimeType.replace(/[\r\n]/g, '')}\r\n\r\n`,
			'utf8',
		),
	);
	const lineBreak = Buffer.from('\r\n');
	const closing = Buffer.from(`--${boundary}--\r\n`);
	const contentLength =
		heads.reduce((sum, head) => sum + head.length, 0) +
		files.reduce((sum, file) => sum + file.size + lineBreak.length, 0) +
		closing.length;

	async function* pieces(): AsyncGenerator<Buffer> {
		for (const [index, file] of files.entries()) {
			yield heads[index];
			let sent = 0;
			const source = await file.open();
			try {
				for await (const chunk of source) {
					const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
					sent += buffer.length;
					if (sent > file.size) throw new FileSizeMismatchError(file.fileName, file.size, sent);
					yield buffer;
				}
			} finally {
				source.destroy();
			}
			if (sent !== file.size) throw new FileSizeMismatchError(file.fileName, file.size, sent);
			yield lineBreak;
		}
		yield closing;
	}

	return {
		contentType: `multipart/form-data; boundary=${boundary}`,
		contentLength,
		stream: () => Readable.from(pieces(), { objectMode: false }),
	};
}
