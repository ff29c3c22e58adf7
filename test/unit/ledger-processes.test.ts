/**
 * The ledger with several processes on one host (n8n main + workers): 4 processes register 5,000
 * jobs each at the same time, one transaction per call, plus 100 ids all of them register.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const ROOT = path.resolve(__dirname, '../..');
const PROCESSES = 4;
const EACH = 5_000;
const SHARED = 100;

interface WorkerReport {
	name: string;
	registered: number;
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

test('4 processes × 5,000 registrations at once: all 20,000 recorded, no duplicates, no SQLITE_BUSY surfacing', async () => {
	const ledger = path.join(mkdtempSync(path.join(tmpdir(), 'ledger-processes-')), 'ledger.sqlite');
	const workers = Array.from({ length: PROCESSES }, (_, index) => startWorker(`p${index}`, ledger));
	await Promise.all(workers.map((worker) => worker.ready));
	for (const worker of workers) worker.child.stdin.end('go\n');
	const results = await Promise.all(workers.map((worker) => worker.done));

	for (const result of results) {
		expect(result.stderr).not.toMatch(/SQLITE_BUSY|database is locked/i);
		expect(result.code).toBe(0);
		expect(result.report).toMatchObject({ registered: EACH, errors: [] });
	}
	const db = new DatabaseSync(ledger, { readOnly: true });
	try {
		const total = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT job_id) AS distinct_ids FROM jobs').get();
		expect(total).toEqual({ n: PROCESSES * EACH + SHARED, distinct_ids: PROCESSES * EACH + SHARED });
		for (let index = 0; index < PROCESSES; index++) {
			expect(db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE job_id LIKE 'p${index}-%'`).get()).toEqual({ n: EACH });
		}
		expect(db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE job_id LIKE 'shared-%'`).get()).toEqual({ n: SHARED });
	} finally {
		db.close();
	}
}, 120_000);
