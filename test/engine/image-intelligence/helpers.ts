import { Logger as BackendLogger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject, INodeExecutionData, INodeParameters, LogMetadata, Logger } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { ImageIntelligence } from '../../../nodes/ImageIntelligence/ImageIntelligence.node';
import { executeContext, runNode } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxRunOptions } from '../../helpers/sandbox';
import type { SandboxRunExtras } from '../../helpers/sandbox';

export const imageIntelligence = new ImageIntelligence();

/** Runs the Image Intelligence node against the sandbox and returns its one output. */
export async function runII(
	sandbox: Sandbox,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extras: SandboxRunExtras = {},
): Promise<INodeExecutionData[]> {
	const [output] = await runNode(imageIntelligence, sandboxRunOptions(sandbox, 'imageIntelligenceApi', parameters, input, extras));
	return output;
}

/** Like runII, also recording every log line the node writes (all levels). */
export async function runIIRecording(
	sandbox: Sandbox,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extras: SandboxRunExtras = {},
): Promise<{ output?: INodeExecutionData[]; error?: Error; logs: string[] }> {
	const context = await executeContext(imageIntelligence, sandboxRunOptions(sandbox, 'imageIntelligenceApi', parameters, input, extras));
	// n8n's logger is one shared instance that the context memoizes on first use: give this
	// context a recording wrapper before anything reads it.
	const logs: string[] = [];
	const shared = Container.get(BackendLogger);
	const record =
		(level: keyof Logger) =>
		(message: string, meta?: LogMetadata): void => {
			logs.push(`${level}: ${message} ${meta ? JSON.stringify(meta) : ''}`);
			shared[level](message, meta);
		};
	const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
	Object.defineProperty(context, 'logger', { value: logger });
	try {
		const [output] = await imageIntelligence.execute.call(context);
		return { output, logs };
	} catch (error) {
		return { error: error as Error, logs };
	}
}

/** Ask → Create parameters for image URLs (one entry per URL). */
export function askUrls(question: string, urls: Array<string | { url: string; customId?: string }>, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'ask',
		operation: 'create',
		question,
		imageSource: 'url',
		imageUrls: { image: urls.map((entry) => (typeof entry === 'string' ? { url: entry } : entry)) },
		...extra,
	};
}

export const waitParameters = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'ask',
	operation: 'waitForCompletion',
	pollInterval: 0.02,
	timeout: 10,
	...extra,
});

/** An input item carrying an image as binary (in memory, as a Code node would make it). */
export function imageItem(bytes: Buffer, fileName: string, property = 'data', json: IDataObject = {}): INodeExecutionData {
	const mimeType = fileName.endsWith('.png') ? 'image/png' : fileName.endsWith('.jpg') ? 'image/jpeg' : 'application/octet-stream';
	return { json, binary: { [property]: { data: bytes.toString(BINARY_ENCODING), mimeType, fileName } } };
}

export async function expectRejection(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the node to fail, but it succeeded');
}

/** Everything a user or a log could see of an output or an error, as one string. */
export function visible(value: unknown): string {
	if (value instanceof Error) {
		const { message, description } = value as Error & { description?: string };
		return JSON.stringify({ message, description, stack: value.stack, value });
	}
	return JSON.stringify(value);
}

/** The sandbox's access tokens start like this; none may reach an item or an error. */
export const TOKEN_PATTERN = /ii_at_[0-9a-f]+/;
