import type { Logger } from 'n8n-workflow';

import type { JobLedger } from './types';

const DAY_MS = 86_400_000;
/** At most one pruning pass per process in this time. */
const EVERY_MS = 10 * 60_000;
/** Small transactions: a registration waits at most for one of them. */
const BATCH_SIZE = 500;
const MAX_BATCHES = 20;

const lastPruned = new WeakMap<JobLedger, number>();

/** Days a finished, fully delivered job stays in the ledger: N8N_VISUAL_AI_LEDGER_RETENTION_DAYS (default 30; 0 keeps everything). */
export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
	const value = Number(env.N8N_VISUAL_AI_LEDGER_RETENTION_DAYS ?? 30);
	return Number.isFinite(value) && value >= 0 ? value : 30;
}

/**
 * Deletes jobs finished more than the retention window ago and delivered to every trigger node
 * polling their account, at most once every 10 minutes per process, in batches of 500. Never
 * throws: a failed pass is logged and tried again later (the ledger only grows meanwhile).
 */
export async function pruneIfDue(ledger: JobLedger, logger: Logger, now = Date.now()): Promise<number> {
	const days = retentionDays();
	if (days === 0 || now - (lastPruned.get(ledger) ?? 0) < EVERY_MS) return 0;
	lastPruned.set(ledger, now);
	try {
		const pruned = await ledger.prune({ olderThanMs: days * DAY_MS, batchSize: BATCH_SIZE, maxBatches: MAX_BATCHES });
		if (pruned > 0) logger.debug(`Visual AI ledger: ${pruned} job(s) older than ${days} day(s) and delivered everywhere pruned from ${ledger.location}`);
		return pruned;
	} catch (error) {
		logger.warn(`Visual AI ledger: pruning old jobs failed, will try again later: ${error instanceof Error ? error.message : String(error)}`);
		return 0;
	}
}
