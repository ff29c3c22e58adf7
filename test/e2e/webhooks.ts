/**
 * The webhook triggers in a running n8n: the published Pique Webhook Trigger and Image Intelligence
 * Trigger receive the sandbox's deliveries on their production URLs. One execution per finished job;
 * a forged (unsigned or wrongly signed) Pique call gets 401 and starts nothing; a retried delivery
 * starts no second execution; a job of no account of ours starts nothing and leaves a warning.
 */
import assert from 'node:assert/strict';

import type { Sandbox } from '../../sandbox/server.ts';
import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { nodeItems } from '../../scripts/lib/n8n.ts';
import type { Item, N8nServer } from '../../scripts/lib/n8n.ts';
import type { N8nRest } from '../../scripts/lib/rest.ts';

export const PIQUE_WEBHOOK_WORKFLOW = 'vaiE2ePiqueHook1';
export const IMAGE_INTELLIGENCE_WEBHOOK_WORKFLOW = 'vaiE2eIiHook0001';
const PIQUE_HOOK = { node: 'When Pique calls', webhookId: '3f6f0a52-9d1e-4c8b-a7f1-5e0d2c4b9a11' };
const II_HOOK = { node: 'When Image Intelligence calls', webhookId: '8c1d4e77-2b3a-4f5e-9a6b-7c8d9e0f1a22' };

/** Warnings the scenario provokes on purpose (forged and foreign deliveries); the log check leaves them out. */
export const EXPECTED_WEBHOOK_WARNINGS = /\((Pique|Image Intelligence) webhook\): (refused a delivery: (no X-Webhook-Signature header|the X-Webhook-Signature does not match)|.* has no (evaluation|ask job) [0-9a-f-]+ for this credential \(404\))/;

export interface WebhookScenario {
	rest: N8nRest;
	server: N8nServer;
	sandbox: Sandbox;
	note(message: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json<T>(url: string, init: RequestInit & { body?: string }): Promise<T> {
	const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
	assert.ok(response.ok, `${init.method ?? 'GET'} ${url}: ${response.status} ${await response.clone().text()}`);
	return (await response.json()) as T;
}

async function finishedPiqueJobs(sandbox: Sandbox, count: number): Promise<string[]> {
	const headers = { 'x-api-key': SANDBOX_KEYS.pique.apiKey };
	const created = await json<{ jobs: Array<{ job_id: string }> }>(`${sandbox.baseUrls.pique}/v1/evaluations/social-media`, {
		method: 'POST',
		headers,
		body: JSON.stringify({ judge_id: sandbox.judges.video, video_urls: Array.from({ length: count }, (_, index) => `https://youtube.com/shorts/e2e-hook-${index}`) }),
	});
	const jobIds = created.jobs.map((job) => job.job_id);
	for (const jobId of jobIds) {
		while ((await json<{ status: string }>(`${sandbox.baseUrls.pique}/v1/evaluations/results/${jobId}`, { headers })).status !== 'completed') await sleep(200);
	}
	return jobIds;
}

async function imageIntelligenceJob(sandbox: Sandbox, webhookUrl: string): Promise<string> {
	const { accessToken } = await json<{ accessToken: string }>(`${sandbox.baseUrls.imageIntelligence}/oauth/token`, {
		method: 'POST',
		body: JSON.stringify({ clientId: SANDBOX_KEYS.imageIntelligence.clientId, clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret }),
	});
	const job = await json<{ id: string }>(`${sandbox.baseUrls.imageIntelligence}/ask`, {
		method: 'POST',
		headers: { authorization: `Bearer ${accessToken}` },
		body: JSON.stringify({ question: 'Is the garage door open?', webhookUrl, images: [{ url: `${sandbox.url}/files/design.png?answer=yes` }] }),
	});
	return job.id;
}

/** Every item the workflow's trigger emitted, by job id, once its executions all finished. */
async function emissions(rest: N8nRest, workflowId: string, triggerNode: string): Promise<Map<string, Item[]>> {
	const emitted = new Map<string, Item[]>();
	for (const { id, execution } of await rest.finishedExecutions(workflowId)) {
		assert.equal(execution.status, 'success', `execution ${id} of ${workflowId} ended ${execution.status}`);
		for (const item of nodeItems(execution, triggerNode)) emitted.set(String(item.json.jobId), [...(emitted.get(String(item.json.jobId)) ?? []), item]);
	}
	return emitted;
}

async function waitForEmissions(rest: N8nRest, workflowId: string, triggerNode: string, jobIds: string[]): Promise<Map<string, Item[]>> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const emitted = await emissions(rest, workflowId, triggerNode);
		const running = (await rest.executions(workflowId)).some((summary) => ['new', 'running'].includes(summary.status));
		if (!running && jobIds.every((jobId) => emitted.has(jobId))) return emitted;
		if (Date.now() > deadline) assert.fail(`${workflowId} emitted ${[...emitted.keys()].join(', ') || 'nothing'}; expected ${jobIds.join(', ')}`);
		await sleep(500);
	}
}

export async function runWebhookScenario({ rest, server, sandbox, note }: WebhookScenario): Promise<void> {
	await rest.activate(PIQUE_WEBHOOK_WORKFLOW);
	await rest.activate(IMAGE_INTELLIGENCE_WEBHOOK_WORKFLOW);
	const piqueUrl = `${server.url}/webhook/${PIQUE_HOOK.webhookId}/webhook`;
	const iiUrl = `${server.url}/webhook/${II_HOOK.webhookId}/webhook`;

	// Pique: forged calls first (401, nothing started), then valid ones, one of them retried.
	const [signed, retried] = await finishedPiqueJobs(sandbox, 2);
	for (const kind of ['unsigned', 'badSignature'] as const) {
		const forged = await sandbox.deliverWebhook({ provider: 'pique', url: piqueUrl, jobId: signed, kind });
		assert.deepEqual(forged.attempts.map((attempt) => attempt.status), [401], `a ${kind} delivery`);
	}
	await sleep(1000);
	assert.equal((await rest.executions(PIQUE_WEBHOOK_WORKFLOW)).length, 0, 'a forged call started an execution');
	const started = Date.now();
	const valid = await sandbox.deliverWebhook({ provider: 'pique', url: piqueUrl, jobId: signed });
	note(`n8n answered Pique's signed delivery ${valid.attempts[0].status} in ${Date.now() - started} ms`);
	assert.equal(valid.attempts[0].status, 200);
	const again = await sandbox.deliverWebhook({ provider: 'pique', url: piqueUrl, jobId: retried, times: 3, encoding: 'base64' });
	assert.deepEqual(again.attempts.map((attempt) => attempt.status), [200, 200, 200]);
	const foreign = await sandbox.deliverWebhook({ provider: 'pique', url: piqueUrl, kind: 'unknownJob' });
	assert.equal(foreign.attempts[0].status, 200, 'a job of no account of ours is acknowledged (so Pique stops retrying)');
	const piqueEmitted = await waitForEmissions(rest, PIQUE_WEBHOOK_WORKFLOW, PIQUE_HOOK.node, [signed, retried]);
	assert.deepEqual([...piqueEmitted.keys()].sort(), [signed, retried].sort(), 'exactly the two signed evaluations');
	for (const [jobId, items] of piqueEmitted) {
		assert.equal(items.length, 1, `evaluation ${jobId} emitted ${items.length} times`);
		assert.equal(items[0].json.status, 'completed');
		assert.equal(typeof items[0].json.overallScore, 'number');
	}
	assert.equal((await rest.executions(PIQUE_WEBHOOK_WORKFLOW)).length, 2, 'one execution per evaluation');

	// Image Intelligence: the job's own webhook, then the same delivery again and a forged job.
	const jobId = await imageIntelligenceJob(sandbox, iiUrl);
	const deadline = Date.now() + 20_000;
	while (!sandbox.webhookDeliveries.some((delivery) => delivery.jobId === jobId && delivery.status !== undefined) && Date.now() < deadline) await sleep(200);
	await sandbox.webhooksIdle();
	const own = sandbox.webhookDeliveries.filter((delivery) => delivery.jobId === jobId).map((delivery) => delivery.status);
	assert.deepEqual(own, [200], 'Image Intelligence\'s own delivery to the job\'s webhookUrl');
	const repeat = await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: iiUrl, jobId, times: 2 });
	assert.deepEqual(repeat.attempts.map((attempt) => attempt.status), [200, 200]);
	const forgedJob = await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: iiUrl, kind: 'unknownJob' });
	assert.equal(forgedJob.attempts[0].status, 200);
	const iiEmitted = await waitForEmissions(rest, IMAGE_INTELLIGENCE_WEBHOOK_WORKFLOW, II_HOOK.node, [jobId]);
	assert.deepEqual([...iiEmitted.keys()], [jobId]);
	assert.equal(iiEmitted.get(jobId)?.length, 1);
	assert.equal(iiEmitted.get(jobId)?.[0].json.answer, 'yes');
	assert.equal((await rest.executions(IMAGE_INTELLIGENCE_WEBHOOK_WORKFLOW)).length, 1, 'one execution for the job');

	const warnings = server.log().split('\n').filter((line) => EXPECTED_WEBHOOK_WARNINGS.test(line));
	assert.ok(warnings.some((line) => line.includes('404')), `n8n's log has no warning about the foreign job:\n${server.log().slice(-2000)}`);
}
