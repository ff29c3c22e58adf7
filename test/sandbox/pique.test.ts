import { createHash, createHmac } from 'node:crypto';

import { blobBytes } from '../../sandbox/fixtures';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, call, startReceiver, startTestSandbox, until } from './helpers';

const HOUR = 60_000;
let sandbox: Sandbox;
let api: string;
const key = { 'x-api-key': SANDBOX_KEYS.pique.apiKey };

beforeAll(async () => {
	sandbox = await startTestSandbox({ hourMs: HOUR });
	api = sandbox.baseUrls.pique;
});
afterAll(() => sandbox.close());

type Judge = {
	id: string;
	name: string;
	description: string;
	content_type: string;
	status: string;
	detector_configs: Array<{ id: string; detector_name: string; config: Record<string, unknown>; weight: number }>;
	is_active: boolean;
	created_at: string;
	updated_at: string;
};
type Presigned = { job_id: string; upload_url: string; upload_headers: Record<string, string>; expires_at: string };
type Result = {
	event: string;
	job_id: string;
	content_id: string;
	judge_id: string;
	status: string;
	overall_score?: number;
	detector_results?: Array<{
		detector_name: string;
		detector_config_id: string;
		pass_check: boolean;
		score: number;
		rationale: string;
		metrics: Record<string, unknown>;
		timestamps: unknown[];
		flagged_frames: unknown[];
	}>;
	error?: string;
	timestamp: string;
};

function presign(body: Record<string, unknown>) {
	return call<Presigned>(`${api}/v1/evaluations/presigned-upload`, { method: 'POST', headers: key, json: body });
}

function videoUpload(filename: string, size: number, extra: Record<string, unknown> = {}) {
	return presign({ judge_id: sandbox.judges.video, content_type: 'video', filename, file_size_bytes: size, ...extra });
}

function put(p: Presigned, body: Buffer, headers: Record<string, string> = p.upload_headers, url = p.upload_url) {
	return call(url, { method: 'PUT', headers, body });
}

const result = (jobId: string) => call<Result>(`${api}/v1/evaluations/results/${jobId}`, { headers: key });
const finalResult = (jobId: string) =>
	until(
		() => result(jobId),
		(r) => r.body.status === 'completed' || r.body.status === 'failed',
	);

describe('Pique auth and judges', () => {
	it('answers 401 {detail} without or with a wrong X-API-Key', async () => {
		for (const headers of [{}, { 'x-api-key': 'pq_wrong' }]) {
			const r = await call(`${api}/v1/judges`, { headers });
			expect(r.status).toBe(401);
			expect(r.body).toEqual({ detail: 'Invalid or missing API key' });
		}
	});

	it('lists the seeded judges newest first with paging and a content_type filter', async () => {
		const all = await call<{ judges: Judge[]; total: number; has_more: boolean }>(`${api}/v1/judges`, { headers: key });
		expect(all.status).toBe(200);
		expect(all.body.total).toBe(3);
		expect(all.body.has_more).toBe(false);
		expect(all.body.judges.map((j) => j.content_type)).toEqual(['video', 'image', 'audio']);
		for (const j of all.body.judges) {
			expect(j).toEqual({
				id: expect.any(String),
				name: expect.any(String),
				description: expect.any(String),
				content_type: expect.any(String),
				status: 'ready',
				detector_configs: expect.any(Array),
				is_active: true,
				created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			});
			expect(j.detector_configs.length).toBeGreaterThan(0);
		}
		const page = await call<{ judges: Judge[]; total: number; has_more: boolean }>(`${api}/v1/judges?limit=1&offset=1`, { headers: key });
		expect(page.body).toMatchObject({ total: 3, has_more: true });
		expect(page.body.judges.map((j) => j.id)).toEqual([sandbox.judges.image]);
		const video = await call<{ judges: Judge[]; total: number }>(`${api}/v1/judges?content_type=video`, { headers: key });
		expect(video.body.judges.map((j) => j.id)).toEqual([sandbox.judges.video]);
	});

	it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'content_type=gif'])('answers 422 {detail: [...]} for %s', async (query) => {
		const r = await call<{ detail: Array<{ loc: string[]; msg: string; type: string }> }>(`${api}/v1/judges?${query}`, { headers: key });
		expect(r.status).toBe(422);
		expect(r.body.detail[0]).toEqual({ loc: ['query', query.split('=')[0]], msg: expect.any(String), type: expect.any(String) });
	});

	it('gets a judge by id, 404 Judge not found otherwise', async () => {
		const r = await call<Judge>(`${api}/v1/judges/${sandbox.judges.image}`, { headers: key });
		expect(r.body.content_type).toBe('image');
		const missing = await call(`${api}/v1/judges/nope`, { headers: key });
		expect(missing.status).toBe(404);
		expect(missing.body).toEqual({ detail: 'Judge not found' });
	});

	it('creates judges (pending, then ready) and validates them with 422', async () => {
		const r = await call<{ id: string; status: string }>(`${api}/v1/judges`, {
			method: 'POST',
			headers: key,
			json: { name: 'Thumbnails', description: 'Checks thumbnails', content_type: 'image', detectors: [{ detector_name: 'sharpness', config: { threshold: 10 } }] },
		});
		expect(r.status).toBe(201);
		expect(r.body).toEqual({ id: expect.any(String), status: 'pending' });
		const list = await call<{ judges: Judge[]; total: number }>(`${api}/v1/judges`, { headers: key });
		expect(list.body.total).toBe(4);
		expect(list.body.judges[0].id).toBe(r.body.id);
		sandbox.advanceTime(1000);
		expect((await call<Judge>(`${api}/v1/judges/${r.body.id}`, { headers: key })).body.status).toBe('ready');
		for (const bad of [
			{},
			{ name: '', description: 'd', content_type: 'image', detectors: [{ detector_name: 'x', config: {} }] },
			{ name: 'n', description: 'd'.repeat(2001), content_type: 'image', detectors: [{ detector_name: 'x', config: {} }] },
			{ name: 'n', description: 'd', content_type: 'pdf', detectors: [{ detector_name: 'x', config: {} }] },
			{ name: 'n', description: 'd', content_type: 'image', detectors: [] },
		]) {
			const v = await call<{ detail: unknown[] }>(`${api}/v1/judges`, { method: 'POST', headers: key, json: bad });
			expect(v.status).toBe(422);
			expect(Array.isArray(v.body.detail)).toBe(true);
		}
	});
});

describe('Pique direct upload', () => {
	it('presigns, accepts the exact PUT, then goes pending -> processing -> completed', async () => {
		const bytes = blobBytes(150_000, 7);
		const p = await videoUpload('launch-teaser.mp4', bytes.length, { title: 'Teaser' });
		expect(p.status).toBe(200);
		expect(p.body).toEqual({
			job_id: expect.any(String),
			upload_url: expect.stringMatching(/\/gcs\/pique-uploads\/.+\?X-Goog-Algorithm=.*X-Goog-Signature=[0-9a-f]{64}$/),
			upload_headers: { 'Content-Type': 'video/mp4', 'x-goog-content-length-range': `${bytes.length},${bytes.length}`, 'x-goog-meta-job-id': p.body.job_id },
			expires_at: expect.any(String),
		});
		const expiresIn = Date.parse(p.body.expires_at) - sandbox.now();
		expect(expiresIn).toBeGreaterThan(HOUR / 4 - 1000);
		expect(expiresIn).toBeLessThanOrEqual(HOUR / 4);

		const waiting = await result(p.body.job_id);
		expect(waiting.body).toEqual({
			event: 'evaluation.pending',
			job_id: p.body.job_id,
			content_id: expect.any(String),
			judge_id: sandbox.judges.video,
			status: 'awaiting_upload',
			timestamp: expect.any(String),
		});

		const uploaded = await put(p.body, bytes);
		expect(uploaded.status).toBe(200);
		expect(sandbox.uploads.get(p.body.job_id)).toEqual({
			bytes: bytes.length,
			sha256: createHash('sha256').update(bytes).digest('hex'),
			contentType: 'video/mp4',
		});
		const seen = new Set<string>();
		const done = await until(
			async () => {
				const r = await result(p.body.job_id);
				seen.add(r.body.status);
				return r;
			},
			(r) => r.body.status === 'completed',
			5000,
			5,
		);
		expect(seen.has('pending') || seen.has('processing')).toBe(true);
		const body = done.body;
		expect(body.event).toBe('evaluation.completed');
		expect(body.error).toBeUndefined();
		expect(typeof body.overall_score).toBe('number');
		const judge = (await call<Judge>(`${api}/v1/judges/${sandbox.judges.video}`, { headers: key })).body;
		expect(body.detector_results?.map((d) => d.detector_config_id)).toEqual(judge.detector_configs.map((d) => d.id));
		for (const d of body.detector_results ?? []) {
			const threshold = judge.detector_configs.find((c) => c.id === d.detector_config_id)?.config.threshold as number;
			expect(d.pass_check).toBe(d.score >= threshold);
			expect(d).toEqual({
				detector_name: expect.any(String),
				detector_config_id: expect.any(String),
				pass_check: expect.any(Boolean),
				score: expect.any(Number),
				rationale: expect.any(String),
				metrics: expect.any(Object),
				timestamps: expect.any(Array),
				flagged_frames: expect.any(Array),
			});
		}
		expect(Date.parse(body.timestamp)).not.toBeNaN();
		// A second PUT is refused.
		expect((await put(p.body, bytes)).status).toBe(412);
	});

	it('refuses wrong or missing headers, a tampered URL and a wrong size; the job stays awaiting_upload', async () => {
		const bytes = blobBytes(1000, 1);
		const p = (await videoUpload('clip.mp4', bytes.length)).body;
		const wrongType = await put(p, bytes, { ...p.upload_headers, 'Content-Type': 'video/webm' });
		expect(wrongType.status).toBe(403);
		expect(wrongType.text).toContain('<Code>SignatureDoesNotMatch</Code>');
		expect(wrongType.headers.get('content-type')).toBe('application/xml');
		const missing = Object.fromEntries(Object.entries(p.upload_headers).filter(([name]) => name !== 'x-goog-meta-job-id'));
		expect((await put(p, bytes, missing)).status).toBe(403);
		expect((await put(p, bytes, p.upload_headers, p.upload_url.replace('X-Goog-Expires=900', 'X-Goog-Expires=9000'))).status).toBe(403);
		expect((await call(p.upload_url, { method: 'GET' })).status).toBe(403);
		const small = await put(p, bytes.subarray(0, 999));
		expect(small.status).toBe(400);
		expect(small.text).toContain('EntityTooSmall');
		expect((await put(p, Buffer.concat([bytes, bytes]))).status).toBe(400);
		expect((await result(p.job_id)).body.status).toBe('awaiting_upload');
		expect(sandbox.uploads.has(p.job_id)).toBe(false);
		expect((await put(p, bytes)).status).toBe(200);
	});

	it('refuses an upload after expires_at (15 sandbox minutes)', async () => {
		const bytes = blobBytes(500, 2);
		const p = (await videoUpload('late.mp4', bytes.length)).body;
		sandbox.advanceTime(HOUR / 4);
		const r = await put(p, bytes);
		expect(r.status).toBe(400);
		expect(r.text).toContain('<Code>ExpiredToken</Code>');
		expect((await result(p.job_id)).body.status).toBe('awaiting_upload');
	});

	it('validates presigned-upload: 404 unknown judge, 422 mismatched or bad fields', async () => {
		const unknown = await presign({ judge_id: 'nope', content_type: 'video', filename: 'a.mp4', file_size_bytes: 10 });
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({ detail: 'Judge not found' });
		for (const bad of [
			{ judge_id: sandbox.judges.video, content_type: 'image', filename: 'a.png', file_size_bytes: 10 },
			{ judge_id: sandbox.judges.video, content_type: 'video', filename: '', file_size_bytes: 10 },
			{ judge_id: sandbox.judges.video, content_type: 'video', filename: 'a'.repeat(256), file_size_bytes: 10 },
			{ judge_id: sandbox.judges.video, content_type: 'video', filename: 'a.mp4', file_size_bytes: 0 },
			{ judge_id: sandbox.judges.video, content_type: 'text', filename: 'a.txt', file_size_bytes: 10 },
			{ judge_id: sandbox.judges.video, content_type: 'video', filename: 'a.mp4', file_size_bytes: 10, webhook_url: 'ftp://x' },
		]) {
			const r = await presign(bad);
			expect(r.status).toBe(422);
		}
		const image = await presign({ judge_id: sandbox.judges.image, content_type: 'image', filename: 'shot.png', file_size_bytes: 10 });
		expect(image.body.upload_headers['Content-Type']).toBe('image/png');
	});

	it('fails content whose filename contains "fail"; "pass" and "reject" steer the detectors', async () => {
		const run = async (filename: string) => {
			const bytes = blobBytes(300, filename.length);
			const p = (await videoUpload(filename, bytes.length)).body;
			await put(p, bytes);
			return (await finalResult(p.job_id)).body;
		};
		const failed = await run('broken-fail.mp4');
		expect(failed).toEqual({
			event: 'evaluation.failed',
			job_id: expect.any(String),
			content_id: expect.any(String),
			judge_id: sandbox.judges.video,
			status: 'failed',
			error: expect.any(String),
			timestamp: expect.any(String),
		});
		const passing = await run('pass-me.mp4');
		expect(passing.detector_results?.every((d) => d.pass_check)).toBe(true);
		const rejected = await run('reject-me.mp4');
		expect(rejected.detector_results?.every((d) => !d.pass_check)).toBe(true);
		expect(rejected.overall_score).toBeLessThan(passing.overall_score as number);
	});

	it('answers 404 {detail} for an unknown job', async () => {
		const r = await result('00000000-0000-0000-0000-000000000000');
		expect(r.status).toBe(404);
		expect(r.body).toEqual({ detail: 'Job not found' });
	});
});

describe('Pique social media and webhooks', () => {
	const social = (body: Record<string, unknown>) =>
		call<{ batch_id: string; jobs: Array<{ job_id: string; url: string; status: string; error_message: string | null }>; total_videos: number; webhook_id: string | null }>(
			`${api}/v1/evaluations/social-media`,
			{ method: 'POST', headers: key, json: body },
		);

	it('evaluates 1-20 video URLs; "unavailable" ones fail at once', async () => {
		const r = await social({
			judge_id: sandbox.judges.video,
			video_urls: ['https://www.tiktok.com/@brand/video/1', 'https://www.instagram.com/reel/unavailable-2'],
		});
		expect(r.status).toBe(200);
		expect(r.body).toEqual({
			batch_id: expect.any(String),
			jobs: [
				{ job_id: expect.any(String), url: 'https://www.tiktok.com/@brand/video/1', status: 'pending', error_message: null },
				{ job_id: expect.any(String), url: 'https://www.instagram.com/reel/unavailable-2', status: 'failed', error_message: expect.any(String) },
			],
			total_videos: 2,
			webhook_id: null,
		});
		expect((await finalResult(r.body.jobs[0].job_id)).body.status).toBe('completed');
		const failed = (await result(r.body.jobs[1].job_id)).body;
		expect(failed).toMatchObject({ status: 'failed', event: 'evaluation.failed', error: expect.any(String) });
	});

	it('validates batches: 0 or 21 URLs, non-http URLs, non-video judges, unknown judges', async () => {
		const url = (i: number) => `https://youtube.com/shorts/${i}`;
		for (const body of [
			{ judge_id: sandbox.judges.video, video_urls: [] },
			{ judge_id: sandbox.judges.video, video_urls: Array.from({ length: 21 }, (_, i) => url(i)) },
			{ judge_id: sandbox.judges.video, video_urls: ['ftp://x/y'] },
			{ judge_id: sandbox.judges.image, video_urls: [url(1)] },
		]) {
			expect((await social(body)).status).toBe(422);
		}
		expect((await social({ judge_id: 'nope', video_urls: [url(1)] })).status).toBe(404);
		expect((await social({ judge_id: sandbox.judges.video, video_urls: Array.from({ length: 20 }, (_, i) => url(i)) })).status).toBe(200);
	});

	it('signs webhooks with sha256=<hex HMAC of the raw body> and retries on failure', async () => {
		const receiver = await startReceiver((i) => (i === 0 ? 500 : 200));
		try {
			const r = await social({ judge_id: sandbox.judges.video, video_urls: ['https://youtube.com/shorts/hook'], webhook_url: receiver.url });
			expect(r.body.webhook_id).toEqual(expect.any(String));
			await until(async () => receiver.received.length, (n) => n >= 2, 5000);
			for (const hook of receiver.received) {
				const expected = createHmac('sha256', 'whsec_sandbox').update(hook.body).digest('hex');
				expect(hook.headers['x-webhook-signature']).toBe(`sha256=${expected}`);
				expect(JSON.parse(hook.body)).toMatchObject({ event: 'evaluation.completed', job_id: r.body.jobs[0].job_id, status: 'completed' });
			}
			expect(receiver.received[0].body).toBe(receiver.received[1].body);
			const attempts = sandbox.webhookDeliveries.filter((d) => d.jobId === r.body.jobs[0].job_id);
			expect(attempts.map((a) => a.status)).toEqual([500, 200]);
		} finally {
			await receiver.close();
		}
	});

	it('sends the failed event for direct uploads too, and never to non-loopback hosts', async () => {
		const receiver = await startReceiver();
		try {
			const bytes = blobBytes(100, 3);
			const p = (await videoUpload('will-fail.mp4', bytes.length, { webhook_url: receiver.url })).body;
			await put(p, bytes);
			await until(async () => receiver.received.length, (n) => n >= 1);
			expect(JSON.parse(receiver.received[0].body)).toMatchObject({ event: 'evaluation.failed', job_id: p.job_id });
			const q = (await videoUpload('elsewhere.mp4', bytes.length, { webhook_url: 'https://hooks.example.com/pique' })).body;
			await put(q, bytes);
			await finalResult(q.job_id);
			await until(async () => sandbox.webhookDeliveries.filter((d) => d.jobId === q.job_id), (d) => d.length > 0);
			expect(sandbox.webhookDeliveries.find((d) => d.jobId === q.job_id)).toMatchObject({ attempt: 0, error: expect.stringContaining('loopback') });
		} finally {
			await receiver.close();
		}
	});
});
