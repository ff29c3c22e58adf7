/**
 * `npm run bench:ledger [-- --sizes 10000,100000,1000000 --runs 25]`: the job ledger as history
 * grows, SQLite and PostgreSQL (a throw-away cluster, scripts/lib/postgres.ts). One account, one
 * trigger node; the ledger is grown to each size with every job but the newest delivered to that
 * node, then measured: `register` (one new job, one transaction), `undelivered` (the poll's read
 * for that node), and the ledger's size on disk (SQLite file with its WAL; PostgreSQL tables and
 * indexes of the visual_ai_ledger schema). Prints a Markdown table; times are medians.
 * Takes a few minutes for 1,000,000 jobs and about 1 GiB of free disk space.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { median } from './lib.ts';
import { startPostgres } from '../scripts/lib/postgres.ts';
import { registerSourceHooks } from '../scripts/lib/source-hooks.ts';

type Ledger = import('../nodes/shared/ledger/index.ts').JobLedger;

const PROVIDER = 'eyeQuant' as const;
const ACCOUNT = 'bench-account';
const CONSUMER = 'bench-workflow:trigger-node';
const CHUNK = 10_000;

function option(name: string, fallback: string): string {
	const args = process.argv.slice(2);
	const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
	if (index < 0) return fallback;
	const [, inline] = args[index].split('=', 2);
	return inline ?? args[index + 1];
}

interface Row {
	backend: string;
	jobs: number;
	registerMs: number;
	undeliveredMs: number;
	bytes: number;
}

async function timed(runs: number, work: (run: number) => Promise<unknown>): Promise<number> {
	const times: number[] = [];
	for (let run = 0; run < runs; run++) {
		const started = performance.now();
		await work(run);
		times.push(performance.now() - started);
	}
	return median(times);
}

/** Grows the ledger from `from` to `to` jobs, all delivered to the consumer (the poll of each would have). */
async function grow(ledger: Ledger, from: number, to: number): Promise<void> {
	for (let start = from; start < to; start += CHUNK) {
		const ids = Array.from({ length: Math.min(CHUNK, to - start) }, (_, index) => `history-${start + index}`);
		await ledger.register(ids.map((jobId) => ({ provider: PROVIDER, account: ACCOUNT, jobId })));
		await ledger.recordChecks(ids.map((jobId) => ({ provider: PROVIDER, account: ACCOUNT, jobId, state: 'finished' as const, status: 'success' })));
		await ledger.recordDeliveries(CONSUMER, ids.map((jobId) => ({ provider: PROVIDER, account: ACCOUNT, jobId, state: 'finished' as const })));
	}
}

async function measure(backend: string, ledger: Ledger, sizes: number[], runs: number, size: () => Promise<number>): Promise<Row[]> {
	const rows: Row[] = [];
	// The trigger node exists before the history does (its pending set is kept up from then on).
	await ledger.undelivered({ provider: PROVIDER, account: ACCOUNT, consumer: CONSUMER, limit: 50 });
	let have = 0;
	for (const jobs of sizes) {
		const started = performance.now();
		await grow(ledger, have, jobs);
		have = jobs;
		// What the trigger does every 10 minutes (nothing is old enough to go; PostgreSQL also refreshes its statistics).
		await ledger.prune({ olderThanMs: 30 * 86_400_000, batchSize: 500 });
		process.stderr.write(`${backend}: ${jobs} jobs recorded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
		let fresh = 0;
		const registerMs = await timed(runs, async () => {
			await ledger.register([{ provider: PROVIDER, account: ACCOUNT, jobId: `new-${jobs}-${fresh++}` }]);
		});
		const undeliveredMs = await timed(runs, async () => {
			const found = await ledger.undelivered({ provider: PROVIDER, account: ACCOUNT, consumer: CONSUMER, limit: 50 });
			if (found.length !== fresh) throw new Error(`expected ${fresh} undelivered jobs, got ${found.length}`);
		});
		// Deliver the measured new jobs, so that the next size again has all but the newest delivered.
		const news = Array.from({ length: fresh }, (_, index) => `new-${jobs}-${index}`);
		await ledger.recordDeliveries(CONSUMER, news.map((jobId) => ({ provider: PROVIDER, account: ACCOUNT, jobId, state: 'finished' as const })));
		rows.push({ backend, jobs, registerMs, undeliveredMs, bytes: await size() });
	}
	return rows;
}

function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
	registerSourceHooks();
	const { openLedger, closeLedgers } = await import('../nodes/shared/ledger/index.ts');
	const sizes = option('sizes', '10000,100000,1000000').split(',').map(Number);
	const runs = Number(option('runs', '25'));
	const rows: Row[] = [];
	const folder = mkdtempSync(path.join(tmpdir(), 'ledger-scale-'));
	const cluster = await startPostgres();
	try {
		const file = path.join(folder, 'ledger.sqlite');
		const sqlite = await openLedger(file);
		const fileSize = async () => [file, `${file}-wal`].filter(existsSync).reduce((sum, part) => sum + statSync(part).size, 0);
		rows.push(...(await measure('SQLite', sqlite, sizes, runs, fileSize)));

		const url = await cluster.createDatabase('ledger_scale');
		const postgres = await openLedger(url);
		const { Client } = (await import('pg')).default;
		const tableSize = async () => {
			const client = new Client({ connectionString: url });
			await client.connect();
			try {
				const { rows: sizeRows } = await client.query(
					`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
					 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'visual_ai_ledger' AND c.relkind = 'r'`,
				);
				return Number(sizeRows[0].bytes);
			} finally {
				await client.end();
			}
		};
		rows.push(...(await measure('PostgreSQL', postgres, sizes, runs, tableSize)));
	} finally {
		await closeLedgers();
		await cluster.stop();
		rmSync(folder, { recursive: true, force: true });
	}
	const lines = [
		'| backend | jobs (all but the newest delivered) | register 1 job | undelivered() for one trigger node | ledger size |',
		'|---|---:|---:|---:|---:|',
		...rows.map((row) => `| ${row.backend} | ${row.jobs.toLocaleString('en-US')} | ${row.registerMs.toFixed(2)} ms | ${row.undeliveredMs.toFixed(2)} ms | ${mib(row.bytes)} |`),
	];
	process.stdout.write(`\n${lines.join('\n')}\n\nMedian of ${runs} runs; target: undelivered() ≤ 20 ms at 1,000,000 jobs.\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
