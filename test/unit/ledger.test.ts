import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { accountId, closeLedgers, ledgerLocation, openLedger } from '../../nodes/shared/ledger';
import type { Delivery, JobLedger, PollStart } from '../../nodes/shared/ledger';
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
});

test('registering twice is harmless and each consumer sees a job until it was delivered to it', async () => {
	const ledger = await openLedger(file);
	const job = { provider: 'eyeQuant' as const, account: 'acc-1', jobId: 'shot-1' };
	expect(await ledger.register([job, { ...job, jobId: 'shot-2' }])).toBe(2);
	expect(await ledger.register([job])).toBe(0);
	const query = { provider: 'eyeQuant' as const, account: 'acc-1', limit: 10 };
	expect((await ledger.undelivered({ ...query, consumer: 'wf1:a' })).map((row) => row.jobId)).toEqual(['shot-1', 'shot-2']);
	expect(await ledger.undelivered({ ...query, account: 'acc-2', consumer: 'wf1:a' })).toEqual([]);

	await ledger.recordChecks([{ ...job, state: 'finished', status: 'success', finishedAt: 1234 }]);
	await ledger.recordDeliveries('wf1:a', [{ ...job, state: 'finished' }]);
	expect((await ledger.undelivered({ ...query, consumer: 'wf1:a' })).map((row) => row.jobId)).toEqual(['shot-2']);
	// Finished first (EyeQuant results die an hour later), then least recently checked.
	expect((await ledger.undelivered({ ...query, consumer: 'wf2:b' })).map((row) => row.jobId)).toEqual(['shot-1', 'shot-2']);
	await ledger.recordChecks([{ ...job, jobId: 'shot-2', state: 'pending', status: 'pending' }]);
	await ledger.register([{ ...job, jobId: 'shot-3' }]);
	expect((await ledger.undelivered({ ...query, consumer: 'wf2:b' })).map((row) => row.jobId)).toEqual(['shot-1', 'shot-3', 'shot-2']);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-1')).toMatchObject({ state: 'finished', lastStatus: 'success', finishedAt: 1234, checks: 1 });
	expect((await ledger.newest({ provider: 'eyeQuant', account: 'acc-1', limit: 2 })).map((row) => row.jobId)).toEqual(['shot-1', 'shot-3']);
});

test('a reopened ledger keeps every row (schema migrated once)', async () => {
	await closeLedgers();
	const ledger = await openLedger(file);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-1')).toMatchObject({ state: 'finished' });
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

describe('two-phase delivery', () => {
	let ledger: JobLedger;
	let counter = 0;
	/** Each test has its own consumer and account. */
	const consumer = () => `wf:${expect.getState().currentTestName?.replace(/\W+/g, '-')}`;
	const account = () => `acc:${consumer()}`;
	const delivery = (jobId: string, state: Delivery['state'] = 'finished'): Delivery => ({ provider: 'pique', account: account(), jobId, state });
	const undelivered = async (who: string) =>
		(await ledger.undelivered({ provider: 'pique', account: account(), consumer: who, limit: 100 })).map((row) => row.jobId);
	const ready = (start: PollStart): string => {
		if (start.kind !== 'ready') throw new Error(`expected the poll to start, got ${JSON.stringify(start)}`);
		return start.lease;
	};
	const jobs = async (count: number): Promise<string[]> => {
		const ids = Array.from({ length: count }, () => `job-${++counter}`);
		await ledger.register(ids.map((jobId) => ({ provider: 'pique', account: account(), jobId })));
		return ids;
	};
	const settings = { leaseMs: 60_000, settleMs: 60_000 };

	beforeAll(async () => {
		ledger = await openLedger(path.join(folder, '2pc.sqlite'));
	});

	test('a batch whose token the committed cursor carries is confirmed; skipped jobs are final at once', async () => {
		const who = consumer();
		const [a, b, c] = await jobs(3);
		const lease = ready(await ledger.beginPoll(who, settings));
		const staged = await ledger.stageBatch(who, lease, { handOff: [delivery(a), delivery(b)], final: [delivery(c, 'failed')] });
		expect(staged).toMatchObject({ batch: expect.any(String), seq: 1, alreadyDelivered: [] });
		expect(await undelivered(who)).toEqual([]);
		expect(await ledger.beginPoll(who, { ...settings, cursorBatch: staged!.batch })).toMatchObject({ kind: 'ready', confirmed: 2, redelivered: 0 });
	});

	test('a batch the cursor does not carry is left alone while n8n may still commit it, then redelivered', async () => {
		const who = consumer();
		const [a] = await jobs(1);
		const staged = await ledger.stageBatch(who, ready(await ledger.beginPoll(who, settings)), { handOff: [delivery(a)], final: [] });
		const start = await ledger.beginPoll(who, { ...settings, cursorBatch: 'an-older-batch' });
		expect(start).toEqual({ kind: 'unsettled', batch: staged!.batch, stagedAt: expect.any(Number) });
		expect(await undelivered(who)).toEqual([]);
		// Once the settle time has passed, n8n is taken to have dropped the hand-off.
		const later = await ledger.beginPoll(who, { ...settings, cursorBatch: 'an-older-batch', now: Date.now() + settings.settleMs });
		expect(later).toMatchObject({ kind: 'ready', confirmed: 0, redelivered: 1 });
		expect(await undelivered(who)).toEqual([a]);
	});

	test('a later cursor cannot confirm an earlier batch: tokens are exact, never "up to"', async () => {
		const who = consumer();
		const [a, b] = await jobs(2);
		const first = await ledger.stageBatch(who, ready(await ledger.beginPoll(who, settings)), { handOff: [delivery(a)], final: [] });
		// n8n dropped the first hand-off; once it is settled as lost, a is handed over again with b.
		const lease = ready(await ledger.beginPoll(who, { ...settings, now: Date.now() + settings.settleMs }));
		const second = await ledger.stageBatch(who, lease, { handOff: [delivery(a), delivery(b)], final: [] });
		expect(second!.seq).toBe(first!.seq + 1);
		// A cursor carrying the first (dropped) token confirms nothing.
		expect(await ledger.beginPoll(who, { ...settings, cursorBatch: first!.batch })).toMatchObject({ kind: 'unsettled' });
		expect(await ledger.beginPoll(who, { ...settings, cursorBatch: second!.batch })).toMatchObject({ kind: 'ready', confirmed: 2 });
	});

	test('a consumer’s first poll is remembered; later polls do not move it', async () => {
		const who = consumer();
		const first = await ledger.beginPoll(who, { ...settings, now: 1_000 });
		expect(first).toMatchObject({ kind: 'ready', firstPollAt: 1_000 });
		await ledger.endPoll(who, ready(first));
		expect(await ledger.beginPoll(who, { ...settings, now: 90_000 })).toMatchObject({ kind: 'ready', firstPollAt: 1_000 });
	});

	test('one poll per consumer: a second one is busy until the lease ends, other consumers are not affected', async () => {
		const who = consumer();
		const lease = ready(await ledger.beginPoll(who, settings));
		expect(await ledger.beginPoll(who, settings)).toMatchObject({ kind: 'busy' });
		expect(await ledger.beginPoll(`${who}-other-node`, settings)).toMatchObject({ kind: 'ready' });
		await ledger.endPoll(who, lease);
		expect(await ledger.beginPoll(who, settings)).toMatchObject({ kind: 'ready' });
	});

	test('a lease that ran out is taken over, and its holder can then stage nothing', async () => {
		const who = consumer();
		const [a] = await jobs(1);
		const stale = ready(await ledger.beginPoll(who, settings));
		const fresh = ready(await ledger.beginPoll(who, { ...settings, now: Date.now() + settings.leaseMs + 1 }));
		expect(await ledger.stageBatch(who, stale, { handOff: [delivery(a)], final: [delivery(a)] })).toBeUndefined();
		expect(await undelivered(who)).toEqual([a]);
		expect(await ledger.stageBatch(who, fresh, { handOff: [delivery(a)], final: [] })).toMatchObject({ seq: 1 });
	});

	test('the lease and the batch of a process that died are taken over at once', async () => {
		const who = consumer();
		const [a] = await jobs(1);
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

	test('a job already delivered is reported, not staged twice; an empty hand-off makes no batch', async () => {
		const who = consumer();
		const [a, b] = await jobs(2);
		await ledger.recordDeliveries(who, [delivery(a)]);
		const staged = await ledger.stageBatch(who, ready(await ledger.beginPoll(who, settings)), { handOff: [delivery(a), delivery(b)], final: [] });
		expect(staged?.alreadyDelivered).toEqual([a]);
		const empty = await ledger.stageBatch(who, ready(await ledger.beginPoll(who, { ...settings, cursorBatch: staged!.batch })), {
			handOff: [],
			final: [],
		});
		expect(empty).toEqual({ batch: '', seq: 0, alreadyDelivered: [] });
		expect(await ledger.beginPoll(who, settings)).toMatchObject({ kind: 'ready', confirmed: 0, redelivered: 0 });
	});
});
