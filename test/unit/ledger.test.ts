/**
 * The JobLedger contract, on this run's backend: SQLite (jest project `sqlite`) or PostgreSQL
 * (project `postgres`, a database in the cluster jest's globalSetup started).
 */
import { closeLedgers, openLedger } from '../../nodes/shared/ledger';
import type { Delivery, JobLedger, PollStart } from '../../nodes/shared/ledger';
import { freshLedgerLocation, ledgerSql, testBackend } from '../helpers/ledger-backend';

afterAll(async () => {
	await closeLedgers();
});

test(`the ledger under test is ${testBackend()}`, async () => {
	const ledger = await openLedger(await freshLedgerLocation());
	expect(ledger.location).toMatch(testBackend() === 'postgres' ? /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/ledger_\w+ \(schema visual_ai_ledger\)$/ : /\.sqlite$/);
});

test('registering twice is harmless and each consumer sees a job until it was delivered to it', async () => {
	const ledger = await openLedger(await freshLedgerLocation());
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
		ledger = await openLedger(await freshLedgerLocation());
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

describe('poll cost and history', () => {
	let ledger: JobLedger;
	let location: string;
	const job = (jobId: string, account = 'acc-h') => ({ provider: 'eyeQuant' as const, account, jobId });
	const ids = async (consumer: string, account = 'acc-h', registeredSince?: number) =>
		(await ledger.undelivered({ provider: 'eyeQuant', account, consumer, limit: 100, registeredSince })).map((row) => row.jobId).sort();

	beforeAll(async () => {
		location = await freshLedgerLocation();
		ledger = await openLedger(location);
	});

	test('a poll reads only the consumer’s pending set, which registrations and deliveries keep exact', async () => {
		await ledger.register([job('h1'), job('h2')]);
		expect(await ids('wf:h')).toEqual(['h1', 'h2']);
		// Jobs registered after the consumer first asked join its pending set.
		await ledger.register([job('h3')]);
		await ledger.recordDeliveries('wf:h', [{ ...job('h1'), state: 'finished' }]);
		expect(await ids('wf:h')).toEqual(['h2', 'h3']);
		const rows = await ledgerSql<{ job_id: string }>(location, 'SELECT job_id FROM pending WHERE consumer = ? ORDER BY job_id', 'wf:h');
		expect(rows.map((row) => row.job_id)).toEqual(['h2', 'h3']);
		// A staged batch that is lost puts its jobs back.
		const start = await ledger.beginPoll('wf:h', { leaseMs: 60_000, settleMs: 60_000 });
		if (start.kind !== 'ready') throw new Error('expected ready');
		await ledger.stageBatch('wf:h', start.lease, { handOff: [{ ...job('h2'), state: 'finished' }], final: [] });
		expect(await ids('wf:h')).toEqual(['h3']);
		expect(await ledger.beginPoll('wf:h', { leaseMs: 60_000, settleMs: 0 })).toMatchObject({ kind: 'ready', redelivered: 1 });
		expect(await ids('wf:h')).toEqual(['h2', 'h3']);
	});

	test('a consumer switched to another account (credential changed) sees that account’s jobs, not the old set', async () => {
		await ledger.register([job('other-1', 'acc-other')]);
		expect(await ids('wf:h', 'acc-other')).toEqual(['other-1']);
		expect(await ids('wf:h')).toEqual(['h2', 'h3']);
	});

	test('old finished jobs delivered to every consumer are pruned in batches; pending, owed or recent ones stay', async () => {
		const account = 'acc-prune';
		const old = Array.from({ length: 7 }, (_, index) => job(`old-${index}`, account));
		await ledger.register([...old, job('owed', account), job('unfinished', account), job('recent', account)]);
		expect(await ids('wf:p1', account)).toHaveLength(10);
		expect(await ids('wf:p2', account)).toHaveLength(10);
		const day = 86_400_000;
		const longAgo = Date.now() - 40 * day;
		await ledger.recordChecks([...old, job('owed', account)].map((one) => ({ ...one, state: 'finished' as const, finishedAt: longAgo })));
		await ledger.recordChecks([{ ...job('recent', account), state: 'finished' }]);
		const delivered = [...old, job('recent', account)].map((one) => ({ ...one, state: 'finished' as const }));
		await ledger.recordDeliveries('wf:p1', [...delivered, { ...job('owed', account), state: 'finished' }]);
		// wf:p2 is still owed `owed`.
		await ledger.recordDeliveries('wf:p2', delivered);
		expect(await ledger.prune({ olderThanMs: 30 * day, batchSize: 3, maxBatches: 1 })).toBe(3);
		expect(await ledger.prune({ olderThanMs: 30 * day, batchSize: 3, maxBatches: 10 })).toBe(4);
		expect(await ledger.prune({ olderThanMs: 30 * day, batchSize: 3, maxBatches: 10 })).toBe(0);
		const left = await ledgerSql<{ job_id: string }>(location, 'SELECT job_id FROM jobs WHERE account = ? ORDER BY job_id', account);
		expect(left.map((row) => row.job_id)).toEqual(['owed', 'recent', 'unfinished']);
		const orphans = await ledgerSql(location, "SELECT job_id FROM deliveries WHERE account = ? AND job_id LIKE 'old-%'", account);
		expect(orphans).toEqual([]);
		expect(await ids('wf:p2', account)).toEqual(['owed', 'unfinished']);
	});

	test('Re-emit takes deliveries back by id or by time, for one consumer only', async () => {
		const account = 'acc-reemit';
		await ledger.register([job('r1', account), job('r2', account), job('r3', account)]);
		expect(await ids('wf:r', account)).toHaveLength(3);
		await ledger.recordDeliveries('wf:r', [job('r1', account), job('r2', account)].map((one) => ({ ...one, state: 'finished' as const })), 1_000);
		await ledger.recordDeliveries('wf:r', [{ ...job('r3', account), state: 'finished' }], 5_000);
		await ledger.recordDeliveries('wf:other', [{ ...job('r1', account), state: 'finished' }], 1_000);
		expect(await ids('wf:r', account)).toEqual([]);
		expect(await ledger.reemit({ consumer: 'wf:r', provider: 'eyeQuant', account, jobIds: ['r2', 'unknown'] })).toEqual(['r2']);
		expect(await ids('wf:r', account)).toEqual(['r2']);
		expect(await ledger.reemit({ consumer: 'wf:r', provider: 'eyeQuant', account, deliveredSince: 2_000 })).toEqual(['r3']);
		expect(await ids('wf:r', account)).toEqual(['r2', 'r3']);
		expect(await ledger.reemit({ consumer: 'wf:r', provider: 'eyeQuant', account, deliveredSince: 0 })).toEqual(['r1']);
		expect(await ids('wf:other', account)).toEqual(['r2', 'r3']);
		expect((await ledger.consumers()).map((known) => known.consumer)).toEqual(expect.arrayContaining(['wf:r', 'wf:other', 'wf:h']));
	});
});

describe('waits and their limits (Wait mode "Until … Calls Back")', () => {
	const waiter = (executionId: string) => ({ executionId, nodeId: 'node-w', provider: 'pique' as const, account: 'acc-w' });
	const limit = (deadline: number) => ({ deadline, resumeUrl: `http://127.0.0.1:5678/webhook-waiting/x?signature=t-${deadline}`, onLimit: 'pending' as const });

	test('a due limit is claimed by one sweep at a time, again after retryAfterMs, and is gone once the wait ends', async () => {
		const ledger = await openLedger(await freshLedgerLocation());
		await ledger.recordWait(waiter('e-due'), [{ outputIndex: 0, itemIndex: 0, jobId: 'j1' }, { outputIndex: 1, itemIndex: 0, jobId: 'j2' }], limit(1_000), 500);
		await ledger.recordWait(waiter('e-later'), [{ outputIndex: 0, itemIndex: 0, jobId: 'j3' }], { ...limit(9_000), onLimit: 'error' }, 500);
		expect(await ledger.waitLimit('e-later', 'node-w')).toEqual({ ...limit(9_000), onLimit: 'error' });

		expect(await ledger.claimDueWaitLimits({ retryAfterMs: 60_000, max: 10, now: 999 })).toEqual([]);
		const [claims, rivals] = await Promise.all([
			ledger.claimDueWaitLimits({ retryAfterMs: 60_000, max: 10, now: 2_000 }),
			ledger.claimDueWaitLimits({ retryAfterMs: 60_000, max: 10, now: 2_000 }),
		]);
		expect([...claims, ...rivals]).toEqual([{ executionId: 'e-due', nodeId: 'node-w', ...limit(1_000) }]);
		const claimed = async (now: number) => (await ledger.claimDueWaitLimits({ retryAfterMs: 60_000, max: 10, now })).map((due) => due.executionId);
		expect(await claimed(30_000)).toEqual(['e-later']);
		expect(await claimed(61_999)).toEqual([]);
		expect(await claimed(62_000)).toEqual(['e-due']);

		await ledger.endWait('e-due', 'node-w');
		expect(await ledger.waitLimit('e-due', 'node-w')).toBeUndefined();
		expect(await ledger.waitingJobs('e-due', 'node-w')).toEqual([]);
		expect((await ledger.waitingJobs('e-later', 'node-w')).map((job) => job.jobId)).toEqual(['j3']);
		expect(await ledger.claimDueWaitLimits({ retryAfterMs: 0, max: 10, now: 200_000 })).toEqual([expect.objectContaining({ executionId: 'e-later' })]);
	});

	test('retention prunes waits recorded before its window (executions long resumed or gone)', async () => {
		const ledger = await openLedger(await freshLedgerLocation());
		const day = 86_400_000;
		await ledger.recordWait(waiter('e-old'), [{ outputIndex: 0, itemIndex: 0, jobId: 'old' }], limit(1_000), Date.now() - 40 * day);
		await ledger.recordWait(waiter('e-new'), [{ outputIndex: 0, itemIndex: 0, jobId: 'new' }], limit(Date.now() + day));
		await ledger.prune({ olderThanMs: 30 * day, batchSize: 10 });
		expect(await ledger.waitingJobs('e-old', 'node-w')).toEqual([]);
		expect(await ledger.waitLimit('e-old', 'node-w')).toBeUndefined();
		expect((await ledger.waitingJobs('e-new', 'node-w')).map((job) => job.jobId)).toEqual(['new']);
	});

	test('retention never prunes a wait whose limit has not passed, however long ago it was recorded (a limit longer than the retention window)', async () => {
		const ledger = await openLedger(await freshLedgerLocation());
		const day = 86_400_000;
		// N8N_VISUAL_AI_LEDGER_RETENTION_DAYS=1 and "Limit Wait Time" of 3 days: recorded 2 days ago, the limit is a day away.
		const deadline = Date.now() + day;
		await ledger.recordWait(waiter('e-long'), [{ outputIndex: 0, itemIndex: 0, jobId: 'long' }], limit(deadline), Date.now() - 2 * day);
		await ledger.prune({ olderThanMs: day, batchSize: 10 });
		expect(await ledger.waitLimit('e-long', 'node-w')).toEqual(limit(deadline));
		expect((await ledger.waitingJobs('e-long', 'node-w')).map((job) => job.jobId)).toEqual(['long']);
		// A wait recorded by a version without limits (no wait_limits row) still goes by its age.
		const location = await freshLedgerLocation();
		const older = await openLedger(location);
		await older.recordWait(waiter('e-v5'), [{ outputIndex: 0, itemIndex: 0, jobId: 'v5' }], limit(deadline), Date.now() - 2 * day);
		await ledgerSql(location, "DELETE FROM wait_limits WHERE execution_id = 'e-v5'");
		await older.prune({ olderThanMs: day, batchSize: 10 });
		expect(await older.waitingJobs('e-v5', 'node-w')).toEqual([]);
	});
});
