import type { DueWaitLimit, JobState, LedgerJob, LedgerProvider, WaitingJob, WaitLimit } from './types';

/** A row of the `jobs` table, as both backends store it (times in ms since the epoch). */
export interface JobRow {
	provider: LedgerProvider;
	account: string;
	job_id: string;
	submitted_at: number;
	registered_at: number;
	state: JobState;
	checks: number;
	last_checked_at: number | null;
	finished_at: number | null;
	last_status: string | null;
}

/** A `jobs` row as the ledger's interface gives it out. */
export function toJob(row: JobRow): LedgerJob {
	return {
		provider: row.provider,
		account: row.account,
		jobId: row.job_id,
		submittedAt: row.submitted_at,
		registeredAt: row.registered_at,
		state: row.state,
		checks: row.checks,
		lastCheckedAt: row.last_checked_at ?? undefined,
		finishedAt: row.finished_at ?? undefined,
		lastStatus: row.last_status ?? undefined,
	};
}

/** A row of the `wait_limits` table, as both backends store it (times in ms since the epoch). */
export interface WaitLimitRow {
	execution_id: string;
	node_id: string;
	deadline: number;
	resume_url: string;
	on_limit: string;
}

/** A `wait_limits` row as the ledger's interface gives it out (anything but `pending` reads as `error`, the option's default). */
export function toWaitLimit(row: WaitLimitRow): WaitLimit {
	return { deadline: row.deadline, resumeUrl: row.resume_url, onLimit: row.on_limit === 'pending' ? 'pending' : 'error' };
}

/** A claimed `wait_limits` row: the limit and the waiting node it belongs to. */
export function toDueWaitLimit(row: WaitLimitRow): DueWaitLimit {
	return { executionId: row.execution_id, nodeId: row.node_id, ...toWaitLimit(row) };
}

/** A row of the `waits` table, as both backends store it (`error`: JSON of WaitingJob's error). */
export interface WaitRow {
	output_index: number;
	item_index: number;
	provider: LedgerProvider;
	account: string;
	job_id: string;
	error: string | null;
}

/** A `waits` row as the ledger's interface gives it out. */
export function toWaitingJob(row: WaitRow): WaitingJob & { provider: LedgerProvider; account: string } {
	const job = { outputIndex: row.output_index, itemIndex: row.item_index, provider: row.provider, account: row.account, jobId: row.job_id };
	return row.error ? { ...job, error: JSON.parse(row.error) as WaitingJob['error'] } : job;
}
