import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { EyeQuantTrigger } from '../../../nodes/EyeQuant/EyeQuantTrigger.node';
import { PiqueTrigger } from '../../../nodes/Pique/PiqueTrigger.node';
import { VisualAiTrigger } from '../../../nodes/VisualAiTrigger/VisualAiTrigger.node';
import { closeLedgers } from '../../../nodes/shared/ledger';
import { freshLedgerLocation, ledgerDump as dumpLedger, ledgerSql } from '../../helpers/ledger-backend';
import { designPng } from '../../../sandbox/fixtures';
import { pollContext } from '../../helpers/engine';
import { designItem, runEyeQuant } from '../eyequant/helpers';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials } from '../../helpers/sandbox';

export const trigger = new VisualAiTrigger();
/** The three polling trigger node types, all over one polling core. */
export const TRIGGER_TYPES = { visualAi: trigger, eyeQuant: new EyeQuantTrigger(), pique: new PiqueTrigger() } satisfies Record<string, INodeType>;

/** A fresh ledger for this test file (N8N_VISUAL_AI_LEDGER: a SQLite file or a PostgreSQL database), restored afterwards. */
export function useTempLedger(): void {
	const before = process.env.N8N_VISUAL_AI_LEDGER;
	beforeAll(async () => {
		process.env.N8N_VISUAL_AI_LEDGER = await freshLedgerLocation();
	});
	afterAll(async () => {
		await closeLedgers();
		if (before === undefined) delete process.env.N8N_VISUAL_AI_LEDGER;
		else process.env.N8N_VISUAL_AI_LEDGER = before;
	});
}

/** A fresh SQLite ledger file for a test about the file itself (N8N_VISUAL_AI_LEDGER), restored afterwards; its path. */
export function useTempSqliteLedger(): string {
	const before = process.env.N8N_VISUAL_AI_LEDGER;
	const file = path.join(mkdtempSync(path.join(tmpdir(), 'trigger-ledger-')), 'ledger.sqlite');
	process.env.N8N_VISUAL_AI_LEDGER = file;
	afterAll(async () => {
		await closeLedgers();
		if (before === undefined) delete process.env.N8N_VISUAL_AI_LEDGER;
		else process.env.N8N_VISUAL_AI_LEDGER = before;
	});
	return file;
}

/** EyeQuant outputs with one map (attention) and a score: the sandbox takes a while to draw each map. */
export const ONE_MAP: INodeParameters = { predictions: ['attention', 'clarity'], attentionOutputs: ['attentionMap'], clarityOutputs: ['score'] };

/**
 * Analyses submitted through the EyeQuant node (Analysis → Create), their screenshot ids in order.
 * A small design, so that the sandbox draws their maps quickly.
 */
export async function submitAnalyses(sandbox: Sandbox, count: number, parameters: INodeParameters = ONE_MAP): Promise<string[]> {
	const items = Array.from({ length: count }, () => designItem(designPng(64, 40)));
	const output = await runEyeQuant(sandbox, { resource: 'analysis', operation: 'create', ...parameters }, items);
	return output.map((item) => String(item.json.screenshotId));
}

export interface TriggerNodeOptions {
	provider?: 'eyeQuant' | 'pique';
	/** Which node type polls: the Visual AI Trigger (default, Provider from `provider`) or the provider's own trigger. */
	type?: keyof typeof TRIGGER_TYPES;
	/** What n8n's getPollBudgetMs() answers (n8n's scheduler: about 36 s; here default 5 minutes). */
	budgetMs?: number;
	options?: IDataObject;
	nodeId?: string;
	workflowId?: string;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

/** One poll of a trigger node in a real n8n-core PollContext, on the given workflow static data. */
export async function pollOnce(
	sandbox: Sandbox,
	node: TriggerNodeOptions,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
): Promise<INodeExecutionData[] | null> {
	const type = node.type ?? 'visualAi';
	const nodeType = TRIGGER_TYPES[type];
	const parameters = (type === 'visualAi' ? { provider: node.provider ?? 'eyeQuant', options: node.options ?? {} } : { options: node.options ?? {} }) as INodeParameters;
	const all = sandboxCredentials(sandbox);
	const pique = type === 'pique' || (type === 'visualAi' && node.provider === 'pique');
	const credentials = node.credentials ?? (pique ? { piqueApi: all.piqueApi } : { eyeQuantApi: all.eyeQuantApi });
	const context = await pollContext(nodeType, {
		parameters,
		credentials,
		staticData,
		mode,
		nodeId: node.nodeId ?? 'trigger-node',
		workflowId: node.workflowId ?? 'trigger-workflow',
		nodeName: nodeType.description.displayName,
	});
	if (node.budgetMs !== undefined) {
		const budgetMs = node.budgetMs;
		context.getPollBudgetMs = () => budgetMs;
	}
	const result = await nodeType.poll!.call(context);
	return result ? result[0] : null;
}

/**
 * A trigger node as n8n runs it: each poll works on a copy of the committed static data, and the
 * copy is committed only when the poll hands over items (n8n saves it with the hand-off). `drop`
 * makes n8n lose the next hand-off (poll abandoned at its timeout, workflow deactivated, lease lost).
 */
export class TriggerNode {
	committed: IDataObject = {};
	/** Every item handed to n8n and kept, in order. */
	readonly emitted: INodeExecutionData[] = [];
	readonly sandbox: () => Sandbox;
	readonly node: TriggerNodeOptions;

	constructor(sandbox: () => Sandbox, node: TriggerNodeOptions = {}) {
		this.sandbox = sandbox;
		this.node = node;
	}

	async poll(outcome: 'commit' | 'drop' = 'commit'): Promise<INodeExecutionData[] | null> {
		const staged = jsonClone(this.committed);
		const items = await pollOnce(this.sandbox(), this.node, staged);
		if (items && outcome === 'commit') {
			this.committed = staged;
			this.emitted.push(...items);
		}
		return items;
	}

	/** Polls until `done()` or `rounds` polls; returns the items of all of them. */
	async pollUntil(done: () => boolean, rounds = 30, pauseMs = 50): Promise<void> {
		for (let round = 0; round < rounds && !done(); round++) {
			await this.poll();
			if (!done()) await new Promise((resolve) => setTimeout(resolve, pauseMs));
		}
	}

	jobIds(): string[] {
		return this.emitted.map((item) => String(item.json.jobId));
	}
}

/** Polls several trigger nodes at the same time, round after round, until `done()` or `rounds` rounds. */
export async function pollTogether(nodes: TriggerNode[], done: () => boolean, rounds = 30, pauseMs = 50): Promise<void> {
	for (let round = 0; round < rounds && !done(); round++) {
		await Promise.all(nodes.map(async (node) => await node.poll()));
		if (!done()) await sleepMs(pauseMs);
	}
}

/** How many times each id occurs. */
export function counts(ids: string[]): Map<string, number> {
	const seen = new Map<string, number>();
	for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
	return seen;
}

/** Every row of every ledger table, for "nothing changed" checks (a separate connection). */
export async function ledgerDump(): Promise<string> {
	return await dumpLedger(currentLedger());
}

/** The rows of the ledger's deliveries table for one consumer. */
export async function deliveries(consumer: string): Promise<Array<{ job_id: string; state: string; batch: string | null }>> {
	return await ledgerSql(currentLedger(), 'SELECT job_id, state, batch FROM deliveries WHERE consumer = ? ORDER BY job_id', consumer);
}

/** This test file's ledger (set by useTempLedger). */
export function currentLedger(): string {
	const location = process.env.N8N_VISUAL_AI_LEDGER;
	if (!location) throw new Error('useTempLedger() sets the ledger in beforeAll');
	return location;
}

export function sleepMs(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Static data as n8n stores it between polls: JSON in its database. */
export function jsonClone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}
