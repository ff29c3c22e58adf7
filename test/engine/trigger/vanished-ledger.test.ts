/**
 * The ledger file deleted under a running n8n (an operator's `rm`, a cleanup job, a restored
 * backup): the scenario of issue 14 — Create 2, poll, rm the ledger files, Create 3, poll, poll
 * from a second process, Create 2, restart — must emit all 7 jobs once each, and say what happened.
 */
import { existsSync, rmSync } from 'node:fs';

import { closeLedgers } from '../../../nodes/shared/ledger';
import { startSandbox } from '../../../sandbox/server';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials } from '../../helpers/sandbox';
import { TriggerNode, counts, submitAnalyses, useTempSqliteLedger } from './helpers';
import { pollInProcess } from './processes';
import type { PollRequest } from './processes';

const file = useTempSqliteLedger();
const sandbox: { current: Sandbox } = { current: undefined as unknown as Sandbox };
beforeAll(async () => {
	sandbox.current = await startSandbox({ port: 0, hourMs: 600_000, eyeQuantProcessingMs: 20 });
});
afterAll(async () => {
	await sandbox.current.close();
});

/** Process warnings the ledger emits (they reach n8n's output like any Node.js warning). */
const warnings: string[] = [];
beforeAll(() => {
	jest.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
		warnings.push(typeof warning === 'string' ? warning : warning.message);
	});
});
afterAll(() => jest.restoreAllMocks());

async function created(count: number): Promise<string[]> {
	const ids = await submitAnalyses(sandbox.current, count);
	sandbox.current.advanceTime(1_000);
	return ids;
}

function inAnotherProcess(node: TriggerNode): PollRequest {
	return {
		parameters: { provider: 'eyeQuant', options: {} },
		credentials: { eyeQuantApi: sandboxCredentials(sandbox.current).eyeQuantApi },
		staticData: node.committed,
		nodeId: node.node.nodeId ?? 'trigger-node',
		workflowId: 'trigger-workflow',
	};
}

/** One poll in a fresh process; what it emitted counts as emitted, its static data as committed. */
async function pollElsewhere(node: TriggerNode): Promise<string[]> {
	const { result } = await pollInProcess(inAnotherProcess(node));
	const ids = (result?.items ?? []).map((item) => String(item.json.jobId));
	if (result?.emitted) {
		node.committed = result.staticData;
		node.emitted.push(...(result.items.map((item) => ({ json: item.json }))));
	}
	return ids;
}

it('rm of the ledger files while n8n runs: 7 created, 7 emitted once each, and a warning naming the file', async () => {
	const node = new TriggerNode(() => sandbox.current, { nodeId: 'vanish' });
	const first = await created(2);
	await node.pollUntil(() => node.emitted.length >= 2);

	for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
	const second = await created(3);
	expect(existsSync(file)).toBe(true);
	expect(warnings).toEqual([expect.stringContaining(`The Visual AI job ledger ${file} was deleted or replaced`)]);
	expect(warnings[0]).toContain('carried over what it still had: 2 job(s), 2 delivery record(s)');

	await node.pollUntil(() => node.emitted.length >= 5);
	expect(await pollElsewhere(node)).toEqual([]);
	const third = await created(2);
	await closeLedgers(); // restart: the next poll runs in a new process
	await pollElsewhere(node);

	const all = [...first, ...second, ...third];
	expect(all).toHaveLength(7);
	expect([...counts(node.jobIds()).entries()].sort()).toEqual(all.map((id) => [id, 1]).sort());
}, 60_000);
