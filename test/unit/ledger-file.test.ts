/**
 * The SQLite ledger's file under an unlucky operator: deleted, replaced, or on a full disk.
 * Nothing may vanish silently, and every error names the file.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

import { closeLedgers, openLedger } from '../../nodes/shared/ledger';
import type { JobLedger } from '../../nodes/shared/ledger';

const folder = mkdtempSync(path.join(tmpdir(), 'ledger-file-'));
const warnings: string[] = [];

beforeAll(() => {
	jest.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
		warnings.push(typeof warning === 'string' ? warning : warning.message);
	});
});
afterEach(async () => {
	await closeLedgers();
	warnings.length = 0;
});
afterAll(() => {
	jest.restoreAllMocks();
	rmSync(folder, { recursive: true, force: true });
});

const job = (jobId: string) => ({ provider: 'pique' as const, account: 'acc', jobId });
const ids = async (ledger: JobLedger, consumer = 'wf:n') =>
	(await ledger.undelivered({ provider: 'pique', account: 'acc', consumer, limit: 100 })).map((row) => row.jobId).sort();

/** The connection a ledger holds (to put SQLite's own page limit on it, as a full disk would). */
const connectionOf = (ledger: JobLedger) => (ledger as unknown as { db: DatabaseSync }).db;

test('a file replaced under the ledger (a restored backup): the new file is used and this process\'s rows are carried over', async () => {
	const file = path.join(folder, 'replaced.sqlite');
	const other = path.join(folder, 'backup.sqlite');
	const backup = await openLedger(other);
	await backup.register([job('from-backup')]);
	await closeLedgers();

	const ledger = await openLedger(file);
	await ledger.register([job('a'), job('b')]);
	await ledger.recordDeliveries('wf:n', [{ ...job('a'), state: 'finished' }]);
	for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
	renameSync(other, file);

	expect(await ids(ledger)).toEqual(['b', 'from-backup']);
	expect(warnings).toEqual([expect.stringContaining(`The Visual AI job ledger ${file} was deleted or replaced`)]);
	await closeLedgers();
	expect(await ids(await openLedger(file))).toEqual(['b', 'from-backup']);
});

test('a path that can no longer be opened fails every call loudly, naming the file', async () => {
	const file = path.join(folder, 'blocked.sqlite');
	const ledger = await openLedger(file);
	await ledger.register([job('a')]);
	for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
	mkdirSync(file);
	await expect(ledger.register([job('b')])).rejects.toThrow(
		`The Visual AI job ledger ${file} could not be used: the file was deleted or replaced while in use, and reopening it failed`,
	);
	await expect(ids(ledger)).rejects.toThrow(file);
});

test("a full disk: the poll's error names the ledger file and what to do", async () => {
	const file = path.join(folder, 'full.sqlite');
	const ledger = await openLedger(file);
	const db = connectionOf(ledger);
	const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
	db.exec(`PRAGMA max_page_count = ${pages}`);
	const many = Array.from({ length: 2_000 }, (_, index) => job(`job-${index}-${'x'.repeat(40)}`));
	const registering = ledger.register(many);
	await expect(registering).rejects.toThrow(`The Visual AI job ledger ${file} could not be used: database or disk is full.`);
	// A poll records what it delivered: the same full disk, the same words.
	const delivered = many.map((entry) => ({ ...entry, state: 'finished' as const }));
	await expect(ledger.recordDeliveries('wf:poller', delivered)).rejects.toThrow(
		/^The Visual AI job ledger \S+full\.sqlite could not be used: database or disk is full\. The disk holding it is full: free space there, or set N8N_VISUAL_AI_LEDGER/,
	);
});
