/**
 * What only the PostgreSQL ledger has: selection from n8n's own settings, errors that name host
 * and database but never the password, migrations raced by processes starting together, "the
 * process is gone" from its session advisory lock, and connections killed (pg_terminate_backend)
 * in the middle of transactions. Runs against the cluster jest's globalSetup started.
 */
import { Client } from 'pg';

import { closeLedgers, ledgerLocation, ledgerTarget, openLedger } from '../../nodes/shared/ledger';
import type { Delivery, JobLedger } from '../../nodes/shared/ledger';
import { PostgresLedger } from '../../nodes/shared/ledger/postgres';
import { POSTGRES_MIGRATIONS } from '../../nodes/shared/ledger/postgres-schema';
import type { PostgresTarget } from '../../nodes/shared/ledger/target';
import { freshDatabase, ledgerSql } from '../helpers/ledger-backend';

const settings = { leaseMs: 60_000, settleMs: 60_000 };
const opened: JobLedger[] = [];

async function openDirect(url: string): Promise<PostgresLedger> {
	const ledger = await PostgresLedger.open(ledgerTarget({ N8N_VISUAL_AI_LEDGER: url }) as PostgresTarget);
	opened.push(ledger);
	return ledger;
}

/** Kills every connection of the ledger code to `database` (not this test's own admin connection). */
async function terminateLedgerConnections(url: string, only?: 'presence'): Promise<number> {
	const admin = new Client({ connectionString: url });
	await admin.connect();
	try {
		const filter =
			only === 'presence'
				? `pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid <> 0 AND classid = ${0x56414931})`
				: `application_name = 'n8n-nodes-visual-ai ledger'`;
		const { rows } = await admin.query(
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${filter}`,
		);
		return rows.length;
	} finally {
		await admin.end();
	}
}

afterAll(async () => {
	await Promise.all(opened.map(async (ledger) => await ledger.close()));
	await closeLedgers();
});

test('n8n on PostgreSQL: the ledger uses n8n’s own database settings, in its own schema, and never shows the password', () => {
	const env = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: 'db.internal',
		DB_POSTGRESDB_PORT: '6543',
		DB_POSTGRESDB_DATABASE: 'n8n_prod',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: 'pg-secret-password',
	};
	expect(ledgerTarget(env)).toMatchObject({
		kind: 'postgres',
		host: 'db.internal:6543',
		database: 'n8n_prod',
		connection: { host: 'db.internal', port: 6543, database: 'n8n_prod', user: 'n8n', password: 'pg-secret-password' },
	});
	expect(ledgerLocation(env)).toBe('postgres://n8n@db.internal:6543/n8n_prod (schema visual_ai_ledger)');
	// An explicit N8N_VISUAL_AI_LEDGER wins; a URL is shown without its password.
	expect(ledgerLocation({ ...env, N8N_VISUAL_AI_LEDGER: '/data/ledger.sqlite' })).toBe('/data/ledger.sqlite');
	expect(ledgerLocation({ N8N_VISUAL_AI_LEDGER: 'postgres://u:pw-in-url@h.example:5432/led' })).toBe(
		'postgres://u@h.example:5432/led (schema visual_ai_ledger)',
	);
});

test('an unreachable PostgreSQL: the error names host and database, never the password', async () => {
	const { freePort } = await import('../../scripts/lib/proc');
	const port = await freePort();
	const error = await openLedger(`postgres://n8n:pw-never-shown@127.0.0.1:${port}/ledger_db`).then(
		() => undefined,
		(reason: Error) => reason,
	);
	expect(error?.message).toMatch(new RegExp(`^The Visual AI job ledger could not use PostgreSQL at 127\\.0\\.0\\.1:${port}, database ledger_db: .*ECONNREFUSED`));
	expect(JSON.stringify({ message: error?.message, stack: error?.stack })).not.toContain('pw-never-shown');
});

test('processes starting together migrate once (advisory lock); a schema newer than the code is refused', async () => {
	const url = await freshDatabase();
	const ledgers = await Promise.all(Array.from({ length: 5 }, async () => await openDirect(url)));
	expect(ledgers).toHaveLength(5);
	expect(await ledgerSql(url, 'SELECT version FROM schema_version')).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
	await ledgerSql(url, 'UPDATE schema_version SET version = ?', POSTGRES_MIGRATIONS.length + 1);
	await expect(openDirect(url)).rejects.toThrow(/schema is version \d+ and this version of the pack knows up to \d+; it never downgrades/);
	expect(await ledgerSql(url, 'SELECT version FROM schema_version')).toEqual([{ version: POSTGRES_MIGRATIONS.length + 1 }]);
});

test('another host’s process is gone when PostgreSQL releases its session lock: its lease and batch are taken over at once', async () => {
	const url = await freshDatabase();
	const host1 = await openDirect(url);
	const host2 = await openDirect(url);
	await host1.register([{ provider: 'pique', account: 'acc', jobId: 'j1' }]);
	const delivery: Delivery = { provider: 'pique', account: 'acc', jobId: 'j1', state: 'finished' };
	const start = await host1.beginPoll('wf:a', settings);
	if (start.kind !== 'ready') throw new Error('expected ready');
	await host1.stageBatch('wf:a', start.lease, { handOff: [delivery], final: [] });
	await host1.beginPoll('wf:b', settings);
	// While host 1 lives, its batch waits for the settle time and its lease for its end.
	expect(await host2.beginPoll('wf:a', settings)).toMatchObject({ kind: 'unsettled' });
	expect(await host2.beginPoll('wf:b', settings)).toMatchObject({ kind: 'busy' });
	// Host 1's process vanishes: its connections die (the test kills them; no pid of another host is ever looked at).
	await host1.close();
	expect(await host2.beginPoll('wf:a', settings)).toMatchObject({ kind: 'ready', redelivered: 1 });
	expect(await host2.beginPoll('wf:b', settings)).toMatchObject({ kind: 'ready' });
	expect((await host2.undelivered({ provider: 'pique', account: 'acc', consumer: 'wf:a', limit: 10 })).map((job) => job.jobId)).toEqual(['j1']);
});

test('connections killed (pg_terminate_backend) in the middle of transactions: every job registered and emitted exactly once', async () => {
	const url = await freshDatabase();
	const ledger = await openDirect(url);
	const account = 'acc-kill';
	const ids = Array.from({ length: 400 }, (_, index) => `k${index}`);
	let killing = true;
	let killed = 0;
	const killer = (async () => {
		while (killing) {
			killed += await terminateLedgerConnections(url);
			await new Promise((resolve) => setTimeout(resolve, 15));
		}
	})();
	const failures: string[] = [];
	try {
		// Registrations in parallel, 10 jobs each, every one retried by the caller until it succeeds.
		await Promise.all(
			Array.from({ length: 40 }, async (_, chunk) => {
				for (;;) {
					try {
						await ledger.register(ids.slice(chunk * 10, chunk * 10 + 10).map((jobId) => ({ provider: 'pique' as const, account, jobId })));
						return;
					} catch (error) {
						failures.push((error as Error).message);
					}
				}
			}),
		);
		// A trigger node polling as n8n does: the cursor is committed only when a hand-off succeeded.
		const emitted: string[] = [];
		let cursor: string | undefined;
		for (let poll = 0; poll < 400 && emitted.length < ids.length; poll++) {
			try {
				const start = await ledger.beginPoll('wf:kill', { leaseMs: 60_000, settleMs: 0, cursorBatch: cursor });
				if (start.kind !== 'ready') continue;
				const jobs = await ledger.undelivered({ provider: 'pique', account, consumer: 'wf:kill', limit: 25 });
				const handOff = jobs.map((job): Delivery => ({ provider: 'pique', account, jobId: job.jobId, state: 'finished' }));
				const staged = await ledger.stageBatch('wf:kill', start.lease, { handOff, final: [] });
				if (!staged) {
					await ledger.endPoll('wf:kill', start.lease).catch(() => undefined);
					continue;
				}
				if (staged.batch) {
					const already = new Set(staged.alreadyDelivered);
					emitted.push(...handOff.filter((delivery) => !already.has(delivery.jobId)).map((delivery) => delivery.jobId));
					cursor = staged.batch;
				}
			} catch (error) {
				failures.push((error as Error).message);
			}
		}
		killing = false;
		await killer;
		expect(killed).toBeGreaterThan(5);
		const rows = await ledgerSql<{ n: number; distinct_ids: number }>(url, 'SELECT COUNT(*) AS n, COUNT(DISTINCT job_id) AS distinct_ids FROM jobs');
		expect(rows).toEqual([{ n: ids.length, distinct_ids: ids.length }]);
		expect([...emitted].sort()).toEqual([...ids].sort());
		expect(new Set(emitted).size).toBe(emitted.length);
		for (const message of failures) expect(message).toMatch(/^The Visual AI job ledger could not use PostgreSQL at 127\.0\.0\.1:\d+, database ledger_\w+: /);
	} finally {
		killing = false;
		await killer;
	}
}, 120_000);
