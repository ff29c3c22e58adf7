import { POSTGRES_SCHEMA } from './target';

/** Advisory lock namespace of the ledger (`VAI1`): key 0 guards migrations, other keys are processes. */
export const LOCK_NAMESPACE = 0x56414931;
/** Advisory lock namespace of an account's pending sets (register shares it, a rebuild takes it alone). */
export const ACCOUNT_LOCK_NAMESPACE = 0x56414932;

const S = POSTGRES_SCHEMA;

/**
 * Each entry moves the schema one version up; applied in order in one transaction under an
 * advisory lock, so processes starting together never race. Times are milliseconds since the epoch
 * (BIGINT), as in the SQLite ledger. `pending` is each consumer's set of undelivered jobs of the
 * account it polls, so that a poll reads only those (its cost does not grow with history).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
	`CREATE TABLE ${S}.jobs (
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		submitted_at BIGINT NOT NULL,
		registered_at BIGINT NOT NULL,
		state TEXT NOT NULL DEFAULT 'pending',
		checks INTEGER NOT NULL DEFAULT 0,
		last_checked_at BIGINT,
		finished_at BIGINT,
		last_status TEXT,
		last_error TEXT,
		PRIMARY KEY (provider, account, job_id)
	);
	CREATE INDEX jobs_by_finish ON ${S}.jobs (provider, account, finished_at);
	CREATE INDEX jobs_by_age ON ${S}.jobs (finished_at) WHERE state <> 'pending';
	CREATE TABLE ${S}.deliveries (
		consumer TEXT NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		state TEXT NOT NULL,
		delivered_at BIGINT NOT NULL,
		batch TEXT,
		PRIMARY KEY (consumer, provider, account, job_id)
	);
	CREATE INDEX deliveries_staged ON ${S}.deliveries (consumer, batch) WHERE batch IS NOT NULL;
	CREATE INDEX deliveries_by_job ON ${S}.deliveries (provider, account, job_id);
	CREATE INDEX deliveries_by_time ON ${S}.deliveries (consumer, delivered_at);
	CREATE TABLE ${S}.consumers (
		consumer TEXT PRIMARY KEY,
		next_seq INTEGER NOT NULL DEFAULT 1,
		lease TEXT,
		lease_owner TEXT,
		lease_until BIGINT,
		batch TEXT,
		batch_seq INTEGER,
		batch_owner TEXT,
		batch_staged_at BIGINT,
		first_poll_at BIGINT NOT NULL DEFAULT 0,
		provider TEXT,
		account TEXT,
		pending_since BIGINT
	);
	CREATE INDEX consumers_by_account ON ${S}.consumers (provider, account);
	CREATE TABLE ${S}.pending (
		consumer TEXT NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		PRIMARY KEY (consumer, provider, account, job_id)
	);
	CREATE INDEX pending_by_job ON ${S}.pending (provider, account, job_id);`,
	// The jobs a waiting execution waits for (Wait mode: resumed when the provider calls back).
	`CREATE TABLE ${S}.waits (
		execution_id TEXT NOT NULL,
		node_id TEXT NOT NULL,
		output_index INTEGER NOT NULL,
		item_index INTEGER NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (execution_id, node_id, output_index)
	);`,
	// When each waiting node stops waiting, for the sweeper that calls its resume URL then.
	`CREATE TABLE ${S}.wait_limits (
		execution_id TEXT NOT NULL,
		node_id TEXT NOT NULL,
		deadline BIGINT NOT NULL,
		resume_url TEXT NOT NULL,
		on_limit TEXT NOT NULL,
		called_at BIGINT,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (execution_id, node_id)
	);
	CREATE INDEX wait_limits_by_deadline ON ${S}.wait_limits (deadline);
	CREATE INDEX waits_by_age ON ${S}.waits (created_at);
	ALTER TABLE ${S}.waits ADD COLUMN error TEXT;`,
];
