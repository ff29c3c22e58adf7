import { Readable } from 'node:stream';

import { UploadSizeError, inferContentType, uploadBody, uploadFileName } from '../../nodes/Pique/upload';
import type { BinaryInput } from '../../nodes/shared/binary-input';

function input(chunks: Buffer[], size: number): BinaryInput & { opened: number } {
	const file = {
		propertyName: 'data',
		fileName: 'clip.mp4',
		mimeType: 'video/mp4',
		size,
		opened: 0,
		open: async () => {
			file.opened++;
			return Readable.from(chunks);
		},
	};
	return file;
}

async function drain(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const chunk of stream) parts.push(chunk as Buffer);
	return Buffer.concat(parts);
}

describe('Pique upload helpers', () => {
	it('content type from the mime type family, else from the extension of a generic file', () => {
		expect(inferContentType('video/quicktime', 'a.mov')).toBe('video');
		expect(inferContentType('image/webp', 'a')).toBe('image');
		expect(inferContentType('audio/mpeg', 'a.bin')).toBe('audio');
		expect(inferContentType('application/octet-stream', 'talk.M4A')).toBe('audio');
		expect(inferContentType('', 'shot.jpeg')).toBe('image');
		expect(inferContentType('application/octet-stream', 'file.bin')).toBeUndefined();
		expect(inferContentType('text/plain', 'notes.mp4')).toBeUndefined();
	});

	it('file names: no folders, an extension from the mime type when missing, at most 255 characters with the extension kept', () => {
		expect(uploadFileName('videos/2025/launch.mp4', 'video/mp4')).toBe('launch.mp4');
		expect(uploadFileName('C:\\clips\\a.webm', 'video/webm')).toBe('a.webm');
		expect(uploadFileName('data', 'video/mp4')).toBe('data.mp4');
		expect(uploadFileName('  ', 'image/png')).toBe('upload.png');
		const long = uploadFileName(`${'x'.repeat(300)}.mp4`, 'video/mp4');
		expect(long).toHaveLength(255);
		expect(long.endsWith('.mp4')).toBe(true);
	});

	it('the body opens the file anew for each try and refuses a file that is not the announced size', async () => {
		const file = input([Buffer.from('abc'), Buffer.from('def')], 6);
		const body = uploadBody(file, () => undefined);
		expect((await drain(body())).toString()).toBe('abcdef');
		expect((await drain(body())).toString()).toBe('abcdef');
		expect(file.opened).toBe(2);

		let seen: UploadSizeError | undefined;
		const short = uploadBody(input([Buffer.from('abc')], 6), (error) => {
			seen = error;
		});
		await expect(drain(short())).rejects.toThrow('The binary file "clip.mp4" has only 3 bytes, but its binary data says 6');
		expect(seen).toBeInstanceOf(UploadSizeError);
		const long = uploadBody(input([Buffer.from('abcdefgh')], 6), () => undefined);
		await expect(drain(long())).rejects.toThrow('has at least 8 bytes');
	});
});
