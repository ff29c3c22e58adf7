import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { TriggerOptions } from './options';
import { ledgerTarget, splitLedgerWarning } from '../shared/ledger';
import { resultItem } from './items';
import { asNodeError, openTriggerLedger, pollRetry, workContext } from './context';
import type { TriggerProvider } from './providers/types';

/** How many of the newest jobs a test event looks at before giving up. */
const CANDIDATES = 20;

/**
 * "Fetch Test Event": the newest finished job of this account, as the trigger would emit it.
 * Reads the ledger and asks the provider; records nothing, stages nothing, leaves the cursor alone.
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
			const item = await resultItem(provider, job, snapshot, Date.now());
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
				? `The trigger emits jobs recorded in the job ledger (${ledger.location}) for this credential, and none is recorded yet. Submit one with ${provider.submitHint}, wait until it finishes, then fetch a test event again.`
				: `None of the ${jobs.length} newest job(s) recorded for this credential in the job ledger (${ledger.location}) has finished yet. Wait a moment, then fetch a test event again.`,
	});
}
