import type { Logger } from 'n8n-workflow';

import type { LedgerTarget } from './target';

let warned = false;

/**
 * Why this process's ledger may not be the one the other n8n processes use: n8n runs in queue mode
 * (main and workers, perhaps on other hosts) and the ledger is a local file. Undefined otherwise.
 */
export function splitLedgerWarning(target: LedgerTarget, env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (env.EXECUTIONS_MODE !== 'queue' || target.kind !== 'sqlite') return undefined;
	return (
		`Visual AI job ledger: n8n runs in queue mode (EXECUTIONS_MODE=queue) and this process records jobs in the local file ${target.file}. ` +
		'Jobs submitted by a worker that does not share this file never reach the Visual AI Trigger on the main process. ' +
		'Run n8n on PostgreSQL (DB_TYPE=postgresdb; the ledger then uses it by itself) or set N8N_VISUAL_AI_LEDGER=postgres://user:password@host:5432/database on main and every worker'
	);
}

/** Logs the split-ledger warning once per process, at the first use of the ledger that has a logger. */
export function warnIfSplit(target: LedgerTarget, logger: Logger | undefined): void {
	if (warned || !logger) return;
	const warning = splitLedgerWarning(target);
	if (!warning) return;
	warned = true;
	logger.warn(warning);
}
