import { Readable } from 'node:stream';

import type { IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

/** A binary property of an input item, readable as a stream as often as needed (retries re-open it). */
export interface BinaryInput {
	propertyName: string;
	fileName: string;
	mimeType: string;
	size: number;
	open(): Promise<Readable>;
}

export async function readBinaryInput(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<BinaryInput> {
	const item = context.getInputData()[itemIndex];
	const binary = item?.binary?.[propertyName];
	if (!binary) {
		const available = Object.keys(item?.binary ?? {});
		throw new NodeOperationError(context.getNode(), `No binary property "${propertyName}" on this item`, {
			itemIndex,
			description: available.length
				? `The item has these binary properties: ${available.join(', ')}. Set the node's binary property parameter to one of them.`
				: 'The item has no binary data at all. Put a node that reads or downloads the file (e.g. Read/Write Files from Disk, HTTP Request) before this one.',
		});
	}
	let size: number;
	let open: () => Promise<Readable>;
	if (binary.id) {
		const id = binary.id;
		size = (await context.helpers.getBinaryMetadata(id)).fileSize;
		open = async () => await context.helpers.getBinaryStream(id);
	} else {
		const buffer = Buffer.from(binary.data, BINARY_ENCODING);
		size = buffer.length;
		open = async () => Readable.from([buffer]);
	}
	const fileName = binary.fileName ?? `${propertyName}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
	if (size === 0) {
		throw new NodeOperationError(context.getNode(), `The file in binary property "${propertyName}" is empty (0 bytes)`, {
			itemIndex,
			description: `"${fileName}" has no content. Check the node that produced it.`,
		});
	}
	return { propertyName, fileName, mimeType: binary.mimeType || 'application/octet-stream', size, open };
}

/** Reads a whole binary input into memory; only for inputs the provider wants inline (base64 in JSON). */
export async function readBinaryBuffer(input: BinaryInput): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of await input.open()) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
	return Buffer.concat(chunks);
}
