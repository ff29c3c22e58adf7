export type LedgerProvider = 'eyeQuant' | 'pique';

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

/**
 * The pack's durable record of submitted EyeQuant and Pique jobs (neither API can list them).
 * A consumer is one trigger node (workflow id + node id); each gets every job at most once.
 * Backends: SQLite through node:sqlite (default). Nothing here may assume SQLite.
 */
export interface JobLedger {
	readonly location: string;
	/** Idempotent: registering a known job changes nothing. Returns how many were new. */
	register(jobs: NewJob[]): Promise<number>;
	/** Jobs of an account not yet delivered to `consumer`, least recently checked first. */
	undelivered(query: {
		provider: LedgerProvider;
		account: string;
		consumer: string;
		limit: number;
		registeredSince?: number;
	}): Promise<LedgerJob[]>;
	recordChecks(results: CheckResult[], now?: number): Promise<void>;
	recordDeliveries(consumer: string, deliveries: Delivery[], now?: number): Promise<void>;
	markGivenUp(provider: LedgerProvider, account: string, jobIds: string[], now?: number): Promise<void>;
	get(provider: LedgerProvider, account: string, jobId: string): Promise<LedgerJob | undefined>;
	close(): void;
}
