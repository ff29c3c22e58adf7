import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { Pique } from '../../../nodes/Pique/Pique.node';
import { accountId, closeLedgers, openLedger } from '../../../nodes/shared/ledger';
import type { LedgerJob } from '../../../nodes/shared/ledger';
import { SANDBOX_KEYS, SANDBOX_PIQUE_JUDGES } from '../../../sandbox/server';
import { executeContext, runNode } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxRunOptions } from '../../helpers/sandbox';
import type { SandboxRunExtras } from '../../helpers/sandbox';

export const pique = new Pique();
export const JUDGES = SANDBOX_PIQUE_JUDGES;

/** Runs the Pique node against the sandbox and returns its one output. */
export async function runPique(
	sandbox: Sandbox,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extras: SandboxRunExtras = {},
): Promise<INodeExecutionData[]> {
	const [output] = await runNode(pique, sandboxRunOptions(sandbox, 'piqueApi', parameters, input, extras));
	return output;
}

/** The Judge parameter in ID mode, as an expression-driven workflow sets it. */
export function judge(id: string): INodeParameters['judge'] {
	return { __rl: true, mode: 'id', value: id };
}

/** An input item carrying a file in memory, as a Code node would make it. */
export function fileItem(bytes: Buffer, fileName: string, mimeType: string, property = 'data', json: IDataObject = {}): INodeExecutionData {
	return { json, binary: { [property]: { data: bytes.toString(BINARY_ENCODING), mimeType, fileName } } };
}

/** An input item whose file lives in n8n's filesystem binary store (as Read Files from Disk leaves it). */
export async function storedFileItem(bytes: Buffer, fileName: string, mimeType: string, property = 'data'): Promise<INodeExecutionData> {
	const context = await executeContext(pique, { parameters: {} });
	const binary = await context.helpers.prepareBinaryData(bytes, fileName, mimeType);
	return { json: {}, binary: { [property]: binary } };
}

/** Every file under test gets its own ledger file, removed after its tests. */
export function useTempLedger(): void {
	const folder = mkdtempSync(path.join(tmpdir(), 'pique-ledger-'));
	const before = process.env.N8N_VISUAL_AI_LEDGER;
	beforeAll(() => {
		process.env.N8N_VISUAL_AI_LEDGER = path.join(folder, 'ledger.sqlite');
	});
	afterAll(async () => {
		await closeLedgers();
		if (before === undefined) delete process.env.N8N_VISUAL_AI_LEDGER;
		else process.env.N8N_VISUAL_AI_LEDGER = before;
		rmSync(folder, { recursive: true, force: true });
	});
}

/** The ledger's record of a Pique job of the sandbox account (or of another key). */
export async function ledgerJob(sandbox: Sandbox, jobId: string, key: string = SANDBOX_KEYS.pique.apiKey): Promise<LedgerJob | undefined> {
	const ledger = await openLedger();
	return await ledger.get('pique', accountId(sandbox.baseUrls.pique, key), jobId);
}

export async function expectRejection(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the node to fail, but it succeeded');
}

/** Waits (without timers of its own) until the sandbox has logged a request that matches. */
export async function untilRequest(sandbox: Sandbox, filter: Parameters<Sandbox['requests']>[0]): Promise<void> {
	while (sandbox.requests(filter).length === 0) await new Promise((resolve) => setImmediate(resolve));
}
