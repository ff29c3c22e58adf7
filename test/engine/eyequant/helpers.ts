import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { EyeQuant } from '../../../nodes/EyeQuant/EyeQuant.node';
import { designPng } from '../../../sandbox/fixtures';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxRunOptions } from '../../helpers/sandbox';
import type { SandboxRunExtras } from '../../helpers/sandbox';
import { runNode } from '../../helpers/engine';

export const eyeQuant = new EyeQuant();

/** Runs the EyeQuant node against the sandbox and returns its one output. */
export async function runEyeQuant(
	sandbox: Sandbox,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extras: SandboxRunExtras = {},
): Promise<INodeExecutionData[]> {
	const [output] = await runNode(eyeQuant, sandboxRunOptions(sandbox, 'eyeQuantApi', parameters, input, extras));
	return output;
}

/** An input item carrying a design as binary (in memory, as a Code node would make it). */
export function designItem(bytes: Buffer = designPng(), property = 'data', mimeType = 'image/png', json: IDataObject = {}): INodeExecutionData {
	return {
		json,
		binary: { [property]: { data: bytes.toString(BINARY_ENCODING), mimeType, fileName: `design.${mimeType.split('/')[1]}` } },
	};
}

/** Every map output, so a finished analysis has five map URLs and both scores. */
export const ALL_OUTPUTS: INodeParameters = {
	predictions: ['attention', 'clarity', 'excitingness'],
	attentionOutputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'],
	clarityOutputs: ['score', 'map'],
	excitingnessOutputs: ['score', 'map'],
};

/** Submits designs through the node (Analysis → Create) and returns their screenshot ids. */
export async function createAnalyses(sandbox: Sandbox, count = 1, extra: INodeParameters = ALL_OUTPUTS): Promise<string[]> {
	const items = Array.from({ length: count }, () => designItem());
	const output = await runEyeQuant(sandbox, { resource: 'analysis', operation: 'create', ...extra }, items);
	return output.map((item) => item.json.screenshotId as string);
}

/** Bytes of a URL fetched directly from the sandbox (what it serves, no auth). */
export async function served(url: string): Promise<Buffer> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url} answered ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

/** Files n8n's filesystem binary store holds for one execution (temporary files included). */
export function storedFiles(executionId: string): string[] {
	const root = process.env.N8N_USER_FOLDER;
	if (!root) throw new Error('N8N_USER_FOLDER is not set');
	const found: string[] = [];
	const walk = (dir: string, inside: boolean) => {
		for (const entry of readdirSync(dir)) {
			const full = path.join(dir, entry);
			const isDir = statSync(full).isDirectory();
			if (isDir) walk(full, inside || entry === executionId);
			else if (inside) found.push(full);
		}
	};
	walk(root, false);
	return found;
}

export async function expectRejection(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the node to fail, but it succeeded');
}
