import { createHmac } from 'node:crypto';

import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, call, startReceiver, startTestSandbox, until } from './helpers';

let sandbox: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	receiver = await startReceiver((index) => (index === 1 ? 401 : 200));
});
afterAll(async () => {
	await receiver.close();
	await sandbox.close();
});
beforeEach(() => {
	receiver.received.length = 0;
});

const hmac = (body: string, secret: string) => createHmac('sha256', secret).update(body);

async function finishedPiqueJob(): Promise<string> {
	const r = await call<{ jobs: Array<{ job_id: string }> }>(`${sandbox.baseUrls.pique}/v1/evaluations/social-media`, {
		method: 'POST',
		headers: { 'x-api-key': SANDBOX_KEYS.pique.apiKey },
		json: { judge_id: sandbox.judges.video, video_urls: ['https://youtube.com/shorts/pass-1'] },
	});
	const jobId = r.body.jobs[0].job_id;
	await until(
		() => call<{ status: string }>(`${sandbox.baseUrls.pique}/v1/evaluations/results/${jobId}`, { headers: { 'x-api-key': SANDBOX_KEYS.pique.apiKey } }),
		(result) => result.body.status === 'completed',
	);
	return jobId;
}

describe('webhook deliveries on demand', () => {
	it('sends a Pique job valid, stale, badly signed, unsigned, foreign and not JSON, each as asked', async () => {
		const jobId = await finishedPiqueJob();
		const secret = sandbox.config().webhookSecret;
		const send = (kind: 'valid' | 'stale' | 'badSignature' | 'unsigned' | 'unknownJob' | 'notJson') =>
			sandbox.deliverWebhook({ provider: 'pique', url: receiver.url, jobId, kind });

		const valid = await send('valid');
		expect(valid.attempts).toEqual([expect.objectContaining({ provider: 'pique', jobId, attempt: 1, status: 200 })]);
		const [hook] = receiver.received;
		expect(JSON.parse(hook.body)).toMatchObject({ job_id: jobId, status: 'completed', event: 'evaluation.completed' });
		expect(hook.headers['x-webhook-signature']).toBe(`sha256=${hmac(hook.body, secret).digest('hex')}`);

		await send('stale');
		const stale = receiver.received[1];
		expect(JSON.parse(stale.body)).toMatchObject({ job_id: jobId, status: 'processing', event: 'evaluation.pending' });
		expect(stale.headers['x-webhook-signature']).toBe(`sha256=${hmac(stale.body, secret).digest('hex')}`);

		await send('badSignature');
		const forged = receiver.received[2];
		expect(forged.body).toBe(hook.body);
		expect(forged.headers['x-webhook-signature']).not.toBe(hook.headers['x-webhook-signature']);

		await send('unsigned');
		expect(receiver.received[3].headers['x-webhook-signature']).toBeUndefined();

		const foreign = await send('unknownJob');
		expect(foreign.jobId).toBe(jobId);
		const foreignBody = receiver.received[4];
		expect(JSON.parse(foreignBody.body)).toMatchObject({ job_id: jobId, status: 'completed', overall_score: 99 });

		await send('notJson');
		const notJson = receiver.received[5];
		expect(() => JSON.parse(notJson.body) as unknown).toThrow();
		expect(notJson.headers['x-webhook-signature']).toBe(`sha256=${hmac(notJson.body, secret).digest('hex')}`);
	});

	it('repeats one delivery (a retry), reports each answer, and writes the signature in every documented encoding', async () => {
		const jobId = await finishedPiqueJob();
		const report = await sandbox.deliverWebhook({ provider: 'pique', url: receiver.url, jobId, times: 3 });
		expect(report.attempts.map((attempt) => attempt.status)).toEqual([200, 401, 200]);
		expect(new Set(receiver.received.map((hook) => hook.body)).size).toBe(1);
		const secret = sandbox.config().webhookSecret;
		for (const [encoding, expected] of [
			['hex', (body: string) => hmac(body, secret).digest('hex')],
			['base64', (body: string) => hmac(body, secret).digest('base64')],
			['prefixedBase64', (body: string) => `sha256=${hmac(body, secret).digest('base64')}`],
		] as const) {
			receiver.received.length = 0;
			await sandbox.deliverWebhook({ provider: 'pique', url: receiver.url, jobId, encoding });
			expect(receiver.received[0].headers['x-webhook-signature']).toBe(expected(receiver.received[0].body));
		}
	});

	it('sends an Image Intelligence job unsigned, as the provider does, and a stale copy in progress', async () => {
		const token = (await call<{ accessToken: string }>(`${sandbox.baseUrls.imageIntelligence}/oauth/token`, {
			method: 'POST',
			json: { clientId: SANDBOX_KEYS.imageIntelligence.clientId, clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret },
		})).body.accessToken;
		const job = await call<{ id: string }>(`${sandbox.baseUrls.imageIntelligence}/ask`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}` },
			json: { question: 'Open?', images: [{ url: `${sandbox.url}/files/design.png?answer=yes` }] },
		});
		const jobId = job.body.id;
		await until(
			() => call<{ status: string }>(`${sandbox.baseUrls.imageIntelligence}/ask/${jobId}`, { headers: { authorization: `Bearer ${token}` } }),
			(current) => current.body.status !== 'IN_PROGRESS',
		);
		await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: receiver.url, jobId });
		await sandbox.deliverWebhook({ provider: 'imageIntelligence', url: receiver.url, jobId, kind: 'stale' });
		expect(JSON.parse(receiver.received[0].body)).toMatchObject({ id: jobId, status: 'COMPLETED_SUCCESSFULLY', jobResults: { image: expect.any(Object) } });
		expect(receiver.received[0].headers['x-webhook-signature']).toBeUndefined();
		expect(JSON.parse(receiver.received[1].body)).toMatchObject({ id: jobId, status: 'IN_PROGRESS', jobResults: {} });
	});

	it('answers the control endpoint with the report, and 400 for an unknown job or a bad field', async () => {
		const jobId = await finishedPiqueJob();
		const ok = await call<{ jobId: string; attempts: Array<{ status: number }> }>(`${sandbox.url}/__sandbox/webhooks/deliver`, {
			method: 'POST',
			json: { provider: 'pique', url: receiver.url, jobId, kind: 'unsigned' },
		});
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ jobId, kind: 'unsigned', attempts: [{ status: 200 }] });
		const unknown = await call(`${sandbox.url}/__sandbox/webhooks/deliver`, { method: 'POST', json: { provider: 'pique', url: receiver.url, jobId: 'nope' } });
		expect(unknown.status).toBe(400);
		expect(unknown.body).toEqual({ error: 'No pique job nope in this sandbox' });
		const badKind = await call(`${sandbox.url}/__sandbox/webhooks/deliver`, { method: 'POST', json: { provider: 'pique', url: receiver.url, kind: 'late' } });
		expect(badKind.status).toBe(400);
	});
});
