import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

import type { Logger } from 'n8n-workflow';

import { PostgresLedger } from './postgres';
import { warnIfSplit } from './split';
import { SqliteLedger } from './sqlite';
import { describeTarget, ledgerTarget } from './target';
import type { LedgerTarget } from './target';
import type { JobLedger, LedgerProvider } from './types';

export type * from './types';
export { describeTarget, ledgerTarget } from './target';
export { splitLedgerWarning } from './split';
export { pruneIfDue, retentionDays } from './retention';
export type { LedgerTarget } from './target';

const opened = new Map<string, Promise<JobLedger>>();

/** Where the ledger lives, as shown to users: the SQLite file, or the PostgreSQL database (never its password). */
export function ledgerLocation(env: NodeJS.ProcessEnv = process.env): string {
	return describeTarget(ledgerTarget(env));
}

function targetKey(target: LedgerTarget): string {
	return target.kind === 'sqlite' ? target.file : JSON.stringify(target.connection);
}

function openTarget(target: LedgerTarget): Promise<JobLedger> {
	return target.kind === 'postgres' ? PostgresLedger.open(target) : SqliteLedger.open(target.file);
}

/**
 * The process's ledger for the current settings (or a SQLite file given by path), opened and
 * migrated once. Errors: the file cannot be written, the database cannot be reached, the schema is
 * newer than this code; messages name the file or host and database, never a password.
 */
export async function openLedger(location?: string, logger?: Logger): Promise<JobLedger> {
	const target: LedgerTarget = location === undefined ? ledgerTarget() : ledgerTarget({ N8N_VISUAL_AI_LEDGER: location });
	const key = targetKey(target);
	let ledger = opened.get(key);
	if (!ledger) {
		ledger = openTarget(target);
		opened.set(key, ledger);
		ledger.catch(() => opened.delete(key));
	}
	const open = await ledger;
	warnIfSplit(target, logger);
	return open;
}

/**
 * Whether the ledger for the current settings has been made (by this process or another), without
 * making it: the SQLite file exists, or the PostgreSQL schema does. For background work that must
 * not create a ledger nobody uses. Errors: the database cannot be reached.
 */
export async function ledgerExists(): Promise<boolean> {
	const target = ledgerTarget();
	if (opened.has(targetKey(target))) return true;
	return target.kind === 'sqlite' ? existsSync(target.file) : await PostgresLedger.exists(target);
}

/** Closes every ledger this process opened (tests, shutdown). */
export async function closeLedgers(): Promise<void> {
	const all = [...opened.values()];
	opened.clear();
	for (const ledger of await Promise.allSettled(all)) {
		if (ledger.status === 'fulfilled') await ledger.value.close();
	}
}

/** One trigger node of one workflow (workflow id + node id): the ledger delivers every job once to each. */
export function triggerConsumerId(workflowId: string | undefined, nodeId: string): string {
	return `${workflowId ?? 'unsaved'}:${nodeId}`;
}

/**
 * Identifies a credential without containing it: two accounts never see each other's jobs, and
 * the same key on the same base URL is the same account in every workflow.
 */
export function accountId(baseUrl: string, secret: string): string {
	const normalised = baseUrl.trim().replace(/\/+$/, '').toLowerCase();
	return createHash('sha256').update(`${normalised}\n${secret}`).digest('hex').slice(0, 32);
}

/** Records submitted jobs for the Visual AI Trigger. Registering a job twice is harmless. */
export async function registerJobs(
	context: { logger: Logger },
	provider: LedgerProvider,
	account: string,
	jobs: Array<{ jobId: string; submittedAt?: Date }>,
): Promise<void> {
	if (jobs.length === 0) return;
	const ledger = await openLedger(undefined, context.logger);
	const added = await ledger.register(jobs.map((job) => ({ provider, account, ...job })));
	context.logger.debug(`Visual AI ledger: ${added} new ${provider} job(s) registered in ${ledger.location}`);
}
