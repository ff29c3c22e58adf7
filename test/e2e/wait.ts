/**
 * Wait for the Result "until Pique calls back" in a running n8n: the execution waits (listed as
 * waiting, no worker held), n8n is restarted meanwhile, Pique's callback to the resume URL resumes it,
 * and it finishes with the evaluation's scores, as Wait for Completion would give them.
 */
import assert from 'node:assert/strict';

import type { Sandbox } from '../../sandbox/server.ts';
import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { nodeItems } from '../../scripts/lib/n8n.ts';
import type { Execution, N8nServer } from '../../scripts/lib/n8n.ts';
import type { N8nRest } from '../../scripts/lib/rest.ts';

export const PIQUE_WAIT_WORKFLOW = 'vaiE2ePiqueWait1';
const WAITING_NODE = 'Score and wait';
const START_PATH = 'e2e-pique-wait';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes the Pique wait workflow, starts it and returns the execution once it waits. */
export async function startWaitingExecution(rest: N8nRest, server: N8nServer, sandbox: Sandbox): Promise<string> {
	// The evaluation must not finish before n8n was restarted: the sandbox holds it until told.
	sandbox.configure({ piqueProcessingMs: 24 * 3_600_000 });
	return await startWaiting(rest, server.url, { workflowId: PIQUE_WAIT_WORKFLOW, path: START_PATH, body: {} });
}

/** Publishes a workflow that starts with a Webhook node, calls it at n8n's `baseUrl` with `body` and returns the execution once it waits. */
export async function startWaiting(rest: N8nRest, baseUrl: string, start: { workflowId: string; path: string; body: object }): Promise<string> {
	await rest.activate(start.workflowId);
	// n8n registers a published workflow's webhooks shortly after answering the activation.
	const deadline = Date.now() + 30_000;
	for (;;) {
		const started = await fetch(`${baseUrl}/webhook/${start.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(start.body) });
		const text = await started.text();
		if (started.status === 200) break;
		if (started.status !== 404 || Date.now() > deadline) assert.fail(`starting the workflow: ${started.status} ${text}`);
		await sleep(500);
	}
	for (;;) {
		const waiting = (await rest.executions(start.workflowId)).filter((summary) => summary.status === 'waiting');
		if (waiting.length === 1) return waiting[0].id;
		if (Date.now() > deadline) assert.fail(`no waiting execution of ${start.workflowId}: ${JSON.stringify(await rest.executions(start.workflowId))}`);
		await sleep(500);
	}
}

export const II_LIMIT_WORKFLOW = 'vaiE2eIiLimit001';

/**
 * Starts the Image Intelligence workflow whose Create waits for the callback with a limit of one
 * minute, and holds its job in the sandbox so that no callback comes: the limit must pass.
 */
export async function startLimitExecution(rest: N8nRest, server: N8nServer, sandbox: Sandbox): Promise<{ executionId: string; startedAt: number }> {
	sandbox.configure({ imageIntelligenceProcessingMs: 24 * 3_600_000 });
	const startedAt = Date.now();
	const executionId = await startWaiting(rest, server.url, {
		workflowId: II_LIMIT_WORKFLOW,
		path: 'e2e-ii-wait-limit',
		body: { imageUrl: `${sandbox.url}/files/design.png?answer=yes` },
	});
	return { executionId, startedAt };
}

/**
 * When the limit passed (one minute, while n8n was down; n8n's own timer is 30 minutes later), the
 * pack's sweeper in the restarted n8n called the resume URL, the node read the job once, found it
 * still running and resumed the execution with an error item on its error output (On Error:
 * "Continue (using error output)"). n8n's own timer would have passed the Webhook's item on instead.
 */
export async function assertLimitOutcome(rest: N8nRest, sandbox: Sandbox, limit: { executionId: string; startedAt: number }): Promise<void> {
	const execution = await rest.waitForExecution(limit.executionId, Math.max(10_000, limit.startedAt + 240_000 - Date.now()));
	assert.equal(execution.status, 'success', JSON.stringify(execution.data.resultData.error ?? {}));
	const finishedAt = execution.stoppedAt ? Date.parse(execution.stoppedAt) : Date.now();
	// Minutes, not the 31 of n8n's own timer (its backstop; the Webhook's item would then pass on instead).
	assert.ok(finishedAt - limit.startedAt < 10 * 60_000, `resumed ${Math.round((finishedAt - limit.startedAt) / 1000)} s after the start: by the sweeper, not n8n's backstop`);
	const runs = JSON.stringify(Object.fromEntries(Object.entries(execution.data.resultData.runData).map(([name, tasks]) => [name, tasks.map((task) => task.data?.main?.map((items) => items?.length ?? null))])));
	assert.deepEqual(nodeItems(execution, 'Answered'), [], runs);
	const [item, ...more] = nodeItems(execution, 'Still running');
	assert.ok(item, `no item reached "Still running": ${runs} ${JSON.stringify(execution.data.resultData.runData['Ask and wait']?.at(-1)?.data)}`);
	assert.equal(more.length, 0);
	// n8n keeps only the message in an error item's JSON (its own error-item rule); the message names the job.
	const said = /^Image Intelligence ask job (\S+) was still \w+ when the wait limit passed at \d{4}-/.exec(String(item.json.error));
	assert.ok(said, JSON.stringify(item.json));
	const jobId = said[1];
	const reads = sandbox.requests({ method: 'GET', pathPrefix: '/imageintelligence/v2/ask/' }).filter((request) => request.path.includes(jobId));
	assert.ok(reads.length >= 1, 'the node read the job at the limit');
}

/** Lets the held evaluation finish: the sandbox then calls the execution's resume URL. Returns the finished execution. */
export async function finishAndResume(rest: N8nRest, sandbox: Sandbox, executionId: string, processingMs: number): Promise<Execution> {
	const waiting = await rest.execution(executionId);
	assert.equal(waiting.status, 'waiting', 'still waiting after the restart');
	sandbox.configure({ piqueProcessingMs: processingMs });
	const execution = await rest.waitForExecution(executionId, 60_000);
	assert.equal(execution.status, 'success', JSON.stringify(execution.data.resultData.error ?? {}));
	return execution;
}

/** The resumed node's item is the evaluation as Pique's API reports it (what Wait for Completion outputs); returns its job id. */
export async function assertScores(sandbox: Sandbox, execution: Execution): Promise<string> {
	const [item] = nodeItems(execution, WAITING_NODE);
	assert.ok(item, `${WAITING_NODE} has no item`);
	const jobId = String(item.json.jobId);
	const response = await fetch(`${sandbox.baseUrls.pique}/v1/evaluations/results/${jobId}`, { headers: { 'x-api-key': SANDBOX_KEYS.pique.apiKey } });
	const result = (await response.json()) as { status: string; overall_score: number; detector_results: Array<{ score: number }> };
	assert.equal(result.status, 'completed');
	assert.equal(item.json.status, 'completed');
	assert.equal(item.json.overallScore, result.overall_score);
	assert.equal(item.json.passed, true, 'a "pass" video passes every detector');
	assert.deepEqual(
		(item.json.detector_results as Array<{ score: number }>).map((detector) => detector.score),
		result.detector_results.map((detector) => detector.score),
	);
	assert.equal(nodeItems(execution, 'Scored').length, 1, 'the workflow went on after the wait');
	const calls = sandbox.webhookDeliveries.filter((delivery) => delivery.jobId === jobId);
	assert.ok(calls.length >= 1 && calls[0].url.includes(`/webhook-waiting/`), `Pique called ${calls.map((call) => call.url).join(', ')}`);
	return jobId;
}
