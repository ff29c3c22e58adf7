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

/** Publishes the workflow, starts it by its webhook and returns the execution once it waits. */
export async function startWaitingExecution(rest: N8nRest, server: N8nServer, sandbox: Sandbox): Promise<string> {
	await rest.activate(PIQUE_WAIT_WORKFLOW);
	// The evaluation must not finish before n8n was restarted: the sandbox holds it until told.
	sandbox.configure({ piqueProcessingMs: 24 * 3_600_000 });
	// n8n registers a published workflow's webhooks shortly after answering the activation.
	const deadline = Date.now() + 30_000;
	for (;;) {
		const started = await fetch(`${server.url}/webhook/${START_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		const text = await started.text();
		if (started.status === 200) break;
		if (started.status !== 404 || Date.now() > deadline) assert.fail(`starting the workflow: ${started.status} ${text}`);
		await sleep(500);
	}
	for (;;) {
		const waiting = (await rest.executions(PIQUE_WAIT_WORKFLOW)).filter((summary) => summary.status === 'waiting');
		if (waiting.length === 1) return waiting[0].id;
		if (Date.now() > deadline) assert.fail(`no waiting execution of ${PIQUE_WAIT_WORKFLOW}: ${JSON.stringify(await rest.executions(PIQUE_WAIT_WORKFLOW))}`);
		await sleep(500);
	}
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
