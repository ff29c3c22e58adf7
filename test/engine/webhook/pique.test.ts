import { createHmac } from 'node:crypto';

import { PiqueWebhookTrigger } from '../../../nodes/PiqueWebhookTrigger/PiqueWebhookTrigger.node';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { pollOnce, useTempLedger } from '../trigger/helpers';
import { ownDeliveries, piqueResultItem, submitVideos, untilPiqueFinished, useWebhookServers, warningsDuring } from './helpers';

const trigger = new PiqueWebhookTrigger();
const sandboxRef = useSandbox({ piqueProcessingMs: 80 });
useTempLedger();
const startServer = useWebhookServers();

function credentials(sandbox: Sandbox, webhookSecret = sandbox.config().webhookSecret) {
	return { piqueApi: { ...sandboxCredentials(sandbox).piqueApi, webhookSecret } };
}

async function finishedJobs(count: number, label = 'hook'): Promise<string[]> {
	const sandbox = sandboxRef.current;
	const urls = Array.from({ length: count }, (_, index) => `https://youtube.com/shorts/${label}-${index}-${Date.now()}`);
	const jobIds = await submitVideos(sandbox, urls);
	await untilPiqueFinished(sandbox, jobIds);
	return jobIds;
}

const resultGets = (sandbox: Sandbox, jobId: string) =>
	sandbox.requests({ method: 'GET', pathPrefix: `/pique/v1/evaluations/results/${jobId}` }).length;

describe('Pique Webhook Trigger, signed deliveries from the sandbox', () => {
	it('emits a validly signed delivery once, as the Pique node\'s Get Result item, and answers 200', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const [jobId] = await finishedJobs(1);
		const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId });
		expect(report.attempts.map((attempt) => attempt.status)).toEqual([200]);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0]).toEqual([{ json: (await piqueResultItem(sandbox, jobId)).json }]);
		expect(server.executions[0][0].json).toMatchObject({ jobId, status: 'completed', overallScore: expect.any(Number) });
	});

	it('accepts the signature in hex and base64, with or without sha256=', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const jobIds = await finishedJobs(4);
		const encodings = ['prefixedHex', 'hex', 'base64', 'prefixedBase64'] as const;
		for (const [index, encoding] of encodings.entries()) {
			const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId: jobIds[index], encoding });
			expect(report.attempts[0].status).toBe(200);
		}
		expect(server.executions.map((items) => items[0].json.jobId)).toEqual(jobIds);
	});

	it('refuses unsigned and wrongly signed calls with 401, starts nothing and reads nothing from Pique', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const [jobId] = await finishedJobs(1);
		const before = resultGets(sandbox, jobId);
		const warnings = await warningsDuring(async () => {
			for (const kind of ['unsigned', 'badSignature'] as const) {
				const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId, kind, times: 2 });
				expect(report.attempts.map((attempt) => attempt.status)).toEqual([401, 401]);
			}
		});
		expect(server.executions).toHaveLength(0);
		expect(resultGets(sandbox, jobId)).toBe(before);
		expect(warnings.some((line) => line.includes('no X-Webhook-Signature header'))).toBe(true);
		expect(warnings.some((line) => line.includes('does not match the body'))).toBe(true);
		expect(warnings.join('\n')).not.toContain(sandbox.config().webhookSecret);
	});

	it('refuses every call while the credential has no Webhook Secret', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox, '') });
		const [jobId] = await finishedJobs(1);
		const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId });
		expect(report.attempts[0].status).toBe(401);
		expect(server.executions).toHaveLength(0);
	});

	it('starts one execution for a retried delivery and for concurrent copies of it', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const [retried, concurrent] = await finishedJobs(2);
		const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId: retried, times: 3 });
		expect(report.attempts.map((attempt) => attempt.status)).toEqual([200, 200, 200]);
		const copies = await Promise.all(
			Array.from({ length: 6 }, async () => await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId: concurrent })),
		);
		expect(copies.map((copy) => copy.attempts[0].status)).toEqual(Array(6).fill(200));
		expect(server.executions.map((items) => items[0].json.jobId)).toEqual([retried, concurrent]);
	});

	it('out of order: a stale "processing" delivery of a running job emits nothing; the final one emits; a stale one after it nothing', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		sandbox.configure({ piqueProcessingMs: 60_000 });
		let jobId: string;
		try {
			[jobId] = await submitVideos(sandbox, [`https://youtube.com/shorts/slow-${Date.now()}`]);
			const early = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId, kind: 'stale' });
			expect(early.attempts[0].status).toBe(200);
			expect(server.executions).toHaveLength(0);
		} finally {
			sandbox.configure({ piqueProcessingMs: 80 });
		}
		await untilPiqueFinished(sandbox, [jobId]);
		await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId });
		const late = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId, kind: 'stale' });
		expect(late.attempts[0].status).toBe(200);
		expect(server.executions.map((items) => items[0].json)).toEqual([(await piqueResultItem(sandbox, jobId)).json]);
	});

	it('a signed delivery for a job this account does not have: 200 (Pique stops retrying), nothing emitted, a warning', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		let status: number | undefined;
		const warnings = await warningsDuring(async () => {
			const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, kind: 'unknownJob' });
			status = report.attempts[0].status;
		});
		expect(status).toBe(200);
		expect(server.executions).toHaveLength(0);
		expect(warnings.some((line) => /has no evaluation .* for this credential \(404\)/.test(line))).toBe(true);
	});

	it('a signed body that is not JSON: 400, nothing emitted; a body over 1 MiB: 413 before it is verified', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const report = await sandbox.deliverWebhook({ provider: 'pique', url: server.url, kind: 'notJson' });
		expect(report.attempts[0].status).toBe(400);
		const big = JSON.stringify({ job_id: 'x', padding: 'a'.repeat(1024 * 1024) });
		const signature = `sha256=${createHmac('sha256', sandbox.config().webhookSecret).update(big).digest('hex')}`;
		const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': signature }, body: big });
		expect(response.status).toBe(413);
		expect(server.executions).toHaveLength(0);
	});

	it('emits a failed evaluation with status "failed" and Pique\'s error, routable like Get Result', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const [jobId] = await finishedJobs(1, 'will-fail');
		await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId });
		expect(server.executions[0][0].json).toMatchObject({ jobId, status: 'failed', error: expect.any(String) });
	});

	it('takes Pique\'s own webhook (the job\'s webhook_url) and, watching the same account, the polling trigger still emits the job once too', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const [jobId] = await submitVideos(sandbox, [`https://youtube.com/shorts/own-${Date.now()}`], server.url);
		await untilPiqueFinished(sandbox, [jobId]);
		expect(await ownDeliveries(sandbox, jobId)).toEqual([200]);
		const poller = { provider: 'pique' as const, nodeId: 'poller', workflowId: 'poller-workflow', options: { includeFailed: true } };
		const staticData = {};
		const polled = async () => (await pollOnce(sandbox, poller, staticData)) ?? [];
		await sandbox.deliverWebhook({ provider: 'pique', url: server.url, jobId });
		const first = await polled();
		const second = await polled();
		expect(server.executions).toHaveLength(1);
		expect([...first, ...second].filter((item) => item.json.jobId === jobId)).toHaveLength(1);
	});
});
