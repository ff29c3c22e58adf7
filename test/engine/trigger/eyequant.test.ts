/**
 * Visual AI Trigger on EyeQuant, through the nodes: analyses submitted with EyeQuant → Analysis →
 * Create, emitted once per trigger node with their maps, over real HTTP to the sandbox.
 */

import { NEW_NODE_LOOKBACK_MS } from '../../../nodes/VisualAiTrigger/poll';
import { accountId, ledgerLocation, openLedger } from '../../../nodes/shared/ledger';
import { listLedgerTriggerNodes } from '../../../nodes/shared/reemit';
import { ledgerSql } from '../../helpers/ledger-backend';
import { runEyeQuant } from '../eyequant/helpers';
import { SANDBOX_KEYS } from '../../../sandbox/server';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { ALL_OUTPUTS, served } from '../eyequant/helpers';
import { TriggerNode, counts, currentLedger, deliveries, jsonClone, ledgerDump, pollOnce, pollTogether, submitAnalyses, useTempLedger } from './helpers';

useTempLedger();
const sandbox = useSandbox({ hourMs: 600_000, eyeQuantProcessingMs: 150 });

const MAPS = ['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap'] as const;

async function submitFailing(count: number): Promise<string[]> {
	return await submitAnalyses(sandbox.current, count, { ...ALL_OUTPUTS, title: '[fail] broken design' });
}

describe('Visual AI Trigger — EyeQuant', () => {
	let good: string[] = [];
	let bad: string[] = [];
	const strict = new TriggerNode(() => sandbox.current, { nodeId: 'strict' });
	const lenient = new TriggerNode(() => sandbox.current, { nodeId: 'lenient', options: { includeFailed: true, concurrency: 8 } });

	beforeAll(async () => {
		good = [...(await submitAnalyses(sandbox.current, 40)), ...(await submitAnalyses(sandbox.current, 5, ALL_OUTPUTS))];
		bad = await submitFailing(5);
	});

	it('two trigger nodes polling side by side each emit each of 50 analyses once, every map byte-identical to the sandbox’s; failed ones only with Include Failed', async () => {
		const all = [...good, ...bad];
		await pollTogether([strict, lenient], () => good.every((id) => strict.jobIds().includes(id)) && all.every((id) => lenient.jobIds().includes(id)));

		expect([...counts(strict.jobIds()).entries()].sort()).toEqual(good.map((id) => [id, 1]).sort());
		expect([...counts(lenient.jobIds()).entries()].sort()).toEqual(all.map((id) => [id, 1]).sort());

		for (const item of strict.emitted) {
			expect(item.json).toMatchObject({
				provider: 'eyeQuant',
				jobId: item.json.screenshotId,
				status: 'success',
				submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				clarityScore: expect.any(Number),
				raw: expect.objectContaining({ status: 'success' }),
			});
			const maps = MAPS.filter((map) => item.json[map] !== undefined);
			expect(Object.keys(item.binary ?? {}).sort()).toEqual([...maps].sort());
			for (const map of maps) {
				expect(await binaryBytes(item, map)).toEqual(await served(String(item.json[map])));
			}
		}
		const failed = lenient.emitted.filter((item) => bad.includes(String(item.json.jobId)));
		for (const item of failed) {
			expect(item.json).toMatchObject({ provider: 'eyeQuant', status: 'failed', errorCode: 'server_error' });
			expect(item.binary).toBeUndefined();
		}
		expect(strict.emitted.filter((item) => Object.keys(item.binary ?? {}).length === 5)).toHaveLength(5);
		// The strict node recorded the failed ones as seen, so it never asks for them again.
		expect((await deliveries('trigger-workflow:strict')).filter((row) => bad.includes(row.job_id))).toHaveLength(5);
	});

	it('a poll after everything was delivered asks EyeQuant nothing and emits nothing', async () => {
		const s = sandbox.current;
		s.clearLog();
		expect(await strict.poll()).toBeNull();
		expect(await lenient.poll()).toBeNull();
		expect(s.requests()).toHaveLength(0);
	});

	it('an analysis that expired before the trigger saw it finish is reported (Include Failed) and never asked for again', async () => {
		const s = sandbox.current;
		const gone = await submitAnalyses(s, 2);
		s.advanceTime(2 * 600_000); // finished, then one EyeQuant hour later: 410 resource_gone
		const items = (await lenient.poll()) ?? [];
		expect(items.map((item) => item.json.jobId).sort()).toEqual([...gone].sort());
		for (const item of items) {
			expect(item.json).toMatchObject({ status: 'expired', screenshotId: item.json.jobId, outputsAvailable: false, errorCode: 'resource_gone' });
			expect(String(item.json.error)).toMatch(/scores and maps are gone/);
			expect(item.binary).toBeUndefined();
		}
		// Without Include Failed: recorded, not emitted — and no GET, the ledger knows they are gone.
		s.clearLog();
		expect(await strict.poll()).toBeNull();
		expect(s.requests({ method: 'GET' })).toHaveLength(0);
		expect((await deliveries('trigger-workflow:strict')).filter((row) => gone.includes(row.job_id)).map((row) => row.state)).toEqual(['expired', 'expired']);
	});

	it('Fetch Test Event shows the newest finished analysis and changes nothing', async () => {
		const s = sandbox.current;
		const [newest] = await submitAnalyses(s, 1);
		await strict.pollUntil(() => strict.jobIds().includes(newest));
		const before = await ledgerDump();
		const staticData = jsonClone(strict.committed);
		const items = await pollOnce(s, { nodeId: 'strict' }, staticData, 'manual');
		expect(items).toHaveLength(1);
		expect(items?.[0].json).toMatchObject({ jobId: newest, status: 'success', provider: 'eyeQuant', testEventLedger: ledgerLocation() });
		expect(items?.[0].json.testEventLedger).not.toMatch(/:[^@/]*@/);
		expect(await binaryBytes(items![0], 'attentionMap')).toEqual(await served(String(items![0].json.attentionMap)));
		expect(await ledgerDump()).toBe(before);
		expect(staticData).toEqual(strict.committed);
	});

	it('Fetch Test Event says what to do when no analysis has finished', async () => {
		const error = await pollOnce(sandbox.current, { credentials: { eyeQuantApi: { apiKey: 'another-key', baseUrl: sandbox.current.baseUrls.eyeQuant } } }, {}, 'manual').then(
			() => undefined,
			(reason: Error & { description?: string }) => reason,
		);
		expect(error?.message).toBe('No finished EyeQuant analysis to show yet');
		expect(error?.description).toMatch(/EyeQuant → Analysis → Create/);
		expect(`${error?.message} ${error?.description}`).not.toContain('another-key');
	});

	it('two overlapping polls of one node: one works, the other emits nothing; each job once', async () => {
		const s = sandbox.current;
		const ids = await submitAnalyses(s, 6);
		s.advanceTime(1000);
		const node = new TriggerNode(() => s, { nodeId: 'overlap' });
		// Catch up on everything older first, so the overlap is about the six new ones.
		await node.pollUntil(() => ids.every((id) => node.jobIds().includes(id)));
		const fresh = await submitAnalyses(s, 6);
		s.advanceTime(1000);
		const shared = jsonClone(node.committed);
		// n8n's legacy poller runs both on one in-memory static data object.
		const [first, second] = await Promise.all([
			pollOnce(s, { nodeId: 'overlap' }, shared),
			pollOnce(s, { nodeId: 'overlap' }, shared),
		]);
		const handed = [...(first ?? []), ...(second ?? [])].map((item) => String(item.json.jobId));
		expect([first, second].filter((items) => items === null)).toHaveLength(1);
		expect(handed.sort()).toEqual([...fresh].sort());
		node.committed = shared;
		expect(await node.poll()).toBeNull();
	});

	it('a trigger node added later starts with the jobs recorded in the day before its first poll', async () => {
		const s = sandbox.current;
		const [old, recent] = await submitAnalyses(s, 2);
		s.advanceTime(1000);
		// `old` counts as recorded a day before the strict node's first poll: within its window, but
		// more than a day before the first poll of a node added now.
		const [{ first_poll_at: strictSince }] = await ledgerSql<{ first_poll_at: number }>(
			currentLedger(),
			'SELECT first_poll_at FROM consumers WHERE consumer = ?',
			'trigger-workflow:strict',
		);
		await ledgerSql(currentLedger(), 'UPDATE jobs SET registered_at = ? WHERE job_id = ?', strictSince - NEW_NODE_LOOKBACK_MS, old);
		const late = new TriggerNode(() => s, { nodeId: 'added-later', options: { includeFailed: true } });
		await late.pollUntil(() => late.jobIds().includes(recent));
		expect(late.jobIds()).not.toContain(old);
		expect(counts(late.jobIds()).get(recent)).toBe(1);
		// Nodes that were polling before the job was recorded still get it.
		await strict.pollUntil(() => strict.jobIds().includes(old));
		expect(strict.jobIds()).toContain(old);
	});

	it('Job → Re-emit: the chosen trigger node emits those analyses once more; one the provider no longer has comes back expired', async () => {
		const s = sandbox.current;
		const node = new TriggerNode(() => s, { nodeId: 'reemit', options: { includeFailed: true } });
		const [kept, lost] = await submitAnalyses(s, 2);
		await node.pollUntil(() => [kept, lost].every((id) => node.jobIds().includes(id)));
		await strict.pollUntil(() => [kept, lost].every((id) => strict.jobIds().includes(id)));
		await strict.poll();
		const emittedBefore = node.jobIds().length;
		// The node's list of trigger nodes (loadOptions) offers the ones the ledger knows for EyeQuant.
		const choices = await listLedgerTriggerNodes('eyeQuant').call({ logger: { debug() {}, info() {}, warn() {}, error() {} } } as never);
		expect(choices.map((choice) => choice.value)).toEqual(expect.arrayContaining(['trigger-workflow:reemit', 'trigger-workflow:strict']));
		expect(choices.find((choice) => choice.value === 'trigger-workflow:reemit')?.name).toBe('Workflow trigger-workflow, trigger node reemit');
		const [listed] = await runEyeQuant(s, { resource: 'job', operation: 'reemit', triggerNode: 'trigger-workflow:reemit', select: 'ids', jobIds: `${kept}, ${lost}, never-delivered` });
		expect(listed.json).toEqual({ triggerNode: 'trigger-workflow:reemit', reemitted: [kept, lost].sort(), count: 2, notDelivered: ['never-delivered'] });
		// Another trigger node is not affected.
		expect(await strict.poll()).toBeNull();
		await node.pollUntil(() => node.jobIds().length >= emittedBefore + 2);
		expect(node.jobIds().slice(emittedBefore).sort()).toEqual([kept, lost].sort());
		expect(node.emitted.find((item) => item.json.jobId === kept)?.json).toMatchObject({ status: 'success' });
		expect(await node.poll()).toBeNull();
		// An hour after finishing EyeQuant has deleted them: re-emitted, they come back as expired items.
		s.advanceTime(2 * 600_000);
		const since = new Date(Date.now() - 3_600_000).toISOString();
		const [again] = await runEyeQuant(s, { resource: 'job', operation: 'reemit', triggerNode: 'trigger-workflow:reemit', select: 'since', since });
		expect(again.json.reemitted).toEqual(expect.arrayContaining([kept, lost]));
		await node.pollUntil(() => node.jobIds().length >= emittedBefore + 2 + Number(again.json.count));
		const expired = node.emitted.slice(emittedBefore + 2);
		expect(expired.filter((item) => [kept, lost].includes(String(item.json.jobId))).map((item) => item.json.status)).toEqual(['expired', 'expired']);
	});

	it('another account sees none of these jobs', async () => {
		const ledger = await openLedger();
		const other = accountId(sandbox.current.baseUrls.eyeQuant, 'another-key');
		expect(await ledger.undelivered({ provider: 'eyeQuant', account: other, consumer: 'x:y', limit: 10 })).toEqual([]);
		const mine = accountId(sandbox.current.baseUrls.eyeQuant, SANDBOX_KEYS.eyeQuant.apiKey);
		expect((await ledger.newest({ provider: 'eyeQuant', account: mine, limit: 100 })).length).toBeGreaterThanOrEqual(50);
	});
});
