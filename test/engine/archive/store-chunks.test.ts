import { Readable } from 'node:stream';

import type { IBinaryData } from 'n8n-workflow';

import { blobBytes } from '../../../sandbox/fixtures';
import { binaryBytes, executeContext } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { archiveOutputs } from './helpers';

const sandbox = useSandbox({});

/** A socket read is at most 64 KiB (libuv's read size); anything bigger is a Buffer joined by a stream. */
const SOCKET_READ_BYTES = 64 * 1024;

describe('Archive Outputs hands n8n\'s store the body as the socket delivered it', () => {
	it('a store slower than the network gets the socket\'s own chunks, never queued chunks joined into new Buffers', async () => {
		const s = sandbox.current;
		const size = 8 * 1024 * 1024;
		const input = [{ json: { outputs: { blob: `${s.url}/files/blob/${size}.bin?seed=3` } } }];
		const context = await executeContext(archiveOutputs, { parameters: {}, input });
		const store = context.helpers.prepareBinaryData.bind(context.helpers);
		const sizes: number[] = [];
		// Reads as n8n's filesystem store does (async iteration, one awaited write per chunk), but slower.
		const slowStore = async (body: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
			if (Buffer.isBuffer(body)) return await store(body, fileName, mimeType);
			async function* slowly(): AsyncGenerator<Buffer> {
				for await (const chunk of body as AsyncIterable<Buffer>) {
					sizes.push(chunk.length);
					await new Promise((resolve) => setTimeout(resolve, 1));
					yield chunk;
				}
			}
			return await store(Readable.from(slowly()), fileName, mimeType);
		};
		Object.defineProperty(context, 'helpers', { value: { ...context.helpers, prepareBinaryData: slowStore } });

		const [[item]] = await archiveOutputs.execute.call(context);

		expect((await binaryBytes(item, 'blob')).equals(blobBytes(size, 3))).toBe(true);
		expect(sizes.reduce((sum, bytes) => sum + bytes, 0)).toBe(size);
		expect(Math.max(...sizes)).toBeLessThanOrEqual(SOCKET_READ_BYTES);
	});
});
