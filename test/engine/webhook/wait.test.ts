import { createRunExecutionData } from 'n8n-workflow';

import { ImageIntelligence } from '../../../nodes/ImageIntelligence/ImageIntelligence.node';
import { Pique } from '../../../nodes/Pique/Pique.node';
import { openLedger } from '../../../nodes/shared/ledger';
import { WAIT_LIMIT_BACKSTOP_MS } from '../../../nodes/shared/webhooks/wait-limit';
import { runNode } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { runII } from '../image-intelligence/helpers';
import { JUDGES, judge, runPique } from '../pique/helpers';
import { useTempLedger } from '../trigger/helpers';
import { useWebhookServers } from './helpers';

const sandboxRef = useSandbox({ piqueProcessingMs: 150, imageIntelligenceProcessingMs: 100 });
useTempLedger();
const startServer = useWebhookServers();
const pique = new Pique();
const imageIntelligence = new ImageIntelligence();

const piqueCredentials = (sandbox: Sandbox, webhookSecret = sandbox.config().webhookSecret) => ({
	piqueApi: { ...sandboxCredentials(sandbox).piqueApi, webhookSecret },
});

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('Wait for the Result "until the provider calls back" (n8n\'s waiting webhooks)', () => {
	it('Pique Social Media: jobs get the execution\'s resume URL, the execution waits, and resumes with Wait for Completion\'s items once every job called back', async () => {
		const sandbox = sandboxRef.current;
		const executionId = `exec-wait-${Date.now()}`;
		const nodeId = 'pique-waiting-node';
		const credentials = piqueCredentials(sandbox);
		const server = await startServer(pique, { credentials, executionId, nodeId, resumesOnce: true });
		const runExecutionData = createRunExecutionData({ resumeToken: 'resume-token-123' });
		const before = Date.now();
		const [submitted] = await runNode(pique, {
			parameters: {
				resource: 'evaluation',
				operation: 'evaluateSocialMedia',
				judge: judge(JUDGES.video),
				videoUrls: ['https://youtube.com/shorts/wait-pass-1', 'https://youtube.com/shorts/wait-2'],
				waitMode: 'callback',
				waitLimitMinutes: 5,
			},
			credentials,
			executionId,
			nodeId,
			webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
			runExecutionData,
		});
		expect(submitted).toHaveLength(2);
		const jobIds = submitted.map((item) => String(item.json.jobId));
		// n8n's own timer is a backstop 30 minutes past the limit: the sweeper calls the node at the limit.
		const waitTill = runExecutionData.waitTill?.getTime() ?? 0;
		expect(waitTill).toBeGreaterThanOrEqual(before + 5 * 60_000 + WAIT_LIMIT_BACKSTOP_MS);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + WAIT_LIMIT_BACKSTOP_MS);
		expect(WAIT_LIMIT_BACKSTOP_MS).toBe(30 * 60_000);
		const ledger = await openLedger();
		const limit = await ledger.waitLimit(executionId, nodeId);
		expect(limit).toMatchObject({ onLimit: 'error', resumeUrl: `${server.origin}/webhook-waiting/${executionId}?signature=resume-token-123` });
		expect(limit?.deadline).toBe(waitTill - WAIT_LIMIT_BACKSTOP_MS);

		await until(() => server.executions.length === 1, 'the execution to resume');
		await sandbox.webhooksIdle();
		const calls = sandbox.webhookDeliveries.filter((delivery) => jobIds.includes(delivery.jobId));
		// Both jobs call the execution's resume URL (with its token); the one that comes second may find it resumed (409) and retry.
		expect([...new Set(calls.map((call) => call.url))]).toEqual([`${server.origin}/webhook-waiting/${executionId}?signature=resume-token-123`]);
		expect(new Set(calls.map((call) => call.jobId))).toEqual(new Set(jobIds));
		expect(server.answers.filter((answer) => answer.started)).toHaveLength(1);

		const waited = await runPique(sandbox, { resource: 'evaluation', operation: 'waitForCompletion', jobId: '={{ $json.jobId }}', pollInterval: 0.1 }, submitted);
		// Both videos came from input item 0: both results pair with it, as the submitted items did.
		expect(submitted.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(server.executions[0]).toEqual(waited.map((item) => ({ json: item.json, pairedItem: { item: 0 } })));
		expect(server.executions[0][0].json).toMatchObject({ jobId: jobIds[0], status: 'completed', passed: true });
		// Resumed: the ledger forgets the wait (nothing left for the sweeper).
		expect(await ledger.waitLimit(executionId, nodeId)).toBeUndefined();
		expect(await ledger.waitingJobs(executionId, nodeId)).toEqual([]);
	});

	it('refuses forged callbacks (401), ignores jobs the execution does not wait for and a job still running, resumes on the final call', async () => {
		const sandbox = sandboxRef.current;
		const executionId = `exec-forged-${Date.now()}`;
		const nodeId = 'pique-forged-node';
		const credentials = piqueCredentials(sandbox);
		const server = await startServer(pique, { credentials, executionId, nodeId, resumesOnce: true });
		sandbox.configure({ piqueProcessingMs: 60_000 });
		let jobId: string;
		try {
			const [submitted] = await runNode(pique, {
				parameters: { resource: 'evaluation', operation: 'evaluateSocialMedia', judge: judge(JUDGES.video), videoUrls: ['https://youtube.com/shorts/slow'], waitMode: 'callback' },
				credentials,
				executionId,
				nodeId,
				webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
			});
			jobId = String(submitted[0].json.jobId);
			const resumeUrl = `${server.origin}/webhook-waiting/${executionId}`;
			for (const kind of ['unsigned', 'badSignature'] as const) {
				expect((await sandbox.deliverWebhook({ provider: 'pique', url: resumeUrl, jobId, kind })).attempts[0].status).toBe(401);
			}
			expect((await sandbox.deliverWebhook({ provider: 'pique', url: resumeUrl, kind: 'unknownJob' })).attempts[0].status).toBe(200);
			expect((await sandbox.deliverWebhook({ provider: 'pique', url: resumeUrl, jobId, kind: 'stale' })).attempts[0].status).toBe(200);
			expect(server.executions).toHaveLength(0);
		} finally {
			sandbox.configure({ piqueProcessingMs: 150 });
		}
		sandbox.advanceTime(60_000);
		await until(() => server.executions.length === 1, 'Pique\'s own callback to resume the execution');
		const resumeUrl = `${server.origin}/webhook-waiting/${executionId}`;
		expect((await sandbox.deliverWebhook({ provider: 'pique', url: resumeUrl, jobId })).attempts[0].status).toBe(409);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json).toMatchObject({ jobId, status: 'completed' });
	});

	it('without a Webhook Secret in the credential it submits nothing and says why', async () => {
		const sandbox = sandboxRef.current;
		const before = sandbox.requests({ method: 'POST', pathPrefix: '/pique/v1/evaluations/social-media' }).length;
		await expect(
			runNode(pique, {
				parameters: { resource: 'evaluation', operation: 'evaluateSocialMedia', judge: judge(JUDGES.video), videoUrls: ['https://youtube.com/shorts/x'], waitMode: 'callback' },
				credentials: piqueCredentials(sandbox, ''),
			}),
		).rejects.toThrow('Waiting for Pique\'s call needs the Webhook Secret in the Pique credential');
		expect(sandbox.requests({ method: 'POST', pathPrefix: '/pique/v1/evaluations/social-media' }).length).toBe(before);
	});

	it('Image Intelligence Create: the job calls the resume URL and the execution resumes with Wait for Completion\'s item', async () => {
		const sandbox = sandboxRef.current;
		const executionId = `exec-ii-${Date.now()}`;
		const nodeId = 'ii-waiting-node';
		const credentials = { imageIntelligenceApi: sandboxCredentials(sandbox).imageIntelligenceApi };
		const server = await startServer(imageIntelligence, { credentials, executionId, nodeId, resumesOnce: true });
		const runExecutionData = createRunExecutionData({});
		const [submitted] = await runNode(imageIntelligence, {
			parameters: {
				resource: 'ask',
				operation: 'create',
				question: 'Is the garage door open?',
				imageSource: 'url',
				imageUrls: { image: [{ url: `${sandbox.url}/files/design.png?answer=yes` }] },
				waitMode: 'callback',
			},
			credentials,
			executionId,
			nodeId,
			webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
			runExecutionData,
		});
		expect(runExecutionData.waitTill).toBeInstanceOf(Date);
		await until(() => server.executions.length === 1, 'the execution to resume');
		const [waited] = await runII(sandbox, { resource: 'ask', operation: 'waitForCompletion', jobId: '={{ $json.jobId }}', pollInterval: 0.1 }, submitted);
		expect(server.executions[0]).toEqual([{ json: waited.json, pairedItem: { item: 0 } }]);
		expect(server.executions[0][0].json).toMatchObject({ answer: 'yes', finished: true });
	});
});
