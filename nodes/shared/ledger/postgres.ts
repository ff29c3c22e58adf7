import { randomUUID } from 'node:crypto';

import type { Client, Pool, PoolClient } from 'pg';
import { sleep } from 'n8n-workflow';

import { ACCOUNT_LOCK_NAMESPACE, LOCK_NAMESPACE, POSTGRES_MIGRATIONS } from './postgres-schema';
import { PostgresPresence } from './postgres-presence';
import { describeTarget, POSTGRES_SCHEMA } from './target';
import type { PostgresTarget } from './target';
import type {
	BeginPoll,
	CheckResult,
	Delivery,
	JobLedger,
	LedgerJob,
	LedgerProvider,
	NewJob,
	PollStart,
	PruneOptions,
	ReemitRequest,
	StagedBatch,
	UndeliveredQuery,
	Waiter,
	WaitingJob,
	WaitLimit,
	DueWaitLimit,
} from './types';
import { toDueWaitLimit, toJob, toWaitingJob, toWaitLimit } from './rows';
import type { JobRow, WaitLimitRow, WaitRow } from './rows';

const S = POSTGRES_SCHEMA;
const TRIES = 4;
/** SQLSTATE classes worth another try on a fresh connection: connection lost, server shutting down, serialization, deadlock. */
const RETRYABLE_SQLSTATE = /^(08|57P0|40001|40P01)/;
const ORDER = `CASE j.state WHEN 'pending' THEN 1 ELSE 0 END, COALESCE(j.last_checked_at, 0), j.registered_at, j.job_id`;

type Queryable = Pick<PoolClient, 'query'>;

interface ConsumerRow {
	next_seq: number;
	lease: string | null;
	lease_owner: string | null;
	lease_until: number | null;
	batch: string | null;
	batch_owner: string | null;
	batch_staged_at: number | null;
	first_poll_at: number;
	provider: string | null;
	account: string | null;
	pending_since: number | null;
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Worth another try on a new connection: the connection broke, the server restarts, or a transaction lost a race. */
function isRetryable(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code === 'string' && (RETRYABLE_SQLSTATE.test(code) || /^E(CONNRESET|CONNREFUSED|PIPE|TIMEDOUT)$/.test(code))) return true;
	return /Connection terminated|terminating connection|Client has encountered a connection error/i.test(errorText(error));
}

/** Columns of a delivery list, as arrays for `unnest`. */
function columns(deliveries: Delivery[]) {
	return [
		deliveries.map((delivery) => delivery.provider),
		deliveries.map((delivery) => delivery.account),
		deliveries.map((delivery) => delivery.jobId),
		deliveries.map((delivery) => delivery.state),
	];
}

/**
 * The job ledger in PostgreSQL (schema `visual_ai_ledger`), for n8n's queue mode with processes on
 * several hosts. Every write is one transaction, retried on a new connection when the connection
 * drops (each write is idempotent, so a retry records nothing twice). Lease and settle times use
 * the database's clock; the consumer row is locked (`FOR UPDATE`) for the whole transaction; a
 * process is "gone" when PostgreSQL no longer holds its session advisory lock (postgres-presence.ts).
 */
export class PostgresLedger implements JobLedger {
	readonly location: string;
	private readonly target: PostgresTarget;
	private readonly pool: Pool;
	private readonly presence: PostgresPresence;

	constructor(target: PostgresTarget, pool: Pool, presence: PostgresPresence) {
		this.target = target;
		this.pool = pool;
		this.presence = presence;
		this.location = describeTarget(target);
	}

	/** Connects, migrates under an advisory lock and takes this process's presence lock. Errors name host and database. */
	static async open(target: PostgresTarget): Promise<PostgresLedger> {
		const pg = await import('pg');
		const int8AsNumber = (oid: number, format?: 'text' | 'binary') =>
			oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text');
		const types = { getTypeParser: int8AsNumber } as unknown as NonNullable<ConstructorParameters<typeof pg.Pool>[0]>['types'];
		const settings = { ...target.connection, types, connectionTimeoutMillis: 10_000, application_name: 'n8n-nodes-visual-ai ledger' };
		const pool = new pg.Pool({ ...settings, max: 4, idleTimeoutMillis: 30_000 });
		// A connection that drops (idle or checked out) must not crash n8n: the query in flight fails
		// and is retried on a new connection.
		pool.on('error', () => undefined);
		pool.on('connect', (client) => client.on('error', () => undefined));
		const presence = new PostgresPresence(() => new pg.Client(settings) as Client);
		const ledger = new PostgresLedger(target, pool, presence);
		try {
			await ledger.transaction(async (db) => await ledger.migrate(db));
			await presence.owner();
			return ledger;
		} catch (error) {
			await ledger.close();
			throw ledger.failure(error);
		}
	}

	/** Whether the ledger's schema is there, without making it (one short connection). Errors: the database cannot be reached. */
	static async exists(target: PostgresTarget): Promise<boolean> {
		const pg = await import('pg');
		const client = new pg.Client({ ...target.connection, connectionTimeoutMillis: 10_000, application_name: 'n8n-nodes-visual-ai ledger' });
		client.on('error', () => undefined);
		try {
			await client.connect();
			const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`${S}.schema_version`]);
			return rows[0]?.found === true;
		} finally {
			await client.end().catch(() => undefined);
		}
	}

	private async migrate(db: Queryable): Promise<void> {
		await db.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_NAMESPACE]);
		await db.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
		await db.query(`CREATE TABLE IF NOT EXISTS ${S}.schema_version (version INTEGER NOT NULL)`);
		const { rows } = await db.query<{ version: number }>(`SELECT version FROM ${S}.schema_version`);
		const version = rows[0]?.version ?? 0;
		if (version > POSTGRES_MIGRATIONS.length) {
			throw new Error(
				`its schema is version ${version} and this version of the pack knows up to ${POSTGRES_MIGRATIONS.length}; it never downgrades a ledger. Update n8n-nodes-visual-ai on every n8n process (main and workers)`,
			);
		}
		for (let next = version; next < POSTGRES_MIGRATIONS.length; next++) await db.query(POSTGRES_MIGRATIONS[next]);
		if (rows.length === 0) await db.query(`INSERT INTO ${S}.schema_version (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length]);
		else if (version < POSTGRES_MIGRATIONS.length) await db.query(`UPDATE ${S}.schema_version SET version = $1`, [POSTGRES_MIGRATIONS.length]);
	}

	async register(jobs: NewJob[], now?: number): Promise<number> {
		if (jobs.length === 0) return 0;
		return await this.transaction(async (db) => {
			const at = now ?? (await this.clock(db));
			for (const key of [...new Set(jobs.map((job) => `${job.provider}\n${job.account}`))].sort()) {
				await db.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [ACCOUNT_LOCK_NAMESPACE, key]);
			}
			const { rows } = await db.query<{ added: number }>(
				`WITH added AS (
					INSERT INTO ${S}.jobs (provider, account, job_id, submitted_at, registered_at)
					SELECT provider, account, job_id, COALESCE(submitted_at, $5), $5
					FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS n(provider, account, job_id, submitted_at)
					ON CONFLICT DO NOTHING
					RETURNING provider, account, job_id
				), queued AS (
					INSERT INTO ${S}.pending (consumer, provider, account, job_id)
					SELECT c.consumer, a.provider, a.account, a.job_id FROM added a
					JOIN ${S}.consumers c ON c.provider = a.provider AND c.account = a.account
					ON CONFLICT DO NOTHING
				)
				SELECT COUNT(*)::int AS added FROM added`,
				[
					jobs.map((job) => job.provider),
					jobs.map((job) => job.account),
					jobs.map((job) => job.jobId),
					jobs.map((job) => job.submittedAt?.getTime() ?? null),
					at,
				],
			);
			return rows[0].added;
		});
	}

	async undelivered(query: UndeliveredQuery): Promise<LedgerJob[]> {
		const since = query.registeredSince ?? 0;
		return await this.transaction(async (db) => {
			const consumer = await this.lockConsumer(db, query.consumer);
			const tracks = consumer.provider === query.provider && consumer.account === query.account;
			if (!tracks || (consumer.pending_since ?? 0) > since) await this.rebuildPending(db, query.consumer, query.provider, query.account, since);
			const { rows } = await db.query<JobRow>(
				// One primary-key lookup per pending job (OFFSET 0 keeps the planner from turning it into a
				// scan of the account's whole history when its statistics are stale).
				`SELECT j.* FROM ${S}.pending p
				 CROSS JOIN LATERAL (SELECT * FROM ${S}.jobs k WHERE k.provider = p.provider AND k.account = p.account
				                     AND k.job_id = p.job_id OFFSET 0) j
				 WHERE p.consumer = $1 AND p.provider = $2 AND p.account = $3 AND j.registered_at >= $4
				 ORDER BY ${ORDER} LIMIT $5`,
				[query.consumer, query.provider, query.account, since, query.limit],
			);
			return rows.map(toJob);
		});
	}

	/** A consumer polling an account for the first time (or another one): its pending set, made once from the jobs. */
	private async rebuildPending(db: Queryable, consumer: string, provider: LedgerProvider, account: string, since: number): Promise<void> {
		await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK_NAMESPACE, `${provider}\n${account}`]);
		await db.query(`DELETE FROM ${S}.pending WHERE consumer = $1`, [consumer]);
		await db.query(
			`INSERT INTO ${S}.pending (consumer, provider, account, job_id)
			 SELECT $1, j.provider, j.account, j.job_id FROM ${S}.jobs j
			 WHERE j.provider = $2 AND j.account = $3 AND j.registered_at >= $4
			   AND NOT EXISTS (SELECT 1 FROM ${S}.deliveries d WHERE d.consumer = $1 AND d.provider = j.provider
			                   AND d.account = j.account AND d.job_id = j.job_id)`,
			[consumer, provider, account, since],
		);
		await db.query(`UPDATE ${S}.consumers SET provider = $2, account = $3, pending_since = $4 WHERE consumer = $1`, [
			consumer,
			provider,
			account,
			since,
		]);
	}

	async newest(query: { provider: LedgerProvider; account: string; limit: number }): Promise<LedgerJob[]> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query<JobRow>(
				`SELECT * FROM ${S}.jobs WHERE provider = $1 AND account = $2
				 ORDER BY finished_at IS NULL, finished_at DESC, registered_at DESC, job_id DESC LIMIT $3`,
				[query.provider, query.account, query.limit],
			);
			return rows.map(toJob);
		});
	}

	async recordChecks(results: CheckResult[], now?: number): Promise<void> {
		if (results.length === 0) return;
		await this.transaction(async (db) => {
			const at = now ?? (await this.clock(db));
			await db.query(
				`UPDATE ${S}.jobs j SET state = r.state, last_status = r.status, last_error = r.error, checks = j.checks + 1,
				   last_checked_at = $8, finished_at = COALESCE(j.finished_at, CASE WHEN r.state = 'pending' THEN NULL ELSE COALESCE(r.finished_at, $8) END)
				 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
				   AS r(provider, account, job_id, state, status, error, finished_at)
				 WHERE j.provider = r.provider AND j.account = r.account AND j.job_id = r.job_id AND j.state <> 'given_up'`,
				[
					results.map((result) => result.provider),
					results.map((result) => result.account),
					results.map((result) => result.jobId),
					results.map((result) => result.state),
					results.map((result) => result.status ?? null),
					results.map((result) => result.error ?? null),
					results.map((result) => result.finishedAt ?? null),
					at,
				],
			);
		});
	}

	async recordDeliveries(consumer: string, deliveries: Delivery[], now?: number): Promise<void> {
		if (deliveries.length === 0) return;
		await this.transaction(async (db) => {
			await this.insertDeliveries(db, consumer, deliveries, now ?? (await this.clock(db)), null);
		});
	}

	/** Records deliveries (staged under `batch`, or final) and takes them out of the pending set; returns the job ids that were new. */
	private async insertDeliveries(db: Queryable, consumer: string, deliveries: Delivery[], at: number, batch: string | null): Promise<Set<string>> {
		if (deliveries.length === 0) return new Set();
		const { rows } = await db.query<{ job_id: string }>(
			`WITH added AS (
				INSERT INTO ${S}.deliveries (consumer, provider, account, job_id, state, delivered_at, batch)
				SELECT $1, provider, account, job_id, state, $6, $7
				FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS n(provider, account, job_id, state)
				ON CONFLICT DO NOTHING
				RETURNING provider, account, job_id
			), taken AS (
				DELETE FROM ${S}.pending p USING unnest($2::text[], $3::text[], $4::text[]) AS n(provider, account, job_id)
				WHERE p.consumer = $1 AND p.provider = n.provider AND p.account = n.account AND p.job_id = n.job_id
			)
			SELECT job_id FROM added`,
			[consumer, ...columns(deliveries), at, batch],
		);
		return new Set(rows.map((row) => row.job_id));
	}

	async claimDelivery(consumer: string, delivery: Delivery, now?: number): Promise<boolean> {
		return await this.transaction(async (db) => {
			const added = await this.insertDeliveries(db, consumer, [delivery], now ?? (await this.clock(db)), null);
			return added.has(delivery.jobId);
		});
	}

	async isDelivered(consumer: string, provider: LedgerProvider, account: string, jobId: string): Promise<boolean> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query(
				`SELECT 1 FROM ${S}.deliveries WHERE consumer = $1 AND provider = $2 AND account = $3 AND job_id = $4`,
				[consumer, provider, account, jobId],
			);
			return rows.length > 0;
		});
	}

	async recordWait(waiter: Waiter, jobs: WaitingJob[], limit: WaitLimit, now?: number): Promise<void> {
		await this.transaction(async (db) => {
			const at = now ?? (await this.clock(db));
			await db.query(
				`INSERT INTO ${S}.waits (execution_id, node_id, output_index, item_index, provider, account, job_id, error, created_at)
				 SELECT $1, $2, w.output_index, w.item_index, $3, $4, w.job_id, w.error, $9
				 FROM unnest($5::int[], $6::int[], $7::text[], $8::text[]) AS w(output_index, item_index, job_id, error)
				 ON CONFLICT (execution_id, node_id, output_index) DO UPDATE SET item_index = EXCLUDED.item_index, job_id = EXCLUDED.job_id, error = EXCLUDED.error`,
				[
					waiter.executionId,
					waiter.nodeId,
					waiter.provider,
					waiter.account,
					jobs.map((job) => job.outputIndex),
					jobs.map((job) => job.itemIndex),
					jobs.map((job) => job.jobId),
					jobs.map((job) => (job.error ? JSON.stringify(job.error) : null)),
					at,
				],
			);
			await db.query(
				`INSERT INTO ${S}.wait_limits (execution_id, node_id, deadline, resume_url, on_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6)
				 ON CONFLICT (execution_id, node_id) DO UPDATE
				 SET deadline = EXCLUDED.deadline, resume_url = EXCLUDED.resume_url, on_limit = EXCLUDED.on_limit, called_at = NULL`,
				[waiter.executionId, waiter.nodeId, limit.deadline, limit.resumeUrl, limit.onLimit, at],
			);
		});
	}

	async waitLimit(executionId: string, nodeId: string): Promise<WaitLimit | undefined> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query<WaitLimitRow>(`SELECT * FROM ${S}.wait_limits WHERE execution_id = $1 AND node_id = $2`, [executionId, nodeId]);
			return rows[0] ? toWaitLimit(rows[0]) : undefined;
		});
	}

	async claimDueWaitLimits(options: { retryAfterMs: number; max: number; now?: number }): Promise<DueWaitLimit[]> {
		return await this.transaction(async (db) => {
			const now = options.now ?? (await this.clock(db));
			// SKIP LOCKED: a second sweeper at the same moment takes other rows instead of waiting for these.
			const { rows } = await db.query<WaitLimitRow>(
				`UPDATE ${S}.wait_limits SET called_at = $1 WHERE (execution_id, node_id) IN (
					SELECT execution_id, node_id FROM ${S}.wait_limits
					WHERE deadline <= $1 AND (called_at IS NULL OR called_at <= $2) ORDER BY deadline LIMIT $3 FOR UPDATE SKIP LOCKED
				 ) RETURNING *`,
				[now, now - options.retryAfterMs, options.max],
			);
			return rows.map(toDueWaitLimit);
		});
	}

	async endWait(executionId: string, nodeId: string): Promise<void> {
		await this.transaction(async (db) => {
			await db.query(`DELETE FROM ${S}.waits WHERE execution_id = $1 AND node_id = $2`, [executionId, nodeId]);
			await db.query(`DELETE FROM ${S}.wait_limits WHERE execution_id = $1 AND node_id = $2`, [executionId, nodeId]);
		});
	}

	async waitingJobs(executionId: string, nodeId: string): Promise<Array<WaitingJob & { provider: LedgerProvider; account: string }>> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query<WaitRow>(
				`SELECT output_index, item_index, provider, account, job_id, error FROM ${S}.waits WHERE execution_id = $1 AND node_id = $2 ORDER BY output_index`,
				[executionId, nodeId],
			);
			return rows.map(toWaitingJob);
		});
	}

	async beginPoll(consumer: string, options: BeginPoll): Promise<PollStart> {
		return await this.transaction(async (db): Promise<PollStart> => {
			const now = options.now ?? (await this.clock(db));
			const row = await this.lockConsumer(db, consumer, now);
			if (row.lease && (row.lease_until ?? 0) > now && !(await this.isGone(db, row.lease_owner))) {
				return { kind: 'busy', until: row.lease_until ?? now };
			}
			let confirmed = 0;
			let redelivered = 0;
			if (row.batch) {
				if (options.cursorBatch === row.batch) {
					const result = await db.query(`UPDATE ${S}.deliveries SET batch = NULL WHERE consumer = $1 AND batch = $2`, [consumer, row.batch]);
					confirmed = result.rowCount ?? 0;
				} else if (!((await this.isGone(db, row.batch_owner)) || now - (row.batch_staged_at ?? 0) >= options.settleMs)) {
					return { kind: 'unsettled', batch: row.batch, stagedAt: row.batch_staged_at ?? now };
				}
			}
			// Every staged row left (the lost batch, or any older one no cursor can confirm) goes back to the pending set.
			redelivered = await this.unstage(db, consumer);
			const lease = randomUUID();
			await db.query(
				`UPDATE ${S}.consumers SET lease = $2, lease_owner = $3, lease_until = $4,
				   batch = NULL, batch_seq = NULL, batch_owner = NULL, batch_staged_at = NULL
				 WHERE consumer = $1`,
				[consumer, lease, await this.presence.owner(), now + options.leaseMs],
			);
			return { kind: 'ready', lease, confirmed, redelivered, firstPollAt: row.first_poll_at };
		});
	}

	/** Deletes a consumer's staged deliveries, putting their jobs back into its pending set; returns how many. */
	private async unstage(db: Queryable, consumer: string): Promise<number> {
		const { rows } = await db.query<{ count: number }>(
			`WITH gone AS (
				DELETE FROM ${S}.deliveries WHERE consumer = $1 AND batch IS NOT NULL RETURNING provider, account, job_id
			), back AS (
				INSERT INTO ${S}.pending (consumer, provider, account, job_id)
				SELECT $1, g.provider, g.account, g.job_id FROM gone g
				JOIN ${S}.consumers c ON c.consumer = $1 AND c.provider = g.provider AND c.account = g.account
				ON CONFLICT DO NOTHING
			)
			SELECT COUNT(*)::int AS count FROM gone`,
			[consumer],
		);
		return rows[0].count;
	}

	async stageBatch(
		consumer: string,
		lease: string,
		deliveries: { handOff: Delivery[]; final: Delivery[] },
		now?: number,
	): Promise<StagedBatch | undefined> {
		return await this.transaction(async (db): Promise<StagedBatch | undefined> => {
			const at = now ?? (await this.clock(db));
			const row = await this.lockConsumer(db, consumer, at, false);
			if (!row || row.lease !== lease || row.batch) return undefined;
			await this.insertDeliveries(db, consumer, deliveries.final, at, null);
			const batch = randomUUID();
			const added = await this.insertDeliveries(db, consumer, deliveries.handOff, at, batch);
			const alreadyDelivered = deliveries.handOff.filter((delivery) => !added.has(delivery.jobId)).map((delivery) => delivery.jobId);
			const staged = added.size > 0;
			await db.query(
				`UPDATE ${S}.consumers SET lease = NULL, lease_owner = NULL, lease_until = NULL,
				   batch = $2, batch_seq = $3, batch_owner = $4, batch_staged_at = $5, next_seq = next_seq + $6
				 WHERE consumer = $1`,
				[
					consumer,
					staged ? batch : null,
					staged ? row.next_seq : null,
					staged ? await this.presence.owner() : null,
					staged ? at : null,
					staged ? 1 : 0,
				],
			);
			return { batch: staged ? batch : '', seq: staged ? row.next_seq : 0, alreadyDelivered };
		});
	}

	async endPoll(consumer: string, lease: string): Promise<void> {
		await this.transaction(async (db) => {
			await db.query(`UPDATE ${S}.consumers SET lease = NULL, lease_owner = NULL, lease_until = NULL WHERE consumer = $1 AND lease = $2`, [
				consumer,
				lease,
			]);
		});
	}

	async get(provider: LedgerProvider, account: string, jobId: string): Promise<LedgerJob | undefined> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query<JobRow>(`SELECT * FROM ${S}.jobs WHERE provider = $1 AND account = $2 AND job_id = $3`, [
				provider,
				account,
				jobId,
			]);
			return rows[0] ? toJob(rows[0]) : undefined;
		});
	}

	async prune(options: PruneOptions): Promise<number> {
		await this.transaction(async (db) => {
			const cutoff = (options.now ?? (await this.clock(db))) - options.olderThanMs;
			// A wait is old once its limit passed before the cutoff (a limit may be longer than the
			// retention window); waits without a limit (recorded before migration 3) by their age.
			await db.query(`DELETE FROM ${S}.wait_limits WHERE deadline < $1`, [cutoff]);
			await db.query(
				`DELETE FROM ${S}.waits w WHERE w.created_at < $1
				 AND NOT EXISTS (SELECT 1 FROM ${S}.wait_limits l WHERE l.execution_id = w.execution_id AND l.node_id = w.node_id)`,
				[cutoff],
			);
		});
		let pruned = 0;
		for (let round = 0; round < (options.maxBatches ?? 1); round++) {
			const count = await this.transaction(async (db) => {
				const cutoff = (options.now ?? (await this.clock(db))) - options.olderThanMs;
				// SKIP LOCKED: a job a registration or a poll holds is left for a later round, never waited for.
				const { rows } = await db.query<{ count: number }>(
					`WITH old AS (
						SELECT j.provider, j.account, j.job_id FROM ${S}.jobs j
						WHERE j.state <> 'pending' AND j.finished_at < $1
						  AND NOT EXISTS (SELECT 1 FROM ${S}.pending p WHERE p.provider = j.provider AND p.account = j.account AND p.job_id = j.job_id)
						  AND NOT EXISTS (SELECT 1 FROM ${S}.deliveries d WHERE d.provider = j.provider AND d.account = j.account
						                  AND d.job_id = j.job_id AND d.batch IS NOT NULL)
						ORDER BY j.finished_at LIMIT $2 FOR UPDATE SKIP LOCKED
					), gone_deliveries AS (
						DELETE FROM ${S}.deliveries d USING old o WHERE d.provider = o.provider AND d.account = o.account AND d.job_id = o.job_id
					), gone AS (
						DELETE FROM ${S}.jobs j USING old o WHERE j.provider = o.provider AND j.account = o.account AND j.job_id = o.job_id
						RETURNING 1
					)
					SELECT COUNT(*)::int AS count FROM gone`,
					[cutoff, options.batchSize],
				);
				return rows[0].count;
			});
			pruned += count;
			if (count < options.batchSize) break;
		}
		await this.maintain();
		return pruned;
	}

	/**
	 * Every job passes through the pending sets (inserted, then deleted on delivery), so after a
	 * burst their indexes are full of dead entries that a poll's lookup has to step over until
	 * autovacuum comes by; fresh statistics keep the planner on the primary key. Both cost little
	 * (the live pending set is small; ANALYZE samples). VACUUM cannot run inside a transaction.
	 */
	private async maintain(): Promise<void> {
		try {
			await this.pool.query(`VACUUM (ANALYZE) ${S}.pending, ${S}.consumers`);
			await this.pool.query(`ANALYZE ${S}.jobs, ${S}.deliveries`);
		} catch (error) {
			throw this.failure(error);
		}
	}

	async reemit(request: ReemitRequest): Promise<string[]> {
		return await this.transaction(async (db) => {
			await this.lockConsumer(db, request.consumer);
			const { rows } = await db.query<{ job_id: string }>(
				`WITH gone AS (
					DELETE FROM ${S}.deliveries d
					WHERE d.consumer = $1 AND d.provider = $2 AND d.account = $3
					  AND (($4::text[] IS NOT NULL AND d.job_id = ANY($4)) OR ($4::text[] IS NULL AND d.delivered_at >= $5))
					RETURNING d.provider, d.account, d.job_id
				), back AS (
					INSERT INTO ${S}.pending (consumer, provider, account, job_id)
					SELECT $1, g.provider, g.account, g.job_id FROM gone g
					JOIN ${S}.consumers c ON c.consumer = $1 AND c.provider = g.provider AND c.account = g.account
					ON CONFLICT DO NOTHING
				)
				SELECT job_id FROM gone ORDER BY job_id`,
				[request.consumer, request.provider, request.account, request.jobIds ?? null, request.deliveredSince ?? 0],
			);
			return rows.map((row) => row.job_id);
		});
	}

	async consumers(): Promise<Array<{ consumer: string; provider?: LedgerProvider; firstPollAt: number }>> {
		return await this.transaction(async (db) => {
			const { rows } = await db.query<{ consumer: string; provider: LedgerProvider | null; first_poll_at: number }>(
				`SELECT consumer, provider, first_poll_at FROM ${S}.consumers ORDER BY consumer`,
			);
			return rows.map((row) => ({ consumer: row.consumer, provider: row.provider ?? undefined, firstPollAt: row.first_poll_at }));
		});
	}

	async close(): Promise<void> {
		await Promise.all([this.presence.close(), this.pool.end().catch(() => undefined)]);
	}

	/** The database's clock, in milliseconds: every host's leases and settle times are measured on it. */
	private async clock(db: Queryable): Promise<number> {
		const { rows } = await db.query<{ now: number }>('SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now');
		return rows[0].now;
	}

	/** The consumer's row, made if new, locked until the transaction ends (one writer per consumer across hosts). */
	private async lockConsumer(db: Queryable, consumer: string, now?: number, create = true): Promise<ConsumerRow> {
		if (create) {
			await db.query(`INSERT INTO ${S}.consumers (consumer, first_poll_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
				consumer,
				now ?? (await this.clock(db)),
			]);
		}
		const { rows } = await db.query<ConsumerRow>(`SELECT * FROM ${S}.consumers WHERE consumer = $1 FOR UPDATE`, [consumer]);
		return rows[0];
	}

	/** Whether the process that recorded `owner` is gone: PostgreSQL no longer holds its session advisory lock. */
	private async isGone(db: Queryable, owner: string | null): Promise<boolean> {
		const key = PostgresPresence.keyOf(owner);
		if (key === undefined) return true;
		const { rows } = await db.query<{ held: boolean }>(
			`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::bigint::oid
			   AND objid = $2::bigint::oid AND objsubid = 2
			   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS held`,
			[LOCK_NAMESPACE, key],
		);
		return !rows[0].held;
	}

	/** Runs `work` in one transaction on a pooled connection; a dropped connection or a lost race is retried on a new one. */
	private async transaction<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			let failure: unknown;
			let client: PoolClient | undefined;
			try {
				client = await this.pool.connect();
				await client.query('BEGIN');
				const result = await work(client);
				await client.query('COMMIT');
				client.release();
				return result;
			} catch (error) {
				failure = error;
			}
			if (client) {
				await client.query('ROLLBACK').catch(() => undefined);
				client.release(isRetryable(failure) ? true : undefined);
			}
			if (!isRetryable(failure) || attempt >= TRIES) throw this.failure(failure);
			await sleep(50 * attempt + Math.floor(Math.random() * 50));
		}
	}

	/** A plain Error naming host and database (never the password); the nodes wrap it in a node error. */
	private failure(error: unknown): Error {
		if (error instanceof Error && error.message.startsWith('The Visual AI job ledger')) return error;
		const password = this.target.connection.password;
		let reason = errorText(error);
		if (password) reason = reason.split(password).join('***');
		reason = reason.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
		return new Error(
			`The Visual AI job ledger could not use PostgreSQL at ${this.target.host}, database ${this.target.database}: ${reason}. Check that every n8n process can reach it (${this.target.source})`,
			{ cause: error },
		);
	}
}
