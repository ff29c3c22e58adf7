import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readBinaryBuffer, readBinaryInput } from '../shared/binary-input';
import { ApiClient } from '../shared/http/client';
import type { ProviderProfile } from '../shared/http/errors';
import { redactAndCut, redactUrl } from '../shared/http/redact';
import { errorCode } from '../shared/http/retry';
import { sniffMimeType } from '../shared/mime';

/** The design to analyse, as EyeQuant wants it: PNG or JPEG bytes (sent as base64). */
export interface DesignImage {
	bytes: Buffer;
	mimeType: 'image/png' | 'image/jpeg';
	/** Where it came from, for messages and the output item. */
	label: string;
}

export interface ImageLimits {
	maxBytes: number;
	timeoutMs: number;
}

const IMAGE_URL_PROFILE: ProviderProfile = {
	name: 'Image URL',
	explain(status) {
		if (status === 404 || status === 410) {
			return {
				message: 'no image is there',
				hint: 'Check the Image URL parameter: the address answered that it has no such file. Open it in a browser to compare.',
			};
		}
		if (status === 401 || status === 403) {
			return {
				message: 'the server refused to hand out the image',
				hint: 'The image is not public. Download it with a node that can sign in (e.g. HTTP Request) and use Image Source "Binary File".',
			};
		}
		return { hint: 'The image could not be downloaded from the Image URL. Check the address, or download it in an earlier node and use Image Source "Binary File".' };
	},
};

export async function imageFromBinary(context: IExecuteFunctions, itemIndex: number, propertyName: string, limits: ImageLimits): Promise<DesignImage> {
	const input = await readBinaryInput(context, itemIndex, propertyName);
	if (input.size > limits.maxBytes) throw tooLarge(context, itemIndex, `"${input.fileName}"`, input.size, limits.maxBytes);
	const bytes = await readBinaryBuffer(input);
	return checkedImage(context, itemIndex, bytes, `"${input.fileName}" (binary property "${propertyName}")`, input.mimeType);
}

/** Downloads the image (no auth header: it is a third-party URL), at most `maxBytes`. */
export async function imageFromUrl(context: IExecuteFunctions, itemIndex: number, url: string, limits: ImageLimits): Promise<DesignImage> {
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(context.getNode(), 'The Image URL must start with http:// or https://', {
			itemIndex,
			description: `Got "${redactAndCut(url, [], 80)}". To send a file from this workflow, set Image Source to "Binary File".`,
		});
	}
	const client = new ApiClient(context, { provider: IMAGE_URL_PROFILE, timeoutMs: limits.timeoutMs, retry: { maxTries: 3 } });
	const response = await client.send({
		method: 'GET',
		url,
		itemIndex,
		headers: { accept: 'image/png, image/jpeg, */*' },
		timeoutCovers: 'whole',
		link: {},
	});
	const label = redactUrl(url);
	const declared = Number(response.headers['content-length']);
	if (declared > limits.maxBytes) {
		response.body.destroy();
		throw tooLarge(context, itemIndex, label, declared, limits.maxBytes);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of response.body) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
			size += buffer.length;
			if (size > limits.maxBytes) break;
			chunks.push(buffer);
		}
	} catch (error) {
		throw brokenOff(context, itemIndex, label, error, limits.timeoutMs);
	}
	if (size > limits.maxBytes) {
		response.body.destroy();
		throw tooLarge(context, itemIndex, label, size, limits.maxBytes);
	}
	const header = response.headers['content-type'];
	return checkedImage(context, itemIndex, Buffer.concat(chunks), label, Array.isArray(header) ? header[0] : header);
}

function checkedImage(context: IExecuteFunctions, itemIndex: number, bytes: Buffer, label: string, declaredType?: string): DesignImage {
	if (bytes.length === 0) {
		throw new NodeOperationError(context.getNode(), `The image ${label} is empty (0 bytes)`, { itemIndex });
	}
	const sniffed = sniffMimeType(bytes.subarray(0, 64));
	if (sniffed === 'image/png' || sniffed === 'image/jpeg') return { bytes, mimeType: sniffed, label };
	const looksLike = sniffed ?? declaredType?.split(';')[0].trim() ?? 'unknown';
	throw new NodeOperationError(context.getNode(), `The file ${label} is not a PNG or JPEG image`, {
		itemIndex,
		description: `EyeQuant analyses PNG and JPEG images only; this file looks like ${looksLike}. Convert it (e.g. with the Edit Image node) or pick the right file.`,
	});
}

/** The image stopped arriving (or took longer than the timeout) after the answer began. */
function brokenOff(context: IExecuteFunctions, itemIndex: number, label: string, cause: unknown, timeoutMs: number): NodeOperationError {
	if (context.getExecutionCancelSignal()?.aborted) {
		return new NodeOperationError(context.getNode(), 'The image download was cancelled', { itemIndex });
	}
	const code = errorCode(cause) ?? 'error';
	if (code === 'REQUEST_TIMEOUT') {
		return new NodeOperationError(context.getNode(), `The image ${label} did not arrive within ${Math.round(timeoutMs / 1000)} s`, {
			itemIndex,
			description: 'The timeout covers the whole download of the image. Raise "Image Download Timeout", or download it in an earlier node and use Image Source "Binary File".',
		});
	}
	return new NodeOperationError(context.getNode(), `The download of the image ${label} broke off (${code})`, {
		itemIndex,
		description: 'The host stopped sending before the image was complete. Try again later.',
	});
}

function tooLarge(context: IExecuteFunctions, itemIndex: number, label: string, size: number, limit: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), `The image ${label} is larger than ${Math.round(limit / 1024 / 1024)} MB`, {
		itemIndex,
		description: `It has at least ${size} bytes. Scale it down, or raise "Max Image Size" in the options.`,
	});
}
