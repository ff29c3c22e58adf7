import path from 'node:path';

import { LoggerProxy } from 'n8n-workflow';
import type { Logger } from 'n8n-workflow';
import { request } from 'undici';

import { sharedDispatcher } from '../http/dispatcher';
import { redactUrl } from '../http/redact';
import { ledgerExists, openLedger } from '../ledger';
import type { DueWaitLimit, JobLedger } from '../ledger';

/**
 * The header of the sweeper's call to a waiting execution's resume URL. It only says "the limit may
 * have passed": the node believes it when the ledger's deadline for that node has passed, so
 * anyone else sending it changes nothing a sweeper would not do.
 */
export const WAIT_LIMIT_HEADER = 'x-visual-ai-wait-limit';

/**
 * n8n's own timer of a waiting execution runs this long after the limit, as a backstop: when it
 * fires, n8n resumes the execution without running the node (its input items go on unchanged), so
 * the sweeper's call at the limit must come first. Long enough for an n8n restart or deploy that
 * spans the limit (n8n resumes an overdue execution as soon as it starts) and many tries.
 */
export const WAIT_LIMIT_BACKSTOP_MS = 30 * 60_000;

const SWEEP_EVERY_MS = 15_000;
/** A claimed limit whose call failed is tried again after this long (by any process). */
const RETRY_AFTER_MS = 60_000;
const CALLS_PER_SWEEP = 20;
/** Batches one sweep may claim when each holds only waits past their backstop (dropped, not called). */
const MAX_CLAIMS_PER_SWEEP = 10;
const CALL_TIMEOUT_MS = 30_000;
/** How often a process whose ledger does not exist yet looks again. */
const EXISTS_RECHECK_MS = 10 * 60_000;

/** What one sweep did: the limits it claimed and what became of each call. */
export interface SweepResult {
	claimed: DueWaitLimit[];
	/** By execution id: the resume URL's HTTP status, or the network error's code. */
	outcomes: Record<string, number | string>;
}

/**
 * Calls the resume URL of every waiting node whose limit has passed (Wait mode's "When the Limit
 * Passes"), once per node at a time across all n8n processes (the ledger's claim). The node's
 * webhook then reads each job once and resumes the execution with results, pending or error items.
 * 404 and 409 (the execution is gone, running or finished) end the wait in the ledger; other
 * answers and network errors are tried again after a minute, until n8n's backstop passed (then the
 * wait is dropped without a call). Never throws.
 */
export async function sweepWaitLimits(logger: Logger = LoggerProxy, now?: number): Promise<SweepResult> {
	const result: SweepResult = { claimed: [], outcomes: {} };
	try {
		const ledger = await openLedger();
		for (let round = 0; round < MAX_CLAIMS_PER_SWEEP; round++) {
			const claimed = await ledger.claimDueWaitLimits({ retryAfterMs: RETRY_AFTER_MS, max: CALLS_PER_SWEEP, now });
			result.claimed.push(...claimed);
			const called = await callClaimed(ledger, claimed, result, logger, now);
			// A batch of waits past their backstop only (dropped without a call): claim the next batch.
			if (called > 0 || claimed.length < CALLS_PER_SWEEP) break;
		}
	} catch (error) {
		logger.warn(`Visual AI: checking waits whose limit passed failed, will try again: ${error instanceof Error ? error.message : String(error)}`);
	}
	return result;
}

/**
 * Calls the resume URL of each claimed wait; returns how many it called. A wait whose backstop
 * passed is dropped without a call: n8n's own timer resumed that execution, and its resume URL
 * (one token per execution) now reaches whatever waits in it next, e.g. a Wait node "On Webhook Call".
 */
async function callClaimed(ledger: JobLedger, claimed: DueWaitLimit[], result: SweepResult, logger: Logger, now?: number): Promise<number> {
	let called = 0;
	for (const limit of claimed) {
		// Checked as each call comes up: the calls before it may have taken a while.
		if ((now ?? Date.now()) >= limit.deadline + WAIT_LIMIT_BACKSTOP_MS) {
			await ledger.endWait(limit.executionId, limit.nodeId);
			result.outcomes[limit.executionId] = 'backstop passed';
			logger.warn(
				`Visual AI: the wait limit of execution ${limit.executionId} passed at ${new Date(limit.deadline).toISOString()} and its resume URL ${redactUrl(limit.resumeUrl)} was not reached in time; n8n's own timer resumed it without the node's check, and it is called no more`,
			);
			continue;
		}
		called++;
		const outcome = await callResumeUrl(limit.resumeUrl);
		result.outcomes[limit.executionId] = outcome;
		if (outcome === 404 || outcome === 409) {
			await ledger.endWait(limit.executionId, limit.nodeId);
			logger.info(
				`Visual AI: the wait limit of execution ${limit.executionId} passed and its resume URL answered ${outcome} (the execution is gone, running or finished); the wait is dropped`,
			);
		} else if (typeof outcome !== 'number' || outcome >= 300) {
			logger.warn(
				`Visual AI: the wait limit of execution ${limit.executionId} passed, but its resume URL ${redactUrl(limit.resumeUrl)} answered ${outcome}; trying again in ${RETRY_AFTER_MS / 1000} s`,
			);
		}
	}
	return called;
}

async function callResumeUrl(resumeUrl: string): Promise<number | string> {
	try {
		const response = await request(resumeUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json', [WAIT_LIMIT_HEADER]: '1' },
			body: JSON.stringify({ waitLimitPassed: true }),
			dispatcher: sharedDispatcher(),
			headersTimeout: CALL_TIMEOUT_MS,
			bodyTimeout: CALL_TIMEOUT_MS,
		});
		await response.body.dump();
		return response.statusCode;
	} catch (error) {
		return (error as { code?: string }).code ?? 'error';
	}
}

let sweeper: NodeJS.Timeout | undefined;
let sweeping = false;
let ledgerSeen = false;
let nextLookAt = 0;

/**
 * Starts the sweep every 15 s in this process, once, when it is a long-running n8n process (`n8n
 * start`, `worker` or `webhook`; not `n8n execute`, not tests). It sweeps only once the ledger
 * exists (looked for every 10 minutes until then, at every tick while its database cannot be
 * reached; `ledgerInUse` when the caller just used it), so
 * installing the pack creates no ledger. The timer never keeps the process alive.
 */
export function startWaitLimitSweeper(options: { ledgerInUse?: boolean; argv?: readonly string[] } = {}): void {
	if (options.ledgerInUse) ledgerSeen = true;
	if (sweeper || !isN8nServer(options.argv ?? process.argv)) return;
	sweeper = setInterval(() => void sweepIfLedgerExists(), SWEEP_EVERY_MS);
	sweeper.unref();
}

/** One tick of the sweeper (exported for tests): sweeps when the ledger exists. */
export async function sweepIfLedgerExists(): Promise<void> {
	if (sweeping) return;
	sweeping = true;
	try {
		if (!ledgerSeen) {
			if (Date.now() < nextLookAt) return;
			try {
				ledgerSeen = await ledgerExists();
			} catch {
				// The database cannot be reached: that says nothing about the ledger. Look again at the
				// next tick, not in 10 minutes (n8n's backstop fires soon after a limit).
				return;
			}
			if (!ledgerSeen) {
				nextLookAt = Date.now() + EXISTS_RECHECK_MS;
				return;
			}
		}
		await sweepWaitLimits();
	} finally {
		sweeping = false;
	}
}

/** Whether argv is n8n's CLI running a server command (`n8n` alone starts the main process). */
export function isN8nServer(argv: readonly string[]): boolean {
	const [, script, command] = argv;
	if (!script || path.basename(script) !== 'n8n') return false;
	return command === undefined || command === 'start' || command === 'worker' || command === 'webhook';
}
