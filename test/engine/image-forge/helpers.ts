import type { INodeExecutionData, INodeParameters, LogMetadata, Logger } from 'n8n-workflow';

import { ImageForge } from '../../../nodes/ImageForge/ImageForge.node';
import { SANDBOX_KEYS } from '../../../sandbox/server.ts';
import { designPng } from '../../../sandbox/fixtures.ts';
import { executeContext, runNode } from '../../helpers/engine';
import type { NodeRunOptions } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';

export const KEYS = SANDBOX_KEYS.imageForge;

export function credentials(sandbox: Sandbox, apiKey: string = KEYS.apiKey) {
	return { imageForgeApi: { apiKey, baseUrl: sandbox.baseUrls.imageForge } };
}

export interface TestFile {
	name: string;
	bytes: Buffer;
	mimeType?: string;
	/** Binary property; default `data`. */
	property?: string;
}

/** Items whose binary data lives in n8n's filesystem store, as after Read Files from Disk. */
export async function binaryItems(files: TestFile[][]): Promise<INodeExecutionData[]> {
	const context = await executeContext(new ImageForge(), { parameters: {} });
	const items: INodeExecutionData[] = [];
	for (const [index, itemFiles] of files.entries()) {
		const binary: INodeExecutionData['binary'] = {};
		for (const file of itemFiles) {
			binary[file.property ?? 'data'] = await context.helpers.prepareBinaryData(file.bytes, file.name, file.mimeType ?? 'image/png');
		}
		items.push({ json: { index }, binary });
	}
	return items;
}

/** One PNG per item, named `<prefix>-<n>.png`, each a different size so their bytes differ. */
export function pngFiles(count: number, prefix = 'product'): TestFile[][] {
	return Array.from({ length: count }, (_, n) => [{ name: `${prefix}-${n + 1}.png`, bytes: designPng(40 + n, 30) }]);
}

export interface RunOptions extends Partial<Omit<NodeRunOptions, 'parameters'>> {
	sandbox: Sandbox;
	apiKey?: string;
}

export async function runForge(parameters: INodeParameters, options: RunOptions): Promise<INodeExecutionData[]> {
	const { sandbox, apiKey, ...rest } = options;
	const [output] = await runNode(new ImageForge(), { credentials: credentials(sandbox, apiKey), ...rest, parameters });
	return output;
}

export interface LogLine {
	level: string;
	message: string;
	meta?: LogMetadata;
}

/** Runs the node in a real ExecuteContext whose logger records every line. */
export async function runForgeWithLogs(
	parameters: INodeParameters,
	options: RunOptions,
	logs: LogLine[] = [],
): Promise<{ output: INodeExecutionData[]; logs: LogLine[] }> {
	const { sandbox, apiKey, ...rest } = options;
	const node = new ImageForge();
	const context = await executeContext(node, { credentials: credentials(sandbox, apiKey), ...rest, parameters });
	const record = (level: string) => (message: string, meta?: LogMetadata) => {
		logs.push({ level, message, meta });
	};
	const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
	Object.defineProperty(context, 'logger', { value: logger });
	const [output] = await node.execute.call(context);
	return { output, logs };
}

export const UPLOAD = { resource: 'session', operation: 'upload' };
export const ANALYZE = { resource: 'image', operation: 'analyze' };

/** Session → Upload of the given files; its output items are what Analyze/Export take by default. */
export async function uploaded(sandbox: Sandbox, files: TestFile[][], apiKey?: string): Promise<INodeExecutionData[]> {
	return await runForge(UPLOAD, { sandbox, apiKey, input: await binaryItems(files) });
}

export async function failure(promise: Promise<unknown>): Promise<Error & { description?: string; httpCode?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the node to fail');
}

export const json = (items: INodeExecutionData[]) => items.map((item) => item.json);
