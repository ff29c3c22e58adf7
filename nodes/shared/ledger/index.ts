import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';

import type { Logger } from 'n8n-workflow';

import { SqliteLedger } from './sqlite';
import type { JobLedger, LedgerProvider } from './types';

export type {
	BeginPoll,
	CheckResult,
	Delivery,
	JobLedger,
	JobState,
	LedgerJob,
	LedgerProvider,
	NewJob,
	PollStart,
	StagedBatch,
	Waiter,
	WaitingJob,
} from './types';

const FILE_NAME = 'visual-ai-ledger.sqlite';
const opened = new Map<string, Promise<JobLedger>>();

/** Where the ledger lives: N8N_VISUAL_AI_LEDGER, else the n8n user folder (as n8n itself decides it). */
export function ledgerLocation(env: NodeJS.ProcessEnv = process.env): string {
	if (env.N8N_VISUAL_AI_LEDGER) return path.resolve(env.N8N_VISUAL_AI_LEDGER);
	const userFolder = env.N8N_USER_FOLDER || homedir();
	return path.join(userFolder, '.n8n', FILE_NAME);
}

/** The process's ledger for the current location, opened (and migrated) once. */
export async function openLedger(location = ledgerLocation()): Promise<JobLedger> {
	let ledger = opened.get(location);
	if (!ledger) {
		ledger = SqliteLedger.open(location);
		opened.set(location, ledger);
		ledger.catch(() => opened.delete(location));
	}
	return await ledger;
}

/** Closes every ledger this process opened (tests, shutdown). */
export async function closeLedgers(): Promise<void> {
	const all = [...opened.values()];
	opened.clear();
	for (const ledger of await Promise.allSettled(all)) {
		if (ledger.status === 'fulfilled') ledger.value.close();
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
	const ledger = await openLedger();
	const added = await ledger.register(jobs.map((job) => ({ provider, account, ...job })));
	context.logger.debug(`Visual AI ledger: ${added} new ${provider} job(s) registered in ${ledger.location}`);
}
