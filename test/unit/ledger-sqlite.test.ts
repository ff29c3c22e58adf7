import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { accountId, closeLedgers, ledgerLocation, openLedger } from '../../nodes/shared/ledger';
import type { Delivery, PollStart } from '../../nodes/shared/ledger';
import { MIGRATIONS } from '../../nodes/shared/ledger/sqlite';

const folder = mkdtempSync(path.join(tmpdir(), 'ledger-unit-'));
const file = path.join(folder, 'ledger.sqlite');

afterAll(async () => {
	await closeLedgers();
});

test('the account id hides the key and ignores a trailing slash or case in the base URL', () => {
	const id = accountId('https://api.eyequant.com/v2/', 'eq-secret-key');
	expect(id).toBe(accountId('https://API.eyequant.com/v2', 'eq-secret-key'));
	expect(id).not.toContain('eq-secret-key');
	expect(id).toMatch(/^[0-9a-f]{32}$/);
	expect(accountId('https://api.eyequant.com/v2', 'another-key')).not.toBe(id);
});

test('the ledger lives where N8N_VISUAL_AI_LEDGER says, else in the n8n user folder', () => {
	expect(ledgerLocation({ N8N_VISUAL_AI_LEDGER: '/data/ledger.db' })).toBe('/data/ledger.db');
	expect(ledgerLocation({ N8N_USER_FOLDER: '/srv/n8n' })).toBe('/srv/n8n/.n8n/visual-ai-ledger.sqlite');
	// n8n on SQLite (its default) keeps the file ledger.
	expect(ledgerLocation({ DB_TYPE: 'sqlite', N8N_USER_FOLDER: '/srv/n8n' })).toBe('/srv/n8n/.n8n/visual-ai-ledger.sqlite');
});

test('a reopened ledger keeps every row (schema migrated once)', async () => {
	const first = await openLedger(file);
	await first.register([{ provider: 'eyeQuant', account: 'acc-1', jobId: 'shot-1' }]);
	await first.recordChecks([{ provider: 'eyeQuant', account: 'acc-1', jobId: 'shot-1', state: 'finished' }]);
	await closeLedgers();
	const ledger = await openLedger(file);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-1')).toMatchObject({ state: 'finished' });
});

test('a ledger whose schema is newer than this code is refused, never downgraded', async () => {
	const newer = path.join(folder, 'newer.sqlite');
	const db = new DatabaseSync(newer);
	db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
	db.close();
	await expect(openLedger(newer)).rejects.toThrow(/schema is version \d+ and this version of the pack knows up to \d+; it never downgrades/);
	const check = new DatabaseSync(newer, { readOnly: true });
	expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length + 1 });
	check.close();
});

test('a ledger made by the first schema is migrated on open, its rows and deliveries kept', async () => {
	const old = path.join(folder, 'v1.sqlite');
	const db = new DatabaseSync(old);
	db.exec(MIGRATIONS[0]);
	db.exec('PRAGMA user_version = 1');
	db.exec(`INSERT INTO jobs (provider, account, job_id, submitted_at, registered_at) VALUES ('pique', 'acc', 'j1', 1, 1), ('pique', 'acc', 'j2', 1, 1)`);
	db.exec(`INSERT INTO deliveries (consumer, provider, account, job_id, state, delivered_at) VALUES ('wf:n', 'pique', 'acc', 'j1', 'finished', 2)`);
	db.close();
	const ledger = await openLedger(old);
	expect((await ledger.undelivered({ provider: 'pique', account: 'acc', consumer: 'wf:n', limit: 10 })).map((row) => row.jobId)).toEqual(['j2']);
	expect(await ledger.beginPoll('wf:n', { leaseMs: 1000, settleMs: 1000 })).toMatchObject({ kind: 'ready', confirmed: 0, redelivered: 0 });
	const check = new DatabaseSync(old, { readOnly: true });
	expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
	check.close();
});

test('a consumer recorded before the ledger kept first polls counts as polling since ever', async () => {
	const old = path.join(folder, 'v2.sqlite');
	const db = new DatabaseSync(old);
	db.exec(MIGRATIONS[0]);
	db.exec(MIGRATIONS[1]);
	db.exec('PRAGMA user_version = 2');
	db.exec(`INSERT INTO consumers (consumer) VALUES ('wf:old')`);
	db.close();
	const ledger = await openLedger(old);
	expect(await ledger.beginPoll('wf:old', { leaseMs: 1000, settleMs: 1000 })).toMatchObject({ kind: 'ready', firstPollAt: 0 });
	expect(await ledger.beginPoll('wf:new', { leaseMs: 1000, settleMs: 1000, now: 5_000 })).toMatchObject({ kind: 'ready', firstPollAt: 5_000 });
});

test('a ledger file n8n cannot write says where it is and what to do', async () => {
	const blocker = path.join(folder, 'not-a-folder');
	writeFileSync(blocker, 'a file where the ledger wants a folder');
	const error = await openLedger(path.join(blocker, 'ledger.sqlite')).then(
		() => undefined,
		(reason: Error) => reason,
	);
	expect(error?.message).toMatch(/^The Visual AI job ledger could not open .*not-a-folder\/ledger\.sqlite: .*N8N_VISUAL_AI_LEDGER/);
});

test('on a Node.js without node:sqlite the nodes still load, and the ledger says which Node.js it needs', async () => {
	await jest.isolateModulesAsync(async () => {
		jest.doMock('node:sqlite', () => {
			throw Object.assign(new Error('No such built-in module: node:sqlite'), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
		});
		const { VisualAiTrigger } = await import('../../nodes/VisualAiTrigger/VisualAiTrigger.node');
		expect(new VisualAiTrigger().description.name).toBe('visualAiTrigger');
		const ledger = await import('../../nodes/shared/ledger');
		const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;
		await expect(ledger.registerJobs({ logger }, 'eyeQuant', 'acc', [{ jobId: 'x' }])).rejects.toThrow(
			/^The Visual AI job ledger needs the SQLite module built into Node\.js 22\.13 and later \(node:sqlite\), and this n8n runs on Node\.js v\d+/,
		);
	});
	jest.dontMock('node:sqlite');
});

const settings = { leaseMs: 60_000, settleMs: 60_000 };
const ready = (start: PollStart): string => {
	if (start.kind !== 'ready') throw new Error(`expected the poll to start, got ${JSON.stringify(start)}`);
	return start.lease;
};

test('the lease and the batch of a process that died are taken over at once', async () => {
	const who = 'wf:dead-process';
	const ledger = await openLedger(path.join(folder, 'owners.sqlite'));
	const a = 'dead-1';
	await ledger.register([{ provider: 'pique', account: 'acc', jobId: a }]);
	const delivery = (jobId: string): Delivery => ({ provider: 'pique', account: 'acc', jobId, state: 'finished' });
	await ledger.stageBatch(who, ready(await ledger.beginPoll(who, settings)), { handOff: [delivery(a)], final: [] });
	ready(await ledger.beginPoll(`${who}-x`, settings));
	// Make the batch and the other lease belong to a process of this host that has exited.
	const dead = spawnSync(process.execPath, ['-e', '0']).pid;
	const db = new DatabaseSync(ledger.location);
	db.prepare('UPDATE consumers SET batch_owner = ? WHERE consumer = ?').run(`${hostname()}/${dead}/gone`, who);
	db.prepare('UPDATE consumers SET lease_owner = ? WHERE consumer = ?').run(`${hostname()}/${dead}/gone`, `${who}-x`);
	db.close();
	expect(await ledger.beginPoll(who, settings)).toMatchObject({ kind: 'ready', redelivered: 1 });
	expect(await ledger.beginPoll(`${who}-x`, settings)).toMatchObject({ kind: 'ready' });
	// The same pid as this process but an earlier incarnation (a restarted container) is gone too.
	const again = new DatabaseSync(ledger.location);
	again.prepare('UPDATE consumers SET lease_owner = ? WHERE consumer = ?').run(`${hostname()}/${process.pid}/earlier`, `${who}-x`);
	again.prepare('UPDATE consumers SET lease_owner = ? WHERE consumer = ?').run(`another-host/${dead}/x`, who);
	again.close();
	expect(await ledger.beginPoll(`${who}-x`, settings)).toMatchObject({ kind: 'ready' });
	// A process on another host is never declared dead: its lease runs out by time.
	expect(await ledger.beginPoll(who, settings)).toMatchObject({ kind: 'busy' });
});


test('queue mode with a local ledger file: the first use logs one warning naming the file and what to set; PostgreSQL: none', async () => {
	const before = process.env.EXECUTIONS_MODE;
	process.env.EXECUTIONS_MODE = 'queue';
	try {
		const warnings: string[] = [];
		const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} } as never;
		const local = path.join(folder, 'queue-mode.sqlite');
		await jest.isolateModulesAsync(async () => {
			const ledger = await import('../../nodes/shared/ledger');
			await ledger.openLedger(local, logger);
			await ledger.openLedger(local, logger);
			await ledger.closeLedgers();
		});
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`local file ${local}`);
		expect(warnings[0]).toMatch(/EXECUTIONS_MODE=queue.*DB_TYPE=postgresdb.*N8N_VISUAL_AI_LEDGER=postgres:\/\//);
		const { splitLedgerWarning, ledgerTarget } = await import('../../nodes/shared/ledger');
		expect(splitLedgerWarning(ledgerTarget({ N8N_VISUAL_AI_LEDGER: 'postgres://u@h/db' }))).toBeUndefined();
		expect(splitLedgerWarning(ledgerTarget({ N8N_VISUAL_AI_LEDGER: local }), { EXECUTIONS_MODE: 'regular' })).toBeUndefined();
	} finally {
		if (before === undefined) delete process.env.EXECUTIONS_MODE;
		else process.env.EXECUTIONS_MODE = before;
	}
});

test('a ledger file deleted under n8n: jobs still owed to a trigger node at that moment stay owed in the new file', async () => {
	const owed = path.join(folder, 'deleted-while-owed.sqlite');
	const ledger = await openLedger(owed);
	const job = (jobId: string) => ({ provider: 'pique' as const, account: 'acc-owed', jobId });
	const query = { provider: 'pique' as const, account: 'acc-owed', consumer: 'wf:owed', limit: 10 };
	await ledger.register([job('before-1'), job('before-2')]);
	expect((await ledger.undelivered(query)).map((row) => row.jobId)).toEqual(['before-1', 'before-2']);
	const warning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
	try {
		for (const suffix of ['', '-wal', '-shm']) rmSync(`${owed}${suffix}`, { force: true });
		await ledger.register([job('after-1')]);
		expect(warning).toHaveBeenCalled();
	} finally {
		warning.mockRestore();
	}
	expect((await ledger.undelivered(query)).map((row) => row.jobId).sort()).toEqual(['after-1', 'before-1', 'before-2']);
});

test('a ledger file deleted under n8n while executions wait: their waits and limits carry over to the new file', async () => {
	const waiting = path.join(folder, 'deleted-while-waiting.sqlite');
	const ledger = await openLedger(waiting);
	const waiter = { executionId: 'exec-waiting', nodeId: 'node-w', provider: 'pique' as const, account: 'acc-w' };
	const limit = { deadline: Date.now() + 60_000, resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/exec-waiting?signature=t', onLimit: 'error' as const };
	await ledger.recordWait(waiter, [{ outputIndex: 0, itemIndex: 0, jobId: 'job-w' }], limit);
	const warning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
	try {
		for (const suffix of ['', '-wal', '-shm']) rmSync(`${waiting}${suffix}`, { force: true });
		// The next operation (e.g. the wait-limit sweeper's claim, every 15 s) opens the file now at the path.
		expect(await ledger.claimDueWaitLimits({ retryAfterMs: 60_000, max: 20 })).toEqual([]);
		expect(warning).toHaveBeenCalled();
	} finally {
		warning.mockRestore();
	}
	expect(await ledger.waitLimit('exec-waiting', 'node-w')).toEqual(limit);
	expect((await ledger.waitingJobs('exec-waiting', 'node-w')).map((job) => job.jobId)).toEqual(['job-w']);
});
