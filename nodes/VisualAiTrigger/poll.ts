import type { INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import type { NodeError } from 'n8n-workflow';

import { isEgressRefusedError } from '../shared/http/egress';
import { apiError } from '../shared/http/errors';
import { pruneIfDue } from '../shared/ledger';
import type { CheckResult, Delivery, JobState, LedgerJob, StagedBatch } from '../shared/ledger';
import { runChecks } from './checks';
import type { CheckVerdict, StopReason } from './checks';
import { readCursor, writeCursor } from './cursor';
import { expiredItem, givenUpItem, resultItem } from './items';
import { settleMs } from './options';
import type { TriggerOptions } from './options';
import { asNodeError, openTriggerLedger, pollRetry, workContext } from './context';
import type { ProviderSession, TriggerProvider } from './providers/types';

/** No job is started after this share of n8n's poll budget: the rest is for downloads and the hand-off. */
const START_SHARE = 0.75;
/** A lease outlives the poll's budget by this much before another poll may take it over. */
const LEASE_MARGIN_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A trigger node added later starts with the jobs recorded in the day before its first poll, not the whole history. */
export const NEW_NODE_LOOKBACK_MS = 24 * HOUR_MS;

/** One trigger node of one workflow: the ledger delivers every job once to each. */
export function consumerId(context: IPollFunctions): string {
	return `${context.getWorkflow().id ?? 'unsaved'}:${context.getNode().id}`;
}

/**
 * One scheduled poll: settle the previous hand-off against the committed cursor, check this
 * account's undelivered jobs within n8n's poll budget, stage the finished ones under a new batch
 * and hand them to n8n with the batch token in the cursor. Nothing is marked delivered for good
 * here: n8n may still drop this poll's items (timeout, deactivation, a lost lease), and then the
 * cursor it keeps does not carry the token and the jobs are emitted again.
 */
export async function pollLedger(
	context: IPollFunctions,
	provider: TriggerProvider,
	options: TriggerOptions,
): Promise<INodeExecutionData[][] | null> {
	const budgetMs = context.getPollBudgetMs();
	const startedAt = Date.now();
	const deadline = AbortSignal.timeout(budgetMs);
	const session = await provider.connect(workContext(context, deadline), options, pollRetry(budgetMs));
	const ledger = await openTriggerLedger(context.getNode(), context.logger);
	const consumer = consumerId(context);
	const staticData = context.getWorkflowStaticData('node');
	const start = await ledger.beginPoll(consumer, {
		cursorBatch: readCursor(staticData).batch,
		leaseMs: budgetMs + LEASE_MARGIN_MS,
		settleMs: settleMs(),
	});
	if (start.kind === 'busy') {
		context.logger.debug(`Visual AI Trigger: another poll of this node is running; this one emits nothing`);
		return null;
	}
	if (start.kind === 'unsettled') {
		context.logger.info(
			`Visual AI Trigger: n8n has not confirmed the jobs handed over at ${new Date(start.stagedAt).toISOString()} yet; waiting before emitting more`,
		);
		return null;
	}
	if (start.confirmed || start.redelivered) {
		context.logger.debug(`Visual AI Trigger: ${start.confirmed} job(s) confirmed delivered, ${start.redelivered} to be emitted again`);
	}

	let staged: StagedBatch | undefined;
	let run: PollRun | undefined;
	try {
		const jobs = await ledger.undelivered({
			provider: provider.id,
			account: session.account,
			consumer,
			limit: options.maxJobsPerPoll,
			registeredSince: Math.max(0, start.firstPollAt - NEW_NODE_LOOKBACK_MS),
		});
		run = new PollRun(context.getNode(), provider, session, options, deadline);
		await run.checkAll(jobs, startedAt + budgetMs * START_SHARE);
		await ledger.recordChecks(run.checks);
		run.throwIfNothingToEmit();
		if (run.handOff.length === 0 && run.final.length === 0) return null;
		staged = await ledger.stageBatch(consumer, start.lease, {
			handOff: run.handOff.map(({ delivery }) => delivery),
			final: run.final,
		});
	} finally {
		if (!staged) await ledger.endPoll(consumer, start.lease);
	}
	run.log(context);
	await pruneIfDue(ledger, context.logger);
	if (!staged?.batch) return null;
	const already = new Set(staged.alreadyDelivered);
	const items = run.handOff.filter(({ delivery }) => !already.has(delivery.jobId)).map(({ item }) => item);
	writeCursor(staticData, { batch: staged.batch, seq: staged.seq });
	return [items];
}

/** The outcome of checking one poll's jobs: items to hand over, deliveries to record, checks to log. */
class PollRun {
	readonly checks: CheckResult[] = [];
	readonly handOff: Array<{ delivery: Delivery; item: INodeExecutionData }> = [];
	readonly final: Delivery[] = [];
	private readonly node: INode;
	private readonly provider: TriggerProvider;
	private readonly session: ProviderSession;
	private readonly options: TriggerOptions;
	private readonly deadline: AbortSignal;
	private stopped?: StopReason;
	private stopError?: NodeError;
	private total = 0;
	private started = 0;

	constructor(node: INode, provider: TriggerProvider, session: ProviderSession, options: TriggerOptions, deadline: AbortSignal) {
		this.node = node;
		this.provider = provider;
		this.session = session;
		this.options = options;
		this.deadline = deadline;
	}

	async checkAll(jobs: LedgerJob[], startBefore: number): Promise<void> {
		this.total = jobs.length;
		// EyeQuant answers 410 for ever once a job is gone: no call for a job the ledger knows expired.
		const toCheck = jobs.filter((job) => job.state !== 'expired');
		for (const job of jobs) if (job.state === 'expired') this.deliver(job, 'expired', expiredItem(this.provider, job));
		const result = await runChecks(
			toCheck,
			{ concurrency: this.options.concurrency, startBefore, signal: this.deadline },
			async (job) => await this.check(job),
		);
		this.started = result.started + (jobs.length - toCheck.length);
		this.stopped = result.stopped;
		// Items in the ledger's order (finished first, then longest unchecked), not in order of arrival.
		const order = new Map(jobs.map((job, index) => [job.jobId, index]));
		this.handOff.sort((a, b) => (order.get(a.delivery.jobId) ?? 0) - (order.get(b.delivery.jobId) ?? 0));
	}

	/** A poll that found the provider failing and has nothing to emit fails, so n8n shows it (and backs off). */
	throwIfNothingToEmit(): void {
		if (this.stopped === 'fatal' && this.stopError) throw this.stopError;
		if (this.handOff.length > 0 || !this.stopError || (this.stopped !== 'outage' && this.stopped !== 'rateLimited')) return;
		const cause = this.stopError;
		const httpCode = cause instanceof NodeApiError ? (cause.httpCode ?? undefined) : undefined;
		const what = this.stopped === 'rateLimited' ? 'is rate limiting this account' : 'is failing';
		throw apiError(
			this.node,
			{ provider: this.provider.label, message: cause.message, ...(httpCode ? { httpCode } : {}) },
			{
				message: `${this.provider.label} ${what}, so this poll stopped checking jobs: ${cause.message}`,
				description: `${this.started} of ${this.total} job(s) were checked. Every job stays pending in the ledger and nothing is lost: the next poll tries again. ${cause.description ?? ''}`.trim(),
				httpCode,
			},
		);
	}

	log(context: IPollFunctions): void {
		const emitted = this.handOff.length;
		const summary = `Visual AI Trigger: ${this.provider.label}: checked ${this.started} of ${this.total} undelivered job(s), ${emitted} to emit, ${this.final.length} skipped`;
		if (this.stopped && this.stopped !== 'deadline' && this.stopError) {
			context.logger.warn(`${summary}; stopped early (${this.stopped}): ${this.stopError.message}`);
		} else if (this.stopped === 'deadline') {
			context.logger.info(`${summary}; the poll's time budget ran out, the rest waits for the next poll`);
		} else {
			context.logger.debug(summary);
		}
	}

	private async check(job: LedgerJob): Promise<CheckVerdict> {
		const { provider, session } = this;
		const base = { provider: provider.id, account: session.account, jobId: job.jobId };
		let snapshot;
		try {
			snapshot = await session.check(job.jobId);
		} catch (error) {
			return this.failed(job, error);
		}
		if (snapshot.state === 'pending') {
			this.checks.push({ ...base, state: 'pending', status: snapshot.status });
			if (this.overdue(job)) this.deliver(job, 'given_up', givenUpItem(provider, job, this.options.giveUpAfterHours, snapshot.status));
			return 'answered';
		}
		const now = Date.now();
		this.checks.push({ ...base, state: snapshot.state, status: snapshot.status, finishedAt: snapshot.finishedAt ?? now });
		if (snapshot.state === 'failed' && !this.options.includeFailed) {
			this.final.push({ ...base, state: 'failed' });
			return 'answered';
		}
		try {
			this.deliver(job, snapshot.state, await resultItem(provider, job, snapshot, now));
		} catch (error) {
			// Outputs that could not be downloaded (not expired): the job is tried again next poll.
			if (this.deadline.aborted) return 'cancelled';
			this.stopError ??= this.asNodeError(error);
			return 'failing';
		}
		return 'answered';
	}

	private failed(job: LedgerJob, error: unknown): CheckVerdict {
		if (this.deadline.aborted) return 'cancelled';
		const base = { provider: this.provider.id, account: this.session.account, jobId: job.jobId };
		const failure = this.asNodeError(error);
		const status = (failure instanceof NodeApiError && failure.httpCode) || '';
		if (status === '410') {
			this.checks.push({ ...base, state: 'expired', status: 'gone', error: failure.message });
			this.deliver(job, 'expired', expiredItem(this.provider, job));
			return 'answered';
		}
		this.checks.push({ ...base, state: 'pending', error: failure.message });
		if (status === '401' || status === '403' || isEgressRefusedError(failure)) {
			this.stopError = failure;
			return 'fatal';
		}
		if (status === '429') {
			this.stopError ??= failure;
			return 'rateLimited';
		}
		if (/^4\d\d$/.test(status)) {
			// The provider answered (e.g. 404 for an id it does not know): not an outage.
			if (this.overdue(job)) this.deliver(job, 'given_up', givenUpItem(this.provider, job, this.options.giveUpAfterHours, `error ${status}`));
			return 'answered';
		}
		this.stopError ??= failure;
		return 'failing';
	}

	private asNodeError(error: unknown): NodeError {
		return asNodeError(this.node, error);
	}

	private overdue(job: LedgerJob): boolean {
		const hours = this.options.giveUpAfterHours;
		return hours > 0 && Date.now() - job.submittedAt >= hours * HOUR_MS;
	}

	/** Emitted when it is a result, or a non-result with Include Failed; otherwise recorded and skipped. */
	private deliver(job: LedgerJob, state: Exclude<JobState, 'pending'>, item: INodeExecutionData): void {
		const delivery: Delivery = { provider: this.provider.id, account: this.session.account, jobId: job.jobId, state };
		if (state === 'finished' || this.options.includeFailed) this.handOff.push({ delivery, item });
		else this.final.push(delivery);
	}
}
