/**
 * The trigger's delivery guarantee under restarts, crashes, hand-offs n8n drops, provider outages
 * and a poll budget that runs out. "n8n" is emulated the way it treats a poll node's static data:
 * each poll works on a copy of the committed cursor, committed only with the items it hands over.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { NodeOperationError } from 'n8n-workflow';

import { closeLedgers } from '../../../nodes/shared/ledger';
import { SANDBOX_KEYS, startSandbox } from '../../../sandbox/server';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials } from '../../helpers/sandbox';
import { TriggerNode, counts, deliveries, submitAnalyses, useTempLedger } from './helpers';
import { pollInProcess } from './processes';
import type { PollRequest } from './processes';

useTempLedger();
// A sandbox per test: its own port, so its own EyeQuant account in the ledger.
const sandbox: { current: Sandbox } = { current: undefined as unknown as Sandbox };
beforeEach(async () => {
	sandbox.current = await startSandbox({ port: 0, hourMs: 600_000, eyeQuantProcessingMs: 50 });
});
afterEach(async () => {
	await sandbox.current.close();
	delete process.env.N8N_VISUAL_AI_TRIGGER_SETTLE_SECONDS;
});

const WORKFLOW = 'trigger-workflow';

/** Finished analyses, submitted through the EyeQuant node. */
async function finished(count: number): Promise<string[]> {
	const ids = await submitAnalyses(sandbox.current, count);
	sandbox.current.advanceTime(1_000);
	return ids;
}

function processRequest(node: TriggerNode, options: Record<string, unknown> = {}): PollRequest {
	return {
		parameters: { provider: 'eyeQuant', options },
		credentials: { eyeQuantApi: sandboxCredentials(sandbox.current).eyeQuantApi },
		staticData: node.committed,
		nodeId: node.node.nodeId ?? 'trigger-node',
		workflowId: WORKFLOW,
	};
}

function expectEachOnce(node: TriggerNode, ids: string[]): void {
	expect([...counts(node.jobIds()).entries()].sort()).toEqual(ids.map((id) => [id, 1]).sort());
}

it('restart between polls: the next poll in a new process emits nothing twice and loses nothing', async () => {
	const node = new TriggerNode(() => sandbox.current, { nodeId: 'restart' });
	const first = await finished(5);
	expect((await node.poll())?.map((item) => item.json.jobId).sort()).toEqual([...first].sort());
	const second = await finished(3);
	await closeLedgers(); // this "n8n" stops; a new process takes over with the committed static data
	const next = await pollInProcess(processRequest(node));
	expect(next.result?.items.map((item) => item.json.jobId).sort()).toEqual([...second].sort());
	expect(next.result?.items.every((item) => item.binary.includes('attentionMap'))).toBe(true);
	node.committed = next.result!.staticData;
	node.emitted.push(...next.result!.items.map(({ json }) => ({ json })));
	expect(await node.poll()).toBeNull();
	expectEachOnce(node, [...first, ...second]);
});

it('crash mid-poll: a poll SIGKILLed after some GETs, then a fresh poll emits every finished job exactly once', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'crash' });
	const ids = await finished(12);
	// Four GETs are answered, every later one hangs: the process is killed in the middle of its poll.
	s.setFaults([
		{ match: { provider: 'eyeQuant', method: 'GET' }, times: 4, fault: { type: 'latency', ms: 20 } },
		{ match: { provider: 'eyeQuant', method: 'GET' }, fault: { type: 'stall' } },
	]);
	const answered = () => s.requests({ provider: 'eyeQuant', method: 'GET', status: 200 }).length;
	const crashed = await pollInProcess(processRequest(node, { concurrency: 2 }), () => answered() >= 4);
	expect(crashed.killed).toBe(true);
	expect(crashed.result).toBeUndefined();
	s.clearFaults();
	// The killed poll's lease belongs to a process that no longer exists: taken over at once.
	await node.poll();
	expect(await node.poll()).toBeNull();
	expectEachOnce(node, ids);
});

it('crash after the hand-off, before n8n committed it: the jobs are emitted again at once, then never', async () => {
	const node = new TriggerNode(() => sandbox.current, { nodeId: 'crash-after' });
	const ids = await finished(4);
	const lost = await pollInProcess(processRequest(node));
	expect(lost.result?.items).toHaveLength(4); // handed to an n8n that died before saving anything
	await node.poll();
	expect(await node.poll()).toBeNull();
	expectEachOnce(node, ids);
});

it('a hand-off n8n dropped (poll abandoned, workflow deactivated) is emitted again once it cannot be committed any more', async () => {
	const node = new TriggerNode(() => sandbox.current, { nodeId: 'dropped' });
	const ids = await finished(4);
	expect(await node.poll('drop')).toHaveLength(4);
	// Within the settle time n8n might still commit it: emit nothing rather than risk a fork.
	const more = await finished(2);
	expect(await node.poll()).toBeNull();
	process.env.N8N_VISUAL_AI_TRIGGER_SETTLE_SECONDS = '0';
	await node.poll();
	expect(await node.poll()).toBeNull();
	expectEachOnce(node, [...ids, ...more]);
});

it('provider outage: 5 polls of 503s fail fast with few calls and record nothing; after recovery each job once', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'outage', options: { concurrency: 5 } });
	const ids = await finished(8);
	s.setFaults([{ match: { provider: 'eyeQuant', method: 'GET' }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
	for (let poll = 0; poll < 5; poll++) {
		s.clearLog();
		const error = await node.poll().then(
			() => undefined,
			(reason: Error & { description?: string }) => reason,
		);
		expect(error?.message).toMatch(/^EyeQuant is failing, so this poll stopped checking jobs: EyeQuant error 503 over_capacity/);
		expect(error?.description).toMatch(/nothing is lost: the next poll tries again/);
		expect(`${error?.message} ${error?.description}`).not.toContain(SANDBOX_KEYS.eyeQuant.apiKey);
		// Three jobs, one at a time (the provider never answered), three tries each: never all eight.
		expect(s.requests({ provider: 'eyeQuant', method: 'GET' }).length).toBeLessThanOrEqual(9);
		expect(await deliveries(`${WORKFLOW}:outage`)).toEqual([]);
	}
	s.clearFaults();
	await node.poll();
	expect(await node.poll()).toBeNull();
	expectEachOnce(node, ids);
});

it('a 429 whose Retry-After outlasts the poll stops it after one call; nothing is lost', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'rate-limited' });
	const ids = await finished(5);
	s.setFaults([{ match: { provider: 'eyeQuant', method: 'GET' }, fault: { type: 'status', status: 429, retryAfter: 3600 } }]);
	s.clearLog();
	await expect(node.poll()).rejects.toThrow(/^EyeQuant is rate limiting this account, so this poll stopped checking jobs/);
	expect(s.requests({ provider: 'eyeQuant', method: 'GET' })).toHaveLength(1);
	s.clearFaults();
	await node.poll();
	expectEachOnce(node, ids);
});

it('a flaky provider (every third GET a 503, a 429 with a short Retry-After) still gives each job once in one poll', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'flaky' });
	const ids = await finished(9);
	s.setFaults([
		{ match: { provider: 'eyeQuant', method: 'GET' }, every: 3, fault: { type: 'status', status: 503, retryAfter: 0 } },
		{ match: { provider: 'eyeQuant', method: 'GET' }, times: 1, fault: { type: 'status', status: 429, retryAfter: 1 } },
	]);
	expect(await node.poll()).toHaveLength(9);
	expectEachOnce(node, ids);
});

it('a poll that throws (credential refused midway) records nothing as delivered', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'refused' });
	const ids = await finished(6);
	s.setFaults([{ match: { provider: 'eyeQuant', method: 'GET' }, every: 4, times: 1, fault: { type: 'status', status: 401 } }]);
	await expect(node.poll()).rejects.toThrow(/EyeQuant error 401/);
	expect(await deliveries(`${WORKFLOW}:refused`)).toEqual([]);
	await node.poll();
	expectEachOnce(node, ids);
});

it('a backlog bigger than one poll’s budget: each poll stops starting GETs in time, at most one GET per job, none lost', async () => {
	const s = sandbox.current;
	const node = new TriggerNode(() => s, { nodeId: 'budget', budgetMs: 1_000, options: { concurrency: 2, downloadOutputs: false } });
	const ids = await finished(20);
	s.configure({ latencyMs: 100 });
	let polls = 0;
	while (!ids.every((id) => node.jobIds().includes(id)) && polls < 10) {
		s.clearLog();
		const items = await node.poll();
		polls++;
		const gets = s.requests({ provider: 'eyeQuant', method: 'GET' }).map((entry) => entry.path);
		expect(new Set(gets).size).toBe(gets.length);
		expect(items?.length ?? 0).toBeLessThan(20);
	}
	expect(polls).toBeGreaterThan(1);
	expectEachOnce(node, ids);
});

it('a ledger n8n cannot open fails the poll, saying where it is and what to do', async () => {
	const node = new TriggerNode(() => sandbox.current, { nodeId: 'no-ledger' });
	const before = process.env.N8N_VISUAL_AI_LEDGER;
	const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'no-ledger-')), 'a-file');
	writeFileSync(blocker, 'a file where the ledger wants a folder');
	process.env.N8N_VISUAL_AI_LEDGER = path.join(blocker, 'ledger.sqlite');
	try {
		const error = await node.poll().then(
			() => undefined,
			(reason: Error) => reason,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error?.message).toMatch(/^The Visual AI job ledger could not open .*a-file\/ledger\.sqlite: .*N8N_VISUAL_AI_LEDGER/);
	} finally {
		process.env.N8N_VISUAL_AI_LEDGER = before;
	}
	expect(node.emitted).toEqual([]);
});
