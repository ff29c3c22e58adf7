import type { INode, IPollFunctions, Logger } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import type { RetrySettings } from '../shared/http/retry';
import { openLedger } from '../shared/ledger';
import type { JobLedger } from '../shared/ledger';
import type { WorkContext } from './providers/types';

/** The poll's view of n8n's context: HTTP and downloads are cancelled at the poll's hard deadline. */
export function workContext(context: IPollFunctions, signal: AbortSignal): WorkContext {
	return {
		getNode: () => context.getNode(),
		logger: context.logger,
		getExecutionCancelSignal: () => signal,
		getCredentials: async <T extends object>(type: string) => await context.getCredentials<T>(type),
		helpers: {
			prepareBinaryData: async (...args: Parameters<IPollFunctions['helpers']['prepareBinaryData']>) =>
				await context.helpers.prepareBinaryData(...args),
			// n8n's egress (SSRF) filter, where this n8n has one (2.40+).
			...egressHelper(context),
		},
	};
}

function egressHelper(context: IPollFunctions): Pick<Partial<IPollFunctions['helpers']>, 'getSecureEgressFilter'> {
	const helpers: Partial<IPollFunctions['helpers']> = context.helpers;
	const getSecureEgressFilter = helpers.getSecureEgressFilter?.bind(helpers);
	return getSecureEgressFilter ? { getSecureEgressFilter } : {};
}

/** Few tries and short waits: a poll has a time budget, and the next poll tries again anyway. */
export function pollRetry(budgetMs: number): Partial<RetrySettings> {
	return { maxTries: 3, baseDelayMs: 500, maxDelayMs: 4_000, maxRetryAfterMs: Math.min(30_000, budgetMs / 4) };
}

/** Any failure as an n8n node error (provider errors already are). */
export function asNodeError(node: INode, error: unknown): NodeError {
	if (error instanceof NodeError) return error;
	const message = error instanceof Error ? error.message : String(error);
	const wrapped = new NodeOperationError(node, error instanceof Error ? error : message);
	// n8n swaps a message that mentions a Node.js error code (EEXIST, ECONNRESET, ...) for a generic sentence.
	wrapped.message = message;
	return wrapped;
}

/** The job ledger; one that cannot open (a Node.js without node:sqlite, a file n8n cannot write) fails the poll saying why. */
export async function openTriggerLedger(node: INode, logger?: Logger): Promise<JobLedger> {
	try {
		return await openLedger(undefined, logger);
	} catch (error) {
		const failure = asNodeError(node, error);
		failure.description = 'The trigger reads the jobs the pack recorded from this ledger; nothing was checked or emitted.';
		throw failure;
	}
}
