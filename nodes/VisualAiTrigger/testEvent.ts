import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { TriggerOptions } from './options';
import { ledgerTarget, splitLedgerWarning } from '../shared/ledger';
import { resultItem } from './items';
import { asNodeError, openTriggerLedger, pollRetry, workContext } from './context';
import type { JobLedger, LedgerJob } from '../shared/ledger';
import type { JobSnapshot, TriggerProvider } from './providers/types';

/**
 * When the pack first saw this job finished (ms): the ledger's record, or now, recorded as such.
 * EyeQuant gives no completion time, so this is what `completedAt` means for it (see the README).
 */
async function firstSeenFinished(ledger: JobLedger, provider: TriggerProvider, account: string, job: LedgerJob, snapshot: JobSnapshot): Promise<number> {
	if (job.finishedAt !== undefined) return job.finishedAt;
	const now = Date.now();
	const state = snapshot.state === 'pending' ? 'finished' : snapshot.state;
	await ledger.recordChecks([{ provider: provider.id, account, jobId: job.jobId, state, status: snapshot.status, finishedAt: snapshot.finishedAt ?? now }], now);
	return now;
}

/** How many of the newest jobs a test event looks at before giving up. */
const CANDIDATES = 20;

/**
 * "Fetch Test Event": the newest finished job of this account, as the trigger would emit it.
 * Reads the ledger and asks the provider; delivers nothing, stages nothing, leaves the cursor alone.
 * The one thing it may record is when the pack first saw the shown job finished, so that its
 * `completedAt` is the same now and when the job is emitted later.
 */
export async function testEvent(
	context: IPollFunctions,
	provider: TriggerProvider,
	options: TriggerOptions,
): Promise<INodeExecutionData[][]> {
	const budgetMs = context.getPollBudgetMs();
	const session = await provider.connect(workContext(context, AbortSignal.timeout(budgetMs)), options, pollRetry(budgetMs));
	const ledger = await openTriggerLedger(context.getNode(), context.logger);
	const jobs = await ledger.newest({ provider: provider.id, account: session.account, limit: CANDIDATES });
	for (const job of jobs) {
		if (job.state === 'expired') continue;
		let snapshot;
		try {
			snapshot = await session.check(job.jobId);
		} catch (error) {
			if (error instanceof NodeApiError && ['404', '410'].includes(error.httpCode ?? '')) continue;
			throw asNodeError(context.getNode(), error);
		}
		if (snapshot.state === 'finished' || (snapshot.state === 'failed' && options.includeFailed)) {
			const item = await resultItem(provider, job, snapshot, await firstSeenFinished(ledger, provider, session.account, job, snapshot));
			// Only on a test event: which ledger it read (in queue mode each process may have its own).
			item.json.testEventLedger = ledger.location;
			const split = splitLedgerWarning(ledgerTarget());
			if (split) item.json.testEventLedgerWarning = split;
			return [[item]];
		}
	}
	throw new NodeOperationError(context.getNode(), `No finished ${provider.label} ${provider.jobNoun} to show yet`, {
		description:
			jobs.length === 0
				? `The trigger emits the jobs the pack recorded for this credential, and none is recorded yet. Submit one with ${provider.submitHint}, wait until it finishes, then fetch a test event again.`
				: `None of the ${jobs.length} newest job(s) recorded for this credential has finished yet. Wait a moment, then fetch a test event again.`,
	});
}
