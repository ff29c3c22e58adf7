/**
 * The Visual AI Trigger in a running n8n: jobs submitted before the workflow is published are
 * emitted by the poll n8n runs when it publishes it; a job submitted while it runs is emitted by the
 * next scheduled poll (n8n polls at most once a minute). Each job exactly once, archived, on disk.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../sandbox/server.ts';
import { readBinary, sha256 } from '../../scripts/lib/binaries.ts';
import type { Example } from '../../scripts/lib/examples.ts';
import type { Instance } from '../../scripts/lib/harness.ts';
import { describeFailure, nodeItems } from '../../scripts/lib/n8n.ts';
import type { Item, N8nServer } from '../../scripts/lib/n8n.ts';
import { freePort } from '../../scripts/lib/proc.ts';
import type { N8nRest } from '../../scripts/lib/rest.ts';
import { EYEQUANT_MAPS } from './checks.ts';

/** The example that submits an EyeQuant job (and registers it with the ledger). */
const SUBMIT_EXAMPLE_ID = 'vaiExample1EyeQt';
const TRIGGER_NODE = 'When an analysis finishes';
const ARCHIVE_NODE = 'Archive the maps';

export interface TriggerScenario {
	rest: N8nRest;
	server: N8nServer;
	sandbox: Sandbox;
	instance: Instance;
	example: Example;
	filesDir: string;
	userFolder: string;
	mapBytes: number;
	note(message: string): void;
	n8nOutput: string[];
	/** Analyses the examples submitted before (in the ledger already): the trigger emits them too. */
	earlierJobs: string[];
}

export async function runTriggerScenario(scenario: TriggerScenario): Promise<void> {
	const { rest, example, note } = scenario;
	const workflowId = example.workflow.id;

	// A job that finished before the workflow was published.
	const early = await submitJob(scenario);
	note(`submitted EyeQuant job ${early} before publishing`);

	await rest.activate(workflowId);
	note('published the trigger workflow; n8n polls once right away');
	let seen = await waitForJobs(rest, workflowId, [...scenario.earlierJobs, early], 60_000);

	// A job submitted while the workflow is live: the next scheduled poll (at most a minute away).
	const late = await submitJob(scenario);
	note(`submitted EyeQuant job ${late} while n8n runs; waiting for the next scheduled poll`);
	const expected = [...scenario.earlierJobs, early, late];
	seen = await waitForJobs(rest, workflowId, expected, 100_000);

	const counts = new Map<string, number>();
	for (const { trigger } of seen) for (const item of trigger) counts.set(String(item.json.jobId), (counts.get(String(item.json.jobId)) ?? 0) + 1);
	assert.deepEqual(
		Object.fromEntries(counts),
		Object.fromEntries(expected.map((id) => [id, 1])),
		'every submitted analysis emitted exactly once, and nothing else',
	);
	note(`trigger executions: ${seen.map((run) => `#${run.executionId} (${run.trigger.length} job${run.trigger.length === 1 ? '' : 's'})`).join(', ')}`);

	for (const { trigger, archived } of seen) {
		for (const [index, item] of trigger.entries()) {
			assert.equal(item.json.provider, 'eyeQuant');
			assert.equal(item.json.status, 'success');
			assert.equal(typeof item.json.clarityScore, 'number');
			const kept = archived[index];
			assert.ok(kept, `the archive node has no item for job ${String(item.json.jobId)}`);
			for (const name of EYEQUANT_MAPS) {
				const ref = kept.binary?.[name];
				assert.ok(ref, `job ${String(item.json.jobId)}: binary ${name} after the archive node`);
				const bytes = readBinary(scenario.userFolder, ref);
				assert.equal(bytes.length, scenario.mapBytes, `${name} size`);
				// The pack's one file-naming rule: <job id>_<name>, so the example writes each map under that name.
				assert.ok(ref.fileName?.startsWith(`${String(item.json.jobId)}_`), `${name}: file name ${ref.fileName ?? '(none)'}`);
				const written = path.join(scenario.filesDir, 'visual-ai-archive', ref.fileName ?? '');
				assert.ok(existsSync(written), `Write Files from Disk did not write ${written}`);
				assert.equal(sha256(readFileSync(written)), sha256(bytes), `${written} differs from the archived map`);
			}
		}
	}
}

async function submitJob(scenario: TriggerScenario): Promise<string> {
	// A second n8n process beside `n8n start` (same database and ledger), with its own task broker port.
	const result = await scenario.instance.n8n.execute(SUBMIT_EXAMPLE_ID, { env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
	scenario.n8nOutput.push(result.stdout, result.stderr);
	assert.equal(result.execution?.status, 'success', describeFailure(result));
	const [created] = nodeItems(result.execution, 'Score the design');
	return String(created.json.screenshotId);
}

interface TriggerRun {
	executionId: string;
	trigger: Item[];
	archived: Item[];
}

async function waitForJobs(rest: N8nRest, workflowId: string, jobIds: string[], timeoutMs: number): Promise<TriggerRun[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const runs: TriggerRun[] = [];
		for (const { id, execution } of await rest.finishedExecutions(workflowId)) {
			assert.equal(execution.status, 'success', `trigger execution ${id} ended ${execution.status}: ${JSON.stringify(execution.data.resultData.error ?? {})}`);
			runs.push({ executionId: id, trigger: nodeItems(execution, TRIGGER_NODE), archived: nodeItems(execution, ARCHIVE_NODE) });
		}
		const seen = new Set(runs.flatMap((run) => run.trigger.map((item) => String(item.json.jobId))));
		if (jobIds.every((id) => seen.has(id))) return runs;
		if (Date.now() > deadline) {
			assert.fail(`after ${timeoutMs / 1000} s the trigger emitted ${[...seen].join(', ') || 'nothing'}; expected ${jobIds.join(', ')}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

/** The e2e-only workflow in test/e2e/workflows: Visual AI Trigger (provider Pique) → No Op. */
export const PIQUE_TRIGGER_WORKFLOW = 'vaiE2ePiqueTrigr';
const PIQUE_TRIGGER_NODE = 'When an evaluation finishes';

/** Every Pique evaluation emitted by the Pique trigger so far, by job id. */
export async function piqueEmissions(rest: N8nRest): Promise<Map<string, Item[]>> {
	const emitted = new Map<string, Item[]>();
	for (const { id, execution } of await rest.finishedExecutions(PIQUE_TRIGGER_WORKFLOW)) {
		assert.equal(execution.status, 'success', `Pique trigger execution ${id} ended ${execution.status}`);
		for (const item of nodeItems(execution, PIQUE_TRIGGER_NODE)) {
			emitted.set(String(item.json.jobId), [...(emitted.get(String(item.json.jobId)) ?? []), item]);
		}
	}
	return emitted;
}

export async function waitForPiqueJobs(rest: N8nRest, jobIds: string[], timeoutMs: number): Promise<Map<string, Item[]>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const emitted = await piqueEmissions(rest);
		if (jobIds.every((id) => emitted.has(id))) return emitted;
		if (Date.now() > deadline) assert.fail(`the Pique trigger emitted ${[...emitted.keys()].join(', ') || 'nothing'}; expected ${jobIds.join(', ')}`);
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

export function assertPiqueItems(emitted: Map<string, Item[]>, jobIds: string[]): void {
	assert.deepEqual([...emitted.keys()].sort(), [...jobIds].sort(), 'the Pique trigger emits exactly the evaluations submitted');
	for (const [jobId, items] of emitted) {
		assert.equal(items.length, 1, `evaluation ${jobId} emitted ${items.length} times`);
		const [item] = items;
		assert.equal(item.json.provider, 'pique');
		assert.equal(item.json.status, 'completed');
		assert.equal(typeof item.json.overallScore, 'number');
		assert.equal(typeof item.json.passed, 'boolean');
		assert.equal(typeof item.json.completedAt, 'string');
	}
}
