import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';

import { sleep } from 'n8n-workflow';

import { currentOwner, ownerIsGone } from './owner';
import { carryOver, fileIdentity, ledgerFileError, sameFile } from './sqlite-file';
import type { FileIdentity } from './sqlite-file';
import type {
	BeginPoll,
	CheckResult,
	Delivery,
	JobLedger,
	KnownConsumer,
	LedgerJob,
	LedgerProvider,
	NewJob,
	PollStart,
	PruneOptions,
	ReemitRequest,
	StagedBatch,
	Waiter,
	WaitingJob,
	WaitLimit,
	DueWaitLimit,
	UndeliveredQuery,
} from './types';
import { toDueWaitLimit, toJob, toWaitingJob, toWaitLimit } from './rows';
import type { JobRow, WaitLimitRow, WaitRow } from './rows';

const BUSY_TIMEOUT_MS = 10_000;
const BUSY_RETRIES = 20;

/** Each entry moves the schema one version up; applied in order inside one transaction on open. */
export const MIGRATIONS: readonly string[] = [
	`CREATE TABLE jobs (
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		submitted_at INTEGER NOT NULL,
		registered_at INTEGER NOT NULL,
		state TEXT NOT NULL DEFAULT 'pending',
		checks INTEGER NOT NULL DEFAULT 0,
		last_checked_at INTEGER,
		finished_at INTEGER,
		last_status TEXT,
		last_error TEXT,
		PRIMARY KEY (provider, account, job_id)
	);
	CREATE INDEX jobs_by_check ON jobs (provider, account, last_checked_at);
	CREATE TABLE deliveries (
		consumer TEXT NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		state TEXT NOT NULL,
		delivered_at INTEGER NOT NULL,
		PRIMARY KEY (consumer, provider, account, job_id)
	);`,
	// Two-phase delivery for the trigger: a delivery with a batch is staged (handed to n8n, not yet
	// confirmed by a committed cursor); one poll per consumer at a time (lease); at most one open batch.
	`ALTER TABLE deliveries ADD COLUMN batch TEXT;
	CREATE INDEX deliveries_staged ON deliveries (consumer, batch) WHERE batch IS NOT NULL;
	CREATE TABLE consumers (
		consumer TEXT PRIMARY KEY,
		next_seq INTEGER NOT NULL DEFAULT 1,
		lease TEXT,
		lease_owner TEXT,
		lease_until INTEGER,
		batch TEXT,
		batch_seq INTEGER,
		batch_owner TEXT,
		batch_staged_at INTEGER
	);
	CREATE INDEX jobs_by_finish ON jobs (provider, account, finished_at);`,
	// When a consumer first polled, so that a trigger node added later need not start with the whole history.
	`ALTER TABLE consumers ADD COLUMN first_poll_at INTEGER NOT NULL DEFAULT 0;`,
	// Poll cost independent of history: each consumer's undelivered jobs of the account it polls
	// (made once when it first polls an account, then kept up by register/deliver); indexes for
	// retention and Re-emit.
	`ALTER TABLE consumers ADD COLUMN provider TEXT;
	ALTER TABLE consumers ADD COLUMN account TEXT;
	ALTER TABLE consumers ADD COLUMN pending_since INTEGER;
	CREATE INDEX consumers_by_account ON consumers (provider, account);
	CREATE TABLE pending (
		consumer TEXT NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		PRIMARY KEY (consumer, provider, account, job_id)
	) WITHOUT ROWID;
	CREATE INDEX pending_by_job ON pending (provider, account, job_id);
	CREATE INDEX deliveries_by_job ON deliveries (provider, account, job_id);
	CREATE INDEX deliveries_by_time ON deliveries (consumer, delivered_at);
	CREATE INDEX jobs_by_age ON jobs (finished_at) WHERE state <> 'pending';`,
	// The jobs a waiting execution waits for (Wait mode: resumed when the provider calls back).
	`CREATE TABLE waits (
		execution_id TEXT NOT NULL,
		node_id TEXT NOT NULL,
		output_index INTEGER NOT NULL,
		item_index INTEGER NOT NULL,
		provider TEXT NOT NULL,
		account TEXT NOT NULL,
		job_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (execution_id, node_id, output_index)
	);`,
	// When each waiting node stops waiting, for the sweeper that calls its resume URL then.
	`CREATE TABLE wait_limits (
		execution_id TEXT NOT NULL,
		node_id TEXT NOT NULL,
		deadline INTEGER NOT NULL,
		resume_url TEXT NOT NULL,
		on_limit TEXT NOT NULL,
		called_at INTEGER,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (execution_id, node_id)
	);
	CREATE INDEX wait_limits_by_deadline ON wait_limits (deadline);
	CREATE INDEX waits_by_age ON waits (created_at);
	ALTER TABLE waits ADD COLUMN error TEXT;`,
];

interface ConsumerRow {
	consumer: string;
	next_seq: number;
	lease: string | null;
	lease_owner: string | null;
	lease_until: number | null;
	batch: string | null;
	batch_seq: number | null;
	batch_owner: string | null;
	batch_staged_at: number | null;
	first_poll_at: number;
	provider: string | null;
	account: string | null;
	pending_since: number | null;
}

/**
 * node:sqlite, loaded only when a ledger is opened, so that merely loading the pack's nodes in a
 * host without it does not fail (it is built into Node.js from 22.13 without a flag).
 */
async function loadSqlite(): Promise<typeof import('node:sqlite')> {
	let failure: unknown;
	try {
		return await import('node:sqlite');
	} catch (error) {
		failure = error;
	}
	// A plain Error: the ledger has no node; the nodes and the trigger wrap it in a node error.
	throw new Error(
		`The Visual AI job ledger needs the SQLite module built into Node.js 22.13 and later (node:sqlite), and this n8n runs on Node.js ${process.version}. Run n8n on Node.js 22.13 or later (n8n 2 wants Node.js 24)`,
		{ cause: failure },
	);
}

function isSqliteError(error: unknown): boolean {
	return (error as { code?: string } | undefined)?.code === 'ERR_SQLITE_ERROR';
}

function isBusy(error: unknown): boolean {
	const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : '';
	return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(text);
}

/**
 * The default ledger: one SQLite file (WAL, busy timeout) shared by n8n's main process and its
 * workers on one host. Every write is one IMMEDIATE transaction, retried when another process
 * holds the lock beyond the busy timeout, so SQLITE_BUSY never reaches a workflow.
 */
export class SqliteLedger implements JobLedger {
	readonly location: string;
	private db: DatabaseSync;
	/** The file this ledger has open; undefined until it is open (see `followFile`). */
	private identity: FileIdentity | undefined;
	private following = false;

	constructor(db: DatabaseSync, location: string) {
		this.db = db;
		this.location = location;
	}

	static async open(file: string): Promise<SqliteLedger> {
		const { DatabaseSync: Database } = await loadSqlite();
		let ledger: SqliteLedger | undefined;
		let failure: unknown;
		try {
			mkdirSync(path.dirname(file), { recursive: true });
			const db = new Database(file);
			const opened = new SqliteLedger(db, file);
			ledger = opened;
			db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
			await opened.withRetry(() => db.exec('PRAGMA journal_mode = WAL'));
			db.exec('PRAGMA synchronous = NORMAL');
			await opened.write(() => opened.migrate());
			opened.identity = fileIdentity(file);
			return opened;
		} catch (error) {
			failure = error;
		}
		ledger?.close();
		const reason = failure instanceof Error ? failure.message : String(failure);
		throw new Error(
			`The Visual AI job ledger could not open ${file}: ${reason}. The file must be writable by n8n (set N8N_VISUAL_AI_LEDGER to another path if needed)`,
			{ cause: failure },
		);
	}

	private migrate(): void {
		const { user_version: version } = this.db.prepare('PRAGMA user_version').get() as { user_version: number };
		if (version > MIGRATIONS.length) {
			throw new Error(
				`its schema is version ${version} and this version of the pack knows up to ${MIGRATIONS.length}; it never downgrades a ledger. Update n8n-nodes-visual-ai`,
			);
		}
		for (let next = version; next < MIGRATIONS.length; next++) this.db.exec(MIGRATIONS[next]);
		if (version < MIGRATIONS.length) this.db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
	}

	async register(jobs: NewJob[], now = Date.now()): Promise<number> {
		if (jobs.length === 0) return 0;
		return await this.write(() => {
			const insert = this.db.prepare(
				`INSERT INTO jobs (provider, account, job_id, submitted_at, registered_at)
				 VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			);
			const queue = this.db.prepare(
				`INSERT INTO pending (consumer, provider, account, job_id)
				 SELECT consumer, provider, account, ? FROM consumers WHERE provider = ? AND account = ? ON CONFLICT DO NOTHING`,
			);
			let added = 0;
			for (const job of jobs) {
				const result = insert.run(job.provider, job.account, job.jobId, job.submittedAt?.getTime() ?? now, now);
				if (Number(result.changes) > 0) queue.run(job.jobId, job.provider, job.account);
				added += Number(result.changes);
			}
			return added;
		});
	}

	async undelivered(query: UndeliveredQuery): Promise<LedgerJob[]> {
		const since = query.registeredSince ?? 0;
		const row = await this.withRetry(() => this.consumer(query.consumer));
		const tracks = row?.provider === query.provider && row.account === query.account && (row.pending_since ?? 0) <= since;
		if (!tracks) await this.write(() => this.rebuildPending(query.consumer, query.provider, query.account, since));
		return await this.withRetry(() => {
			const rows = this.db
				.prepare(
					`SELECT j.* FROM pending p
					 JOIN jobs j ON j.provider = p.provider AND j.account = p.account AND j.job_id = p.job_id
					 WHERE p.consumer = ? AND p.provider = ? AND p.account = ? AND j.registered_at >= ?
					 ORDER BY CASE j.state WHEN 'pending' THEN 1 ELSE 0 END, COALESCE(j.last_checked_at, 0), j.registered_at, j.job_id
					 LIMIT ?`,
				)
				.all(query.consumer, query.provider, query.account, since, query.limit) as unknown as JobRow[];
			return rows.map(toJob);
		});
	}

	/** A consumer polling an account for the first time (or another one): its pending set, made once from the jobs. */
	private rebuildPending(consumer: string, provider: LedgerProvider, account: string, since: number): void {
		this.db.prepare('INSERT INTO consumers (consumer, first_poll_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(consumer, Date.now());
		this.db.prepare('DELETE FROM pending WHERE consumer = ?').run(consumer);
		this.db
			.prepare(
				`INSERT INTO pending (consumer, provider, account, job_id)
				 SELECT ?, j.provider, j.account, j.job_id FROM jobs j
				 WHERE j.provider = ? AND j.account = ? AND j.registered_at >= ?
				   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.consumer = ? AND d.provider = j.provider
				                   AND d.account = j.account AND d.job_id = j.job_id)`,
			)
			.run(consumer, provider, account, since, consumer);
		this.db.prepare('UPDATE consumers SET provider = ?, account = ?, pending_since = ? WHERE consumer = ?').run(provider, account, since, consumer);
	}

	async newest(query: { provider: LedgerProvider; account: string; limit: number }): Promise<LedgerJob[]> {
		return await this.withRetry(() => {
			const rows = this.db
				.prepare(
					`SELECT * FROM jobs WHERE provider = ? AND account = ?
					 ORDER BY finished_at IS NULL, finished_at DESC, registered_at DESC, job_id DESC
					 LIMIT ?`,
				)
				.all(query.provider, query.account, query.limit) as unknown as JobRow[];
			return rows.map(toJob);
		});
	}

	async recordChecks(results: CheckResult[], now = Date.now()): Promise<void> {
		if (results.length === 0) return;
		await this.write(() => {
			const update = this.db.prepare(
				`UPDATE jobs SET state = ?, last_status = ?, last_error = ?, checks = checks + 1, last_checked_at = ?,
				   finished_at = COALESCE(finished_at, ?)
				 WHERE provider = ? AND account = ? AND job_id = ? AND state NOT IN ('given_up')`,
			);
			for (const result of results) {
				const finishedAt: SQLInputValue = result.state === 'pending' ? null : (result.finishedAt ?? now);
				update.run(
					result.state,
					result.status ?? null,
					result.error ?? null,
					now,
					finishedAt,
					result.provider,
					result.account,
					result.jobId,
				);
			}
		});
	}

	async recordDeliveries(consumer: string, deliveries: Delivery[], now = Date.now()): Promise<void> {
		if (deliveries.length === 0) return;
		await this.write(() => {
			const insert = this.db.prepare(
				`INSERT INTO deliveries (consumer, provider, account, job_id, state, delivered_at)
				 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			);
			for (const delivery of deliveries) {
				insert.run(consumer, delivery.provider, delivery.account, delivery.jobId, delivery.state, now);
			}
			this.takeFromPending(consumer, deliveries);
		});
	}

	async claimDelivery(consumer: string, delivery: Delivery, now = Date.now()): Promise<boolean> {
		return await this.write(() => {
			const claimed =
				this.changes(
					`INSERT INTO deliveries (consumer, provider, account, job_id, state, delivered_at)
					 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					consumer,
					delivery.provider,
					delivery.account,
					delivery.jobId,
					delivery.state,
					now,
				) === 1;
			if (claimed) this.takeFromPending(consumer, [delivery]);
			return claimed;
		});
	}

	async isDelivered(consumer: string, provider: LedgerProvider, account: string, jobId: string): Promise<boolean> {
		return await this.withRetry(
			() =>
				this.db
					.prepare('SELECT 1 AS found FROM deliveries WHERE consumer = ? AND provider = ? AND account = ? AND job_id = ?')
					.get(consumer, provider, account, jobId) !== undefined,
		);
	}

	async recordWait(waiter: Waiter, jobs: WaitingJob[], limit: WaitLimit, now = Date.now()): Promise<void> {
		await this.write(() => {
			const insert = this.db.prepare(
				`INSERT INTO waits (execution_id, node_id, output_index, item_index, provider, account, job_id, error, created_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET item_index = excluded.item_index, job_id = excluded.job_id, error = excluded.error`,
			);
			for (const job of jobs) {
				const error = job.error ? JSON.stringify(job.error) : null;
				insert.run(waiter.executionId, waiter.nodeId, job.outputIndex, job.itemIndex, waiter.provider, waiter.account, job.jobId, error, now);
			}
			this.db
				.prepare(
					`INSERT INTO wait_limits (execution_id, node_id, deadline, resume_url, on_limit, created_at) VALUES (?, ?, ?, ?, ?, ?)
					 ON CONFLICT DO UPDATE SET deadline = excluded.deadline, resume_url = excluded.resume_url, on_limit = excluded.on_limit, called_at = NULL`,
				)
				.run(waiter.executionId, waiter.nodeId, limit.deadline, limit.resumeUrl, limit.onLimit, now);
		});
	}

	async waitLimit(executionId: string, nodeId: string): Promise<WaitLimit | undefined> {
		return await this.withRetry(() => {
			const row = this.db.prepare('SELECT * FROM wait_limits WHERE execution_id = ? AND node_id = ?').get(executionId, nodeId) as
				| WaitLimitRow
				| undefined;
			return row ? toWaitLimit(row) : undefined;
		});
	}

	async claimDueWaitLimits(options: { retryAfterMs: number; max: number; now?: number }): Promise<DueWaitLimit[]> {
		const now = options.now ?? Date.now();
		return await this.write(() => {
			const rows = this.db
				.prepare(
					`UPDATE wait_limits SET called_at = ? WHERE rowid IN (
						SELECT rowid FROM wait_limits WHERE deadline <= ? AND (called_at IS NULL OR called_at <= ?) ORDER BY deadline LIMIT ?
					 ) RETURNING *`,
				)
				.all(now, now, now - options.retryAfterMs, options.max) as unknown as WaitLimitRow[];
			return rows.map(toDueWaitLimit);
		});
	}

	async endWait(executionId: string, nodeId: string): Promise<void> {
		await this.write(() => {
			this.db.prepare('DELETE FROM waits WHERE execution_id = ? AND node_id = ?').run(executionId, nodeId);
			this.db.prepare('DELETE FROM wait_limits WHERE execution_id = ? AND node_id = ?').run(executionId, nodeId);
		});
	}

	async waitingJobs(executionId: string, nodeId: string): Promise<Array<WaitingJob & { provider: LedgerProvider; account: string }>> {
		return await this.withRetry(() => {
			const rows = this.db
				.prepare('SELECT * FROM waits WHERE execution_id = ? AND node_id = ? ORDER BY output_index')
				.all(executionId, nodeId) as unknown as WaitRow[];
			return rows.map(toWaitingJob);
		});
	}

	async beginPoll(consumer: string, options: BeginPoll): Promise<PollStart> {
		const now = options.now ?? Date.now();
		return await this.write((): PollStart => {
			this.db.prepare('INSERT INTO consumers (consumer, first_poll_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(consumer, now);
			const row = this.consumer(consumer) as ConsumerRow;
			if (row.lease && (row.lease_until ?? 0) > now && !ownerIsGone(row.lease_owner)) {
				return { kind: 'busy', until: row.lease_until ?? now };
			}
			let confirmed = 0;
			let redelivered = 0;
			if (row.batch) {
				if (options.cursorBatch === row.batch) {
					confirmed = this.changes('UPDATE deliveries SET batch = NULL WHERE consumer = ? AND batch = ?', consumer, row.batch);
				} else if (ownerIsGone(row.batch_owner) || now - (row.batch_staged_at ?? 0) >= options.settleMs) {
					redelivered = this.unstage(consumer);
				} else {
					return { kind: 'unsettled', batch: row.batch, stagedAt: row.batch_staged_at ?? now };
				}
			}
			// Staged rows of any other batch cannot be confirmed by any cursor any more.
			redelivered += this.unstage(consumer);
			const lease = randomUUID();
			this.db
				.prepare(
					`UPDATE consumers SET lease = ?, lease_owner = ?, lease_until = ?,
					   batch = NULL, batch_seq = NULL, batch_owner = NULL, batch_staged_at = NULL
					 WHERE consumer = ?`,
				)
				.run(lease, currentOwner(), now + options.leaseMs, consumer);
			return { kind: 'ready', lease, confirmed, redelivered, firstPollAt: row.first_poll_at };
		});
	}

	async stageBatch(
		consumer: string,
		lease: string,
		deliveries: { handOff: Delivery[]; final: Delivery[] },
		now = Date.now(),
	): Promise<StagedBatch | undefined> {
		return await this.write((): StagedBatch | undefined => {
			const row = this.consumer(consumer);
			if (!row || row.lease !== lease || row.batch) return undefined;
			const insert = this.db.prepare(
				`INSERT INTO deliveries (consumer, provider, account, job_id, state, delivered_at, batch)
				 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			);
			for (const delivery of deliveries.final) {
				insert.run(consumer, delivery.provider, delivery.account, delivery.jobId, delivery.state, now, null);
			}
			const batch = randomUUID();
			const alreadyDelivered: string[] = [];
			for (const delivery of deliveries.handOff) {
				const result = insert.run(consumer, delivery.provider, delivery.account, delivery.jobId, delivery.state, now, batch);
				if (Number(result.changes) === 0) alreadyDelivered.push(delivery.jobId);
			}
			this.takeFromPending(consumer, [...deliveries.final, ...deliveries.handOff]);
			const staged = deliveries.handOff.length > alreadyDelivered.length;
			this.db
				.prepare(
					`UPDATE consumers SET lease = NULL, lease_owner = NULL, lease_until = NULL,
					   batch = ?, batch_seq = ?, batch_owner = ?, batch_staged_at = ?, next_seq = next_seq + ?
					 WHERE consumer = ?`,
				)
				.run(
					staged ? batch : null,
					staged ? row.next_seq : null,
					staged ? currentOwner() : null,
					staged ? now : null,
					staged ? 1 : 0,
					consumer,
				);
			return { batch: staged ? batch : '', seq: staged ? row.next_seq : 0, alreadyDelivered };
		});
	}

	async endPoll(consumer: string, lease: string): Promise<void> {
		await this.write(() => {
			this.db
				.prepare('UPDATE consumers SET lease = NULL, lease_owner = NULL, lease_until = NULL WHERE consumer = ? AND lease = ?')
				.run(consumer, lease);
		});
	}

	async get(provider: LedgerProvider, account: string, jobId: string): Promise<LedgerJob | undefined> {
		return await this.withRetry(() => {
			const row = this.db
				.prepare('SELECT * FROM jobs WHERE provider = ? AND account = ? AND job_id = ?')
				.get(provider, account, jobId) as unknown as JobRow | undefined;
			return row ? toJob(row) : undefined;
		});
	}

	async prune(options: PruneOptions): Promise<number> {
		await this.write(() => {
			const cutoff = (options.now ?? Date.now()) - options.olderThanMs;
			// A wait is old once its limit passed before the cutoff (a limit may be longer than the
			// retention window); waits without a limit (recorded before migration 6) by their age.
			this.db.prepare('DELETE FROM wait_limits WHERE deadline < ?').run(cutoff);
			this.db
				.prepare(
					`DELETE FROM waits WHERE created_at < ?
					 AND NOT EXISTS (SELECT 1 FROM wait_limits l WHERE l.execution_id = waits.execution_id AND l.node_id = waits.node_id)`,
				)
				.run(cutoff);
		});
		let pruned = 0;
		for (let round = 0; round < (options.maxBatches ?? 1); round++) {
			// One small transaction per batch: a registration waits at most for one of them.
			const count = await this.write(() => {
				const cutoff = (options.now ?? Date.now()) - options.olderThanMs;
				const old = `SELECT j.rowid FROM jobs j
					WHERE j.state <> 'pending' AND j.finished_at < ?
					  AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.provider = j.provider AND p.account = j.account AND p.job_id = j.job_id)
					  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.provider = j.provider AND d.account = j.account
					                  AND d.job_id = j.job_id AND d.batch IS NOT NULL)
					ORDER BY j.finished_at LIMIT ?`;
				this.db.exec('CREATE TEMP TABLE IF NOT EXISTS prune_batch (id INTEGER PRIMARY KEY)');
				this.db.exec('DELETE FROM prune_batch');
				this.db.prepare(`INSERT INTO prune_batch (id) ${old}`).run(cutoff, options.batchSize);
				this.db.exec(`DELETE FROM deliveries WHERE (provider, account, job_id) IN
					(SELECT provider, account, job_id FROM jobs WHERE rowid IN (SELECT id FROM prune_batch))`);
				return this.changes('DELETE FROM jobs WHERE rowid IN (SELECT id FROM prune_batch)');
			});
			pruned += count;
			if (count < options.batchSize) break;
		}
		return pruned;
	}

	async reemit(request: ReemitRequest): Promise<string[]> {
		return await this.write(() => {
			const filter = request.jobIds
				? `job_id IN (SELECT value FROM json_each(?))`
				: 'delivered_at >= ?';
			const rows = this.db
				.prepare(
					`DELETE FROM deliveries WHERE consumer = ? AND provider = ? AND account = ? AND ${filter}
					 RETURNING job_id`,
				)
				.all(request.consumer, request.provider, request.account, request.jobIds ? JSON.stringify(request.jobIds) : (request.deliveredSince ?? 0)) as Array<{
				job_id: string;
			}>;
			const back = this.db.prepare(
				`INSERT INTO pending (consumer, provider, account, job_id)
				 SELECT consumer, provider, account, ? FROM consumers WHERE consumer = ? AND provider = ? AND account = ? ON CONFLICT DO NOTHING`,
			);
			for (const row of rows) back.run(row.job_id, request.consumer, request.provider, request.account);
			return rows.map((row) => row.job_id).sort();
		});
	}

	async consumers(): Promise<KnownConsumer[]> {
		return await this.withRetry(() => {
			const rows = this.db.prepare('SELECT consumer, provider, first_poll_at FROM consumers ORDER BY consumer').all() as unknown as Array<{
				consumer: string;
				provider: LedgerProvider | null;
				first_poll_at: number;
			}>;
			return rows.map((row) => ({ consumer: row.consumer, provider: row.provider ?? undefined, firstPollAt: row.first_poll_at }));
		});
	}

	close(): void {
		if (this.db.isOpen) this.db.close();
	}

	/** Delivered jobs leave the consumer's pending set. */
	private takeFromPending(consumer: string, deliveries: Delivery[]): void {
		const take = this.db.prepare('DELETE FROM pending WHERE consumer = ? AND provider = ? AND account = ? AND job_id = ?');
		for (const delivery of deliveries) take.run(consumer, delivery.provider, delivery.account, delivery.jobId);
	}

	/** Deletes a consumer's staged deliveries, putting their jobs back into its pending set; returns how many. */
	private unstage(consumer: string): number {
		this.db
			.prepare(
				`INSERT INTO pending (consumer, provider, account, job_id)
				 SELECT d.consumer, d.provider, d.account, d.job_id FROM deliveries d
				 JOIN consumers c ON c.consumer = d.consumer AND c.provider = d.provider AND c.account = d.account
				 WHERE d.consumer = ? AND d.batch IS NOT NULL ON CONFLICT DO NOTHING`,
			)
			.run(consumer);
		return this.changes('DELETE FROM deliveries WHERE consumer = ? AND batch IS NOT NULL', consumer);
	}

	private consumer(consumer: string): ConsumerRow | undefined {
		return this.db.prepare('SELECT * FROM consumers WHERE consumer = ?').get(consumer) as unknown as ConsumerRow | undefined;
	}

	private changes(sql: string, ...params: SQLInputValue[]): number {
		return Number(this.db.prepare(sql).run(...params).changes);
	}

	/** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, never upgraded). */
	private async write<T>(work: () => T): Promise<T> {
		return await this.withRetry(() => {
			this.db.exec('BEGIN IMMEDIATE');
			let failure: unknown;
			try {
				const result = work();
				this.db.exec('COMMIT');
				return result;
			} catch (error) {
				failure = error;
			}
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw failure;
		});
	}

	private async withRetry<T>(work: () => T): Promise<T> {
		await this.followFile();
		for (let attempt = 0; ; attempt++) {
			let failure: unknown;
			try {
				return work();
			} catch (error) {
				failure = error;
			}
			if (!isBusy(failure) || attempt >= BUSY_RETRIES) throw this.identity && isSqliteError(failure) ? ledgerFileError(this.location, failure) : failure;
			await sleep(25 + Math.floor(Math.random() * 100));
		}
	}

	/**
	 * When the path no longer names the file this connection has open (deleted, or replaced by
	 * another file), opens the file now there (creating it if need be), carries over every row the
	 * old connection still reads, and says so loudly (a process warning naming the file), so that
	 * no registration or delivery is lost with the old file and every process uses the same one.
	 */
	private async followFile(): Promise<void> {
		if (!this.identity || this.following || sameFile(fileIdentity(this.location), this.identity)) return;
		this.following = true;
		const orphan = this.db;
		try {
			mkdirSync(path.dirname(this.location), { recursive: true });
			const db = new (orphan.constructor as typeof DatabaseSync)(this.location);
			db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
			this.db = db;
			await this.withRetry(() => db.exec('PRAGMA journal_mode = WAL'));
			db.exec('PRAGMA synchronous = NORMAL');
			const added = await this.write(() => {
				this.migrate();
				const copied = carryOver(orphan, db);
				// Pending sets are not copied: jobs registered in the new file meanwhile are in none of
				// them. Each consumer makes its set again from jobs and deliveries at its next poll.
				db.exec('DELETE FROM pending; UPDATE consumers SET provider = NULL, account = NULL, pending_since = NULL');
				return copied;
			});
			this.identity = fileIdentity(this.location);
			orphan.close();
			process.emitWarning(
				`The Visual AI job ledger ${this.location} was deleted or replaced while n8n had it open. This process now uses the file at that path and carried over what it still had: ${added.jobs} job(s), ${added.deliveries} delivery record(s), ${added.wait_limits} waiting node(s). Jobs only other processes had in the old file are not tracked any more; register them again with Job → Track.`,
				{ code: 'N8N_VISUAL_AI_LEDGER_REPLACED' },
			);
		} catch (error) {
			if (this.db !== orphan && this.db.isOpen) this.db.close();
			this.db = orphan;
			throw ledgerFileError(this.location, new Error(`the file was deleted or replaced while in use, and reopening it failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
		} finally {
			this.following = false;
		}
	}
}
