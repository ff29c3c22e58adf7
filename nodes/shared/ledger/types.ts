/** Jobs are recorded for EyeQuant and Pique (no list endpoint); deliveries for every trigger, Image Intelligence's webhook trigger too. */
export type LedgerProvider = 'eyeQuant' | 'pique' | 'imageIntelligence';

/** Where a job stands at the provider, as far as the pack has seen it. */
export type JobState = 'pending' | 'finished' | 'failed' | 'expired' | 'given_up';

export interface NewJob {
	provider: LedgerProvider;
	account: string;
	jobId: string;
	submittedAt?: Date;
}

export interface LedgerJob {
	provider: LedgerProvider;
	account: string;
	jobId: string;
	submittedAt: number;
	registeredAt: number;
	state: JobState;
	checks: number;
	lastCheckedAt?: number;
	finishedAt?: number;
	lastStatus?: string;
}

export interface CheckResult {
	provider: LedgerProvider;
	account: string;
	jobId: string;
	state: JobState;
	/** The provider's own status word, e.g. `success`, `processing`. */
	status?: string;
	finishedAt?: number;
	error?: string;
}

export interface Delivery {
	provider: LedgerProvider;
	account: string;
	jobId: string;
	/** What the consumer was given: the job's state at delivery. */
	state: JobState;
}

/** A node of an execution that waits for provider callbacks (Wait mode), and the credential's account. */
export interface Waiter {
	executionId: string;
	nodeId: string;
	provider: LedgerProvider;
	account: string;
}

/** One output item of a waiting node: the job it stands for and the input item it came from. */
export interface WaitingJob {
	outputIndex: number;
	itemIndex: number;
	/** Empty for an output item whose input failed at submission (Continue On Fail): see `error`. */
	jobId: string;
	/** Why the input failed at submission: the node outputs this error item again when it resumes. */
	error?: { message: string; description?: string };
}

/**
 * When a waiting node stops waiting for callbacks and what it outputs then (Wait mode's "Limit Wait
 * Time" and "When the Limit Passes"). `deadline` is in ms since the epoch; `resumeUrl` is the
 * execution's resume URL with n8n's token, which the wait-limit sweeper calls at the deadline.
 */
export interface WaitLimit {
	deadline: number;
	resumeUrl: string;
	/** What the node outputs for a job still running at the deadline: `pending` items or `error` items. */
	onLimit: 'pending' | 'error';
}

/** A waiting node whose limit has passed, claimed by one sweeper (nodes/shared/webhooks/wait-limit.ts). */
export interface DueWaitLimit extends WaitLimit {
	executionId: string;
	nodeId: string;
}

/** Who holds a poll or staged a hand-off: host, process id and a per-process random id. */
export type LedgerOwner = string;

/** The result of `beginPoll`: whether this poll may work, and what it settled first. */
export type PollStart =
	/** Another poll of this consumer is running (it holds the lease): this one must emit nothing. */
	| { kind: 'busy'; until: number }
	/**
	 * The previous poll handed jobs to n8n, and n8n has neither committed its cursor (confirm) nor
	 * can it still be expected to (lost): emit nothing until that is known, or the hand-off may fork.
	 */
	| { kind: 'unsettled'; batch: string; stagedAt: number }
	/**
	 * This poll holds the lease until `endPoll`/`stageBatch`; `confirmed`/`redelivered` count jobs.
	 * `firstPollAt`: when this consumer first polled (0 if it polled before the ledger kept that).
	 */
	| { kind: 'ready'; lease: string; confirmed: number; redelivered: number; firstPollAt: number };

export interface BeginPoll {
	/** The batch token in the node's committed cursor (its static data), if any. */
	cursorBatch?: string;
	/** How long the lease lasts if the poll never ends it (crash, hang). */
	leaseMs: number;
	/** How long a hand-off may stay unconfirmed before it is taken as lost and its jobs redelivered. */
	settleMs: number;
	now?: number;
}

export interface StagedBatch {
	/** Goes into the node's cursor; the next poll confirms the batch when the committed cursor carries it. */
	batch: string;
	seq: number;
	/** Jobs of `handOff` that were already delivered to this consumer (never expected; left out of the items). */
	alreadyDelivered: string[];
}

/** Which jobs a consumer has not been given yet (see `JobLedger.undelivered`). */
export interface UndeliveredQuery {
	provider: LedgerProvider;
	account: string;
	consumer: string;
	limit: number;
	/** Only jobs registered at or after this time (ms since the epoch); 0 or absent: all. */
	registeredSince?: number;
}

/**
 * What `prune` may delete: jobs finished, and delivered to every consumer polling their account, before
 * `now - olderThanMs`; waits whose limit passed before then (waits without a limit: recorded before then).
 */
export interface PruneOptions {
	olderThanMs: number;
	/** Jobs deleted per transaction (small, so that registrations never wait long). */
	batchSize: number;
	/** Transactions at most in this call (default 1). */
	maxBatches?: number;
	now?: number;
}

/** Jobs to hand to one consumer again: the given ids, or every job delivered to it since a time. */
export interface ReemitRequest {
	consumer: string;
	provider: LedgerProvider;
	account: string;
	jobIds?: string[];
	/** With no `jobIds`: jobs delivered at or after this time (ms since the epoch). */
	deliveredSince?: number;
}

/** A trigger node the ledger knows: it has polled (or been asked for its jobs) at least once. */
export interface KnownConsumer {
	consumer: string;
	/** The provider of the account it last polled. */
	provider?: LedgerProvider;
	firstPollAt: number;
}

/**
 * The pack's durable record of submitted EyeQuant and Pique jobs (neither API can list them).
 * A consumer is one trigger node (workflow id + node id); each gets every job once.
 *
 * Delivery is two-phase, because n8n commits a poll's cursor only when it takes the poll's items:
 * a poll stages the jobs it hands over under a fresh batch token and writes that token into the
 * node's cursor; the next poll confirms the batch if the committed cursor carries the token, or
 * puts the jobs back (redelivers them) once the hand-off is known lost. One poll per consumer at a
 * time (a lease); no new batch while the previous one is unsettled.
 * Backends: SQLite through node:sqlite (default), PostgreSQL through node-postgres (queue mode
 * across hosts). Nothing here may assume either. Reading a consumer's undelivered jobs costs the
 * same however many jobs were delivered before: each consumer has a pending set.
 */
export interface JobLedger {
	readonly location: string;
	/** Idempotent: registering a known job changes nothing. Returns how many were new. */
	register(jobs: NewJob[]): Promise<number>;
	/**
	 * Jobs of an account neither delivered nor staged for `consumer`: those already seen finished,
	 * failed or expired first (EyeQuant results die an hour after finishing), then least recently checked.
	 */
	undelivered(query: UndeliveredQuery): Promise<LedgerJob[]>;
	/** An account's jobs, newest finished first, then newest registered (for a test event). */
	newest(query: { provider: LedgerProvider; account: string; limit: number }): Promise<LedgerJob[]>;
	recordChecks(results: CheckResult[], now?: number): Promise<void>;
	/**
	 * Records one final delivery unless the consumer already has the job (delivered or staged), in
	 * one atomic step: true means this caller is the one that delivers it. Webhook triggers call it
	 * before emitting, so that a provider's retry or a second concurrent call emits nothing.
	 */
	claimDelivery(consumer: string, delivery: Delivery, now?: number): Promise<boolean>;
	/** Whether the consumer already has the job (delivered or staged). */
	isDelivered(consumer: string, provider: LedgerProvider, account: string, jobId: string): Promise<boolean>;
	/** Final deliveries (jobs a consumer skips, e.g. failed ones without "Include Failed"). */
	recordDeliveries(consumer: string, deliveries: Delivery[], now?: number): Promise<void>;
	/** Takes the consumer's lease and settles the previous hand-off against the committed cursor. */
	beginPoll(consumer: string, options: BeginPoll): Promise<PollStart>;
	/**
	 * Stages `handOff` under a new batch, records `final` as delivered, and ends the lease, in one
	 * transaction. Undefined when the lease was lost meanwhile (nothing is recorded: emit nothing).
	 * With an empty `handOff` no batch is made (`batch: ''`).
	 */
	stageBatch(
		consumer: string,
		lease: string,
		deliveries: { handOff: Delivery[]; final: Delivery[] },
		now?: number,
	): Promise<StagedBatch | undefined>;
	/** Ends the lease without staging anything (a poll that emits nothing or throws). */
	endPoll(consumer: string, lease: string): Promise<void>;
	get(provider: LedgerProvider, account: string, jobId: string): Promise<LedgerJob | undefined>;
	/**
	 * Records the jobs a waiting execution's node waits for and its limit (again for the same node:
	 * replaced per output item, the limit replaced), in one transaction.
	 */
	recordWait(waiter: Waiter, jobs: WaitingJob[], limit: WaitLimit, now?: number): Promise<void>;
	/** The jobs an execution's node waits for, in output order (empty when it waits for none). */
	waitingJobs(executionId: string, nodeId: string): Promise<Array<WaitingJob & { provider: LedgerProvider; account: string }>>;
	/** The limit of a waiting node; undefined when it waits no more (resumed, or never recorded). */
	waitLimit(executionId: string, nodeId: string): Promise<WaitLimit | undefined>;
	/**
	 * Claims up to `max` waiting nodes whose deadline has passed and that no sweeper called in the last
	 * `retryAfterMs` (one atomic update: two processes never claim the same node at once).
	 */
	claimDueWaitLimits(options: { retryAfterMs: number; max: number; now?: number }): Promise<DueWaitLimit[]>;
	/** Forgets a waiting node (its jobs and limit): it resumed, or its execution is gone. */
	endWait(executionId: string, nodeId: string): Promise<void>;
	/** Deletes old jobs nobody is owed (see PruneOptions), in small transactions; returns how many. */
	prune(options: PruneOptions): Promise<number>;
	/** Takes confirmed deliveries back so the consumer's next poll emits those jobs again; returns their ids. */
	reemit(request: ReemitRequest): Promise<string[]>;
	/** Every consumer (trigger node) the ledger knows, by id. */
	consumers(): Promise<KnownConsumer[]>;
	/** Releases the file or the connections (PostgreSQL: resolves when they are closed). */
	close(): void | Promise<void>;
}
