/**
 * The ledger with several processes on one host (n8n main + workers): 4 processes register 5,000
 * jobs each at the same time, one transaction per call, plus 100 ids all of them register.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { freshLedgerLocation, ledgerSql, testBackend } from '../helpers/ledger-backend';

const ROOT = path.resolve(__dirname, '../..');
const PROCESSES = 4;
const EACH = 5_000;
const SHARED = 100;

interface WorkerReport {
	name: string;
	registered: number;
	/** How many of its registrations the ledger reported as new. */
	added: number;
	errors: string[];
	ms: number;
}

function startWorker(name: string, ledger: string) {
	const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', 'test/ledger-workers/register.ts', name, String(EACH), String(SHARED)], {
		cwd: ROOT,
		env: { ...process.env, N8N_VISUAL_AI_LEDGER: ledger },
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const ready = new Promise<void>((resolve, reject) => {
		const check = () => (stdout.includes('READY\n') ? resolve() : undefined);
		child.stdout.on('data', check);
		child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before starting: ${stderr}`)));
	});
	const done = new Promise<{ code: number | null; report?: WorkerReport; stderr: string }>((resolve) => {
		child.once('exit', (code) => {
			const line = stdout.split('\n').find((entry) => entry.startsWith('{'));
			resolve({ code, report: line ? (JSON.parse(line) as WorkerReport) : undefined, stderr });
		});
	});
	return { child, ready, done };
}

test(`4 processes × 5,000 registrations at once (${testBackend()}): exactly the registered ids stored, each counted new once, no busy error surfacing`, async () => {
	const ledger = await freshLedgerLocation();
	const workers = Array.from({ length: PROCESSES }, (_, index) => startWorker(`p${index}`, ledger));
	await Promise.all(workers.map((worker) => worker.ready));
	for (const worker of workers) worker.child.stdin.end('go\n');
	const results = await Promise.all(workers.map((worker) => worker.done));

	for (const result of results) {
		expect(result.stderr).not.toMatch(/SQLITE_BUSY|database is locked|could not use PostgreSQL/i);
		expect(result.code).toBe(0);
		expect(result.report).toMatchObject({ registered: EACH, errors: [] });
	}
	// Exactly the ids that were registered, each once (the primary key forbids twins; a lost or a
	// stray row shows here), and each new one reported as new by exactly one process: a shared id
	// counted by two processes, or a registration reported new that never landed, breaks the sum.
	const expected = [
		...Array.from({ length: PROCESSES }, (_, process) => Array.from({ length: EACH }, (_, index) => `p${process}-${index}`)).flat(),
		...Array.from({ length: SHARED }, (_, index) => `shared-${index}`),
	].sort();
	const stored = (await ledgerSql<{ job_id: string }>(ledger, 'SELECT job_id FROM jobs')).map((row) => row.job_id);
	expect(stored.sort()).toEqual(expected);
	expect(await ledgerSql(ledger, 'SELECT COUNT(*) AS n FROM jobs WHERE registered_at IS NULL OR submitted_at IS NULL OR state <> ?', 'pending')).toEqual([{ n: 0 }]);
	expect(results.reduce((sum, result) => sum + (result.report?.added ?? 0), 0)).toBe(expected.length);
}, 120_000);
