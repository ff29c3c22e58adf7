/** How a check of one job went, as far as deciding whether to start more goes. */
export type CheckVerdict = 'answered' | 'failing' | 'rateLimited' | 'fatal' | 'cancelled';

export type StopReason = 'deadline' | 'outage' | 'rateLimited' | 'fatal';

/** Provider failures in a row (after the client's own retries) that end a poll's checking. */
export const FAILURES_TO_STOP = 3;

export interface CheckPlan {
	concurrency: number;
	/** No job is started at or after this time (ms since the epoch). */
	startBefore: number;
	/** Aborted at the poll's hard deadline: in-flight requests stop, nothing more starts. */
	signal: AbortSignal;
	now?: () => number;
}

/**
 * Checks jobs with bounded concurrency without hammering a failing provider: one job at a time
 * until the provider has answered once (during an outage a poll costs a few calls, not
 * `concurrency` of them), then up to `concurrency` at once. Nothing new starts after the deadline,
 * after `FAILURES_TO_STOP` provider failures in a row, after a 429 the client could not wait out,
 * or after a fatal error (refused credential). `task` must not throw.
 */
export async function runChecks<T>(
	jobs: readonly T[],
	plan: CheckPlan,
	task: (job: T) => Promise<CheckVerdict>,
): Promise<{ started: number; stopped?: StopReason }> {
	const now = plan.now ?? Date.now;
	let next = 0;
	let answered = false;
	let failuresInRow = 0;
	let stopped: StopReason | undefined;

	const canStart = (): boolean => {
		if (stopped) return false;
		if (next >= jobs.length) return false;
		if (plan.signal.aborted || now() >= plan.startBefore) {
			stopped = 'deadline';
			return false;
		}
		return true;
	};
	const runOne = async (): Promise<void> => {
		const verdict = await task(jobs[next++]);
		if (verdict === 'answered') {
			answered = true;
			failuresInRow = 0;
		} else if (verdict === 'failing') {
			if (++failuresInRow >= FAILURES_TO_STOP) stopped ??= 'outage';
		} else if (verdict === 'rateLimited' || verdict === 'fatal') {
			stopped ??= verdict;
		}
	};

	while (!answered && canStart()) await runOne();
	const worker = async (): Promise<void> => {
		while (canStart()) await runOne();
	};
	await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
	return { started: next, stopped };
}
