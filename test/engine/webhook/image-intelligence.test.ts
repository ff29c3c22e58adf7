import { ImageIntelligenceTrigger } from '../../../nodes/ImageIntelligenceTrigger/ImageIntelligenceTrigger.node';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { runII } from '../image-intelligence/helpers';
import { useTempLedger } from '../trigger/helpers';
import { ownDeliveries, useWebhookServers, warningsDuring } from './helpers';

const trigger = new ImageIntelligenceTrigger();
const sandboxRef = useSandbox({ imageIntelligenceProcessingMs: 60 });
useTempLedger();
const startServer = useWebhookServers();

const credentials = (sandbox: Sandbox) => ({ imageIntelligenceApi: sandboxCredentials(sandbox).imageIntelligenceApi });

/** Ask jobs submitted through the Image Intelligence node (Ask → Create), their ids. */
async function ask(sandbox: Sandbox, image: string, webhookUrl?: string): Promise<string> {
	const [created] = await runII(sandbox, {
		resource: 'ask',
		operation: 'create',
		question: 'Is the garage door open?',
		imageSource: 'url',
		imageUrls: { image: [{ url: `${sandbox.url}/files/design.png?${image}` }] },
		options: webhookUrl ? { webhookUrl } : {},
	});
	return String(created.json.jobId);
}

async function getItem(sandbox: Sandbox, jobId: string) {
	const [item] = await runII(sandbox, { resource: 'ask', operation: 'get', jobId });
	return item;
}

async function untilFinished(sandbox: Sandbox, jobId: string): Promise<void> {
	while ((await getItem(sandbox, jobId)).json.finished !== true) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('Image Intelligence Trigger, deliveries from the sandbox', () => {
	it('takes the job Image Intelligence posts to its webhookUrl and emits it once, as Ask → Get outputs it', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const jobId = await ask(sandbox, 'answer=yes', server.url);
		await untilFinished(sandbox, jobId);
		expect(await ownDeliveries(sandbox, jobId)).toEqual([200]);
		const retried = await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, jobId, times: 2 });
		expect(retried.attempts.map((attempt) => attempt.status)).toEqual([200, 200]);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0]).toEqual([{ json: (await getItem(sandbox, jobId)).json }]);
		expect(server.executions[0][0].json).toMatchObject({ jobId, answer: 'yes', finished: true });
	});

	it('reads the job back: a forged body for a real job cannot change the answer', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const jobId = await ask(sandbox, 'answer=no');
		await untilFinished(sandbox, jobId);
		const forged = { id: jobId, status: 'COMPLETED_SUCCESSFULLY', question: 'Forged', jobResults: { image: { id: 'forged', url: 'https://evil.example/x.png' } }, imageResults: [] };
		const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
		expect(response.status).toBe(200);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json).toEqual((await getItem(sandbox, jobId)).json);
		expect(server.executions[0][0].json).toMatchObject({ answer: 'no', question: 'Is the garage door open?', chosenImage: null });
		expect(sandbox.requests({ method: 'GET', pathPrefix: `/imageintelligence/v2/ask/${jobId}` }).length).toBeGreaterThan(0);
	});

	it('a job this account does not have: 200, nothing emitted, a warning; a body that is not JSON: 400', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		const statuses: Array<number | undefined> = [];
		const warnings = await warningsDuring(async () => {
			statuses.push((await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, kind: 'unknownJob' })).attempts[0].status);
			statuses.push((await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, kind: 'notJson' })).attempts[0].status);
		});
		expect(statuses).toEqual([200, 400]);
		expect(server.executions).toHaveLength(0);
		expect(warnings.some((line) => /has no ask job .* for this credential \(404\)/.test(line))).toBe(true);
	});

	it('out of order: an in-progress copy emits nothing while the job runs, and nothing after the final one was emitted', async () => {
		const sandbox = sandboxRef.current;
		const server = await startServer(trigger, { credentials: credentials(sandbox) });
		sandbox.configure({ imageIntelligenceProcessingMs: 60_000 });
		let jobId: string;
		try {
			jobId = await ask(sandbox, 'answer=yes');
			const early = await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, jobId, kind: 'stale' });
			expect(early.attempts[0].status).toBe(200);
			// The job's final body arrives while the API still says IN_PROGRESS: 503, so that the provider delivers again.
			const ahead = await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, kind: 'unknownJob', jobId });
			expect(ahead.attempts[0].status).toBe(503);
			expect(server.executions).toHaveLength(0);
		} finally {
			sandbox.configure({ imageIntelligenceProcessingMs: 60 });
		}
		sandbox.advanceTime(60_000);
		await untilFinished(sandbox, jobId);
		await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, jobId });
		await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, jobId, kind: 'stale' });
		expect(server.executions.map((items) => items[0].json.jobId)).toEqual([jobId]);
	});

	it('two trigger nodes on one account each emit the job once', async () => {
		const sandbox = sandboxRef.current;
		const first = await startServer(trigger, { credentials: credentials(sandbox) });
		const second = await startServer(trigger, { credentials: credentials(sandbox) });
		const jobId = await ask(sandbox, 'answer=yes');
		await untilFinished(sandbox, jobId);
		for (const server of [first, second, first, second]) await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: server.url, jobId });
		expect(first.executions).toHaveLength(1);
		expect(second.executions).toHaveLength(1);
	});
});
