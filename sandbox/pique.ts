/**
 * Pique (PROVIDERS.md section 3) under /pique, and its "GCS" upload target under
 * /gcs/pique-uploads/<jobId>.
 *
 * Sandbox choices (not documented by Pique):
 * - validation errors answer 422 with FastAPI's `{ "detail": [{ loc, msg, type }] }`; other errors `{ "detail": "..." }`;
 * - POST /v1/judges answers 201; a new judge is `pending` for piqueProcessingMs, then `ready`
 *   (evaluations may use it at once); presigned-upload and social-media answer 200;
 * - presigned-upload needs the judge's content_type to equal the upload's (422 otherwise);
 *   file_size_bytes must be 1 byte .. 5 GiB; the upload URL is valid 15 sandbox minutes;
 * - upload_headers are `Content-Type` (from the filename's extension), `x-goog-content-length-range`
 *   (`<n>,<n>`) and `x-goog-meta-job-id`; each must be sent exactly;
 * - a second PUT after a successful upload answers 412 PreconditionFailed;
 * - after the upload: `pending` for the first quarter of piqueProcessingMs, then `processing`,
 *   then `completed` or `failed`;
 * - a filename or video URL containing "fail" ends `failed`; a video URL containing "unavailable"
 *   fails at once in the batch answer (`error_message`); "pass" in the name/URL makes every
 *   detector pass, "reject" makes every detector fail; otherwise scores come from a hash;
 * - scores are 0-100; `pass_check` is score >= the detector's `config.threshold` (default 60);
 *   `overall_score` is the weighted mean, one decimal;
 * - webhooks: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with webhookSecret,
 *   sent on completed and failed, up to 4 tries (see webhooks.ts).
 */
import { createHash } from 'node:crypto';

import type { Core } from './core.ts';
import { isHttpUrl, isRecord, json, readJson, xml } from './http.ts';
import { gcsError, signGcsUrl, verifyGcs } from './signing.ts';
import type { Reply, RequestContext } from './types.ts';
import { piqueSignature } from './webhooks.ts';

export const PIQUE_API_KEY = 'pq_sandbox_key';

/** The three judges every sandbox starts with. */
export const SANDBOX_PIQUE_JUDGES = {
	video: 'c0ffee00-0000-4000-8000-000000000001',
	image: 'c0ffee00-0000-4000-8000-000000000002',
	audio: 'c0ffee00-0000-4000-8000-000000000003',
} as const;

const CONTENT_TYPES = ['video', 'image', 'audio', 'text'] as const;
const UPLOAD_CONTENT_TYPES = ['video', 'image', 'audio'];
const MAX_FILE_BYTES = 5 * 1024 ** 3;

interface DetectorConfig {
	id: string;
	detector_name: string;
	config: Record<string, unknown>;
	weight: number;
}

interface Judge {
	id: string;
	name: string;
	description: string;
	content_type: string;
	detector_configs: DetectorConfig[];
	is_active: boolean;
	createdAt: number;
	readyAt: number;
}

interface Job {
	id: string;
	contentId: string;
	judgeId: string;
	createdAt: number;
	/** Label that drives the deterministic outcome: the filename or the video URL. */
	label: string;
	webhookUrl?: string;
	upload?: {
		filename: string;
		size: number;
		headers: Record<string, string>;
		expiresAt: number;
		url: string;
	};
	/** When processing started (upload landed, or batch creation); undefined while awaiting upload. */
	startedAt?: number;
	/** Fails at once (social media "unavailable"). */
	failedAtStart?: string;
	seed: string;
	webhookSent: boolean;
}

type ValidationIssue = { loc: Array<string | number>; msg: string; type: string };

function detail(status: number, message: string): Reply {
	return json(status, { detail: message });
}

function invalid(issues: ValidationIssue[]): Reply {
	return json(422, { detail: issues });
}

function issue(loc: Array<string | number>, msg: string, type = 'value_error'): ValidationIssue {
	return { loc, msg, type };
}

const MIME_BY_EXTENSION: Record<string, string> = {
	mp4: 'video/mp4',
	m4v: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mkv: 'video/x-matroska',
	avi: 'video/x-msvideo',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	m4a: 'audio/mp4',
	ogg: 'audio/ogg',
};

export function uploadContentType(filename: string): string {
	const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
	return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}

export class PiqueSandbox {
	private readonly core: Core;
	private readonly judges = new Map<string, Judge>();
	private readonly jobs = new Map<string, Job>();
	/** Jobs with a webhook still to send (so the ticker does not walk every job). */
	private readonly webhookPending = new Set<Job>();

	constructor(core: Core) {
		this.core = core;
		const start = core.clock.now();
		const day = 24 * 3600 * 1000;
		let judgeNumber = 0;
		const seed = (
			id: string,
			name: string,
			description: string,
			contentType: string,
			ageDays: number,
			detectors: Array<[string, Record<string, unknown>, number]>,
		) => {
			judgeNumber++;
			this.judges.set(id, {
				id,
				name,
				description,
				content_type: contentType,
				is_active: true,
				createdAt: start - ageDays * day,
				readyAt: start - ageDays * day,
				detector_configs: detectors.map(([detector_name, config, weight], index) => ({
					id: `dec0de00-0000-4000-8000-${String(judgeNumber * 100 + index + 1).padStart(12, '0')}`,
					detector_name,
					config,
					weight,
				})),
			});
		};
		seed(SANDBOX_PIQUE_JUDGES.audio, 'Podcast Audio Quality', 'Checks loudness, clipping and background noise of spoken audio.', 'audio', 30, [
			['loudness', { target_lufs: -16, threshold: 60 }, 1],
			['background_noise', { threshold: 55 }, 1],
		]);
		seed(SANDBOX_PIQUE_JUDGES.image, 'Product Image Standards', 'Checks that product photos are sharp, well lit and on brand.', 'image', 20, [
			['sharpness', { threshold: 60 }, 1],
			['brand_colors', { palette: ['#1E293B', '#F97316'], threshold: 50 }, 0.5],
			['text_legibility', { threshold: 65 }, 1],
		]);
		seed(SANDBOX_PIQUE_JUDGES.video, 'Social Video Hook', 'Scores how well a short video hooks viewers in the first seconds and stays on brand.', 'video', 10, [
			['hook_strength', { first_seconds: 3, threshold: 60 }, 2],
			['brand_safety', { threshold: 70 }, 1],
			['caption_presence', { threshold: 50 }, 1],
		]);
	}

	async handle(ctx: RequestContext): Promise<Reply> {
		if (ctx.req.headers['x-api-key'] !== PIQUE_API_KEY) return detail(401, 'Invalid or missing API key');
		const { method, subpath } = ctx;
		let m: RegExpExecArray | null;
		if (subpath === '/v1/judges' && method === 'GET') return this.listJudges(ctx);
		if (subpath === '/v1/judges' && method === 'POST') return this.createJudge(ctx);
		if (method === 'GET' && (m = /^\/v1\/judges\/([^/]+)$/.exec(subpath))) {
			const judge = this.judges.get(decodeURIComponent(m[1]));
			return judge ? json(200, this.judgeView(judge)) : detail(404, 'Judge not found');
		}
		if (subpath === '/v1/evaluations/presigned-upload' && method === 'POST') return this.presign(ctx);
		if (subpath === '/v1/evaluations/social-media' && method === 'POST') return this.socialMedia(ctx);
		if (method === 'GET' && (m = /^\/v1\/evaluations\/results\/([^/]+)$/.exec(subpath))) {
			const job = this.jobs.get(decodeURIComponent(m[1]));
			return job ? json(200, this.result(job)) : detail(404, 'Job not found');
		}
		return detail(404, 'Not Found');
	}

	private judgeView(judge: Judge): Record<string, unknown> {
		const now = this.core.clock.now();
		return {
			id: judge.id,
			name: judge.name,
			description: judge.description,
			content_type: judge.content_type,
			status: now >= judge.readyAt ? 'ready' : 'pending',
			detector_configs: judge.detector_configs,
			is_active: judge.is_active,
			created_at: new Date(judge.createdAt).toISOString(),
			updated_at: new Date(Math.min(now, judge.readyAt)).toISOString(),
		};
	}

	private listJudges(ctx: RequestContext): Reply {
		const issues: ValidationIssue[] = [];
		const int = (name: string, fallback: number, min: number, max: number): number => {
			const raw = ctx.query.get(name);
			if (raw === null) return fallback;
			const n = Number(raw);
			if (raw.trim() === '' || !Number.isInteger(n)) {
				issues.push(issue(['query', name], 'Input should be a valid integer', 'int_parsing'));
			} else if (n < min) {
				issues.push(issue(['query', name], `Input should be greater than or equal to ${min}`, 'greater_than_equal'));
			} else if (n > max) {
				issues.push(issue(['query', name], `Input should be less than or equal to ${max}`, 'less_than_equal'));
			}
			return n;
		};
		const limit = int('limit', 50, 1, 100);
		const offset = int('offset', 0, 0, Number.MAX_SAFE_INTEGER);
		const contentType = ctx.query.get('content_type');
		if (contentType !== null && !(CONTENT_TYPES as readonly string[]).includes(contentType)) {
			issues.push(issue(['query', 'content_type'], `Input should be ${CONTENT_TYPES.map((c) => `'${c}'`).join(', ')}`, 'enum'));
		}
		if (issues.length > 0) return invalid(issues);
		const all = [...this.judges.values()]
			.filter((j) => (contentType ? j.content_type === contentType : true))
			.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
		const page = all.slice(offset, offset + limit);
		return json(200, { judges: page.map((j) => this.judgeView(j)), total: all.length, has_more: offset + page.length < all.length });
	}

	private async body(ctx: RequestContext): Promise<{ body: Record<string, unknown> } | { reply: Reply }> {
		let body: unknown;
		try {
			body = await readJson(ctx.req, 1024 * 1024);
		} catch {
			return { reply: invalid([issue(['body'], 'JSON decode error', 'json_invalid')]) };
		}
		if (!isRecord(body)) return { reply: invalid([issue(['body'], 'Input should be a valid dictionary', 'dict_type')]) };
		return { body };
	}

	private async createJudge(ctx: RequestContext): Promise<Reply> {
		const parsed = await this.body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const { body } = parsed;
		const issues: ValidationIssue[] = [];
		const text = (name: string, max: number) => {
			const v = body[name];
			if (typeof v !== 'string') issues.push(issue(['body', name], 'Field required', 'missing'));
			else if (v.length < 1 || v.length > max) issues.push(issue(['body', name], `String should have 1 to ${max} characters`, 'string_length'));
		};
		text('name', 200);
		text('description', 2000);
		if (!(CONTENT_TYPES as readonly string[]).includes(String(body.content_type))) {
			issues.push(issue(['body', 'content_type'], "Input should be 'video', 'image', 'audio' or 'text'", 'enum'));
		}
		if (!Array.isArray(body.detectors) || body.detectors.length === 0) {
			issues.push(issue(['body', 'detectors'], 'List should have at least 1 item', 'too_short'));
		} else {
			body.detectors.forEach((d: unknown, i: number) => {
				if (!isRecord(d) || typeof d.detector_name !== 'string' || d.detector_name === '') {
					issues.push(issue(['body', 'detectors', i, 'detector_name'], 'Field required', 'missing'));
				} else if (d.config !== undefined && !isRecord(d.config)) {
					issues.push(issue(['body', 'detectors', i, 'config'], 'Input should be a valid dictionary', 'dict_type'));
				} else if (d.weight !== undefined && (typeof d.weight !== 'number' || d.weight <= 0)) {
					issues.push(issue(['body', 'detectors', i, 'weight'], 'Input should be greater than 0', 'greater_than'));
				}
			});
		}
		if (issues.length > 0) return invalid(issues);
		const now = this.core.clock.now();
		const id = crypto.randomUUID();
		const judge: Judge = {
			id,
			name: body.name as string,
			description: body.description as string,
			content_type: body.content_type as string,
			is_active: true,
			createdAt: now,
			readyAt: now + this.core.config.piqueProcessingMs,
			detector_configs: (body.detectors as Array<Record<string, unknown>>).map((d) => ({
				id: crypto.randomUUID(),
				detector_name: d.detector_name as string,
				config: isRecord(d.config) ? d.config : {},
				weight: typeof d.weight === 'number' ? d.weight : 1,
			})),
		};
		this.judges.set(id, judge);
		return json(201, { id, status: 'pending' });
	}

	private async presign(ctx: RequestContext): Promise<Reply> {
		const parsed = await this.body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const { body } = parsed;
		const issues: ValidationIssue[] = [];
		if (typeof body.judge_id !== 'string' || body.judge_id === '') issues.push(issue(['body', 'judge_id'], 'Field required', 'missing'));
		if (!UPLOAD_CONTENT_TYPES.includes(String(body.content_type))) {
			issues.push(issue(['body', 'content_type'], "Input should be 'video', 'image' or 'audio'", 'enum'));
		}
		if (typeof body.filename !== 'string' || body.filename.length < 1 || body.filename.length > 255) {
			issues.push(issue(['body', 'filename'], 'String should have 1 to 255 characters', 'string_length'));
		} else if (/[/\\]/.test(body.filename)) {
			issues.push(issue(['body', 'filename'], 'filename must not contain a path', 'value_error'));
		}
		const size = body.file_size_bytes;
		if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_FILE_BYTES) {
			issues.push(issue(['body', 'file_size_bytes'], `Input should be a whole number from 1 to ${MAX_FILE_BYTES}`, 'value_error'));
		}
		for (const name of ['title', 'description']) {
			if (body[name] !== undefined && body[name] !== null && typeof body[name] !== 'string') {
				issues.push(issue(['body', name], 'Input should be a valid string', 'string_type'));
			}
		}
		if (body.webhook_url !== undefined && body.webhook_url !== null && !isHttpUrl(body.webhook_url)) {
			issues.push(issue(['body', 'webhook_url'], 'Input should be a valid URL', 'url_parsing'));
		}
		if (issues.length > 0) return invalid(issues);
		const judge = this.judges.get(body.judge_id as string);
		if (!judge) return detail(404, 'Judge not found');
		if (judge.content_type !== body.content_type) {
			return invalid([
				issue(['body', 'content_type'], `Judge "${judge.name}" evaluates ${judge.content_type}, not ${String(body.content_type)}`),
			]);
		}
		const now = this.core.clock.now();
		const id = crypto.randomUUID();
		const filename = body.filename as string;
		const headers = {
			'Content-Type': uploadContentType(filename),
			'x-goog-content-length-range': `${size as number},${size as number}`,
			'x-goog-meta-job-id': id,
		};
		const path = `/gcs/pique-uploads/${id}`;
		const job: Job = {
			id,
			contentId: crypto.randomUUID(),
			judgeId: judge.id,
			createdAt: now,
			label: filename,
			webhookUrl: typeof body.webhook_url === 'string' ? body.webhook_url : undefined,
			upload: {
				filename,
				size: size as number,
				headers,
				expiresAt: now + this.core.config.hourMs / 4,
				url: signGcsUrl(this.core.url, path, now, Object.keys(headers)),
			},
			seed: '',
			webhookSent: false,
		};
		this.jobs.set(id, job);
		if (job.webhookUrl) this.webhookPending.add(job);
		return json(200, {
			job_id: id,
			upload_url: job.upload?.url,
			upload_headers: headers,
			expires_at: new Date(job.upload?.expiresAt ?? now).toISOString(),
		});
	}

	private async socialMedia(ctx: RequestContext): Promise<Reply> {
		const parsed = await this.body(ctx);
		if ('reply' in parsed) return parsed.reply;
		const { body } = parsed;
		const issues: ValidationIssue[] = [];
		if (typeof body.judge_id !== 'string' || body.judge_id === '') issues.push(issue(['body', 'judge_id'], 'Field required', 'missing'));
		const urls = body.video_urls;
		if (!Array.isArray(urls) || urls.length < 1 || urls.length > 20) {
			issues.push(issue(['body', 'video_urls'], 'List should have 1 to 20 items', 'list_length'));
		} else {
			urls.forEach((u: unknown, i: number) => {
				if (!isHttpUrl(u)) issues.push(issue(['body', 'video_urls', i], 'Input should be a valid http(s) URL', 'url_parsing'));
			});
		}
		if (body.webhook_url !== undefined && body.webhook_url !== null && !isHttpUrl(body.webhook_url)) {
			issues.push(issue(['body', 'webhook_url'], 'Input should be a valid URL', 'url_parsing'));
		}
		if (issues.length > 0) return invalid(issues);
		const judge = this.judges.get(body.judge_id as string);
		if (!judge) return detail(404, 'Judge not found');
		if (judge.content_type !== 'video') {
			return invalid([issue(['body', 'judge_id'], `Judge "${judge.name}" is not a video judge`)]);
		}
		const now = this.core.clock.now();
		const webhookUrl = typeof body.webhook_url === 'string' ? body.webhook_url : undefined;
		const jobs = (urls as string[]).map((url) => {
			const job: Job = {
				id: crypto.randomUUID(),
				contentId: crypto.randomUUID(),
				judgeId: judge.id,
				createdAt: now,
				label: url,
				webhookUrl,
				startedAt: now,
				failedAtStart: /unavailable/i.test(url)
					? 'Video is unavailable or private and could not be downloaded (sandbox: the URL contains "unavailable").'
					: undefined,
				seed: url,
				webhookSent: false,
			};
			this.jobs.set(job.id, job);
			if (job.webhookUrl) this.webhookPending.add(job);
			return job;
		});
		return json(200, {
			batch_id: crypto.randomUUID(),
			jobs: jobs.map((j) => ({
				job_id: j.id,
				url: j.label,
				status: j.failedAtStart ? 'failed' : 'pending',
				error_message: j.failedAtStart ?? null,
			})),
			total_videos: jobs.length,
			webhook_id: webhookUrl ? `wh_${createHash('sha256').update(`${webhookUrl}:${now}`).digest('hex').slice(0, 16)}` : null,
		});
	}

	private status(job: Job, now: number): { status: string; since: number } {
		if (job.startedAt === undefined) return { status: 'awaiting_upload', since: job.createdAt };
		if (job.failedAtStart) return { status: 'failed', since: job.startedAt };
		const total = this.core.config.piqueProcessingMs;
		const doneAt = job.startedAt + total;
		if (now >= doneAt) return { status: /fail/i.test(job.label) ? 'failed' : 'completed', since: doneAt };
		if (now >= job.startedAt + total / 4) return { status: 'processing', since: job.startedAt + total / 4 };
		return { status: 'pending', since: job.startedAt };
	}

	/**
	 * A job's webhook payload, on demand: its result as of now, or (`stale`) as it was while still
	 * processing, which a receiver may get after the final one (out of order). Undefined for an unknown id.
	 */
	webhookPayload(jobId: string, stale = false): Record<string, unknown> | undefined {
		const job = this.jobs.get(jobId);
		if (!job) return undefined;
		if (!stale) return this.result(job);
		const since = job.startedAt ?? job.createdAt;
		return { event: 'evaluation.pending', job_id: job.id, content_id: job.contentId, judge_id: job.judgeId, status: 'processing', timestamp: new Date(since).toISOString() };
	}

	/** The result body (also the webhook payload). */
	result(job: Job): Record<string, unknown> {
		const { status, since } = this.status(job, this.core.clock.now());
		const event = status === 'completed' ? 'evaluation.completed' : status === 'failed' ? 'evaluation.failed' : 'evaluation.pending';
		const out: Record<string, unknown> = { event, job_id: job.id, content_id: job.contentId, judge_id: job.judgeId, status };
		if (status === 'completed') Object.assign(out, this.scores(job));
		if (status === 'failed') {
			out.error =
				job.failedAtStart ?? `Evaluation failed: the content could not be processed (sandbox: "${job.label}" contains "fail").`;
		}
		out.timestamp = new Date(since).toISOString();
		return out;
	}

	private scores(job: Job): { overall_score: number; detector_results: unknown[] } {
		const judge = this.judges.get(job.judgeId);
		const detectors = judge?.detector_configs ?? [];
		const label = job.label.toLowerCase();
		let weighted = 0;
		let weights = 0;
		const detector_results = detectors.map((d) => {
			const h = createHash('sha256').update(`${job.seed}:${d.detector_name}`).digest();
			let score = 20 + (h.readUInt16BE(0) % 76);
			if (/pass/.test(label)) score = 90 + (h[2] % 10);
			if (/reject/.test(label)) score = 5 + (h[2] % 15);
			const threshold = typeof d.config.threshold === 'number' ? d.config.threshold : 60;
			const pass = score >= threshold;
			weighted += score * d.weight;
			weights += d.weight;
			const isVideo = judge?.content_type === 'video';
			return {
				detector_name: d.detector_name,
				detector_config_id: d.id,
				pass_check: pass,
				score,
				rationale: pass
					? `${d.detector_name} meets the threshold (${score} >= ${threshold}).`
					: `${d.detector_name} is below the threshold (${score} < ${threshold}).`,
				metrics: { confidence: Math.round((0.6 + (h[3] / 255) * 0.4) * 100) / 100, threshold },
				timestamps: isVideo ? [{ start: h[4] % 5, end: (h[4] % 5) + 2 + (h[5] % 3), label: d.detector_name }] : [],
				flagged_frames: isVideo && !pass ? [{ frame: 12 + (h[6] % 100), timestamp: (h[6] % 100) / 25, reason: `low ${d.detector_name}` }] : [],
			};
		});
		return { overall_score: weights > 0 ? Math.round((weighted / weights) * 10) / 10 : 0, detector_results };
	}

	/** PUT /gcs/pique-uploads/<jobId>: the presigned upload target. */
	async handleGcs(ctx: RequestContext): Promise<Reply> {
		const m = /^\/gcs\/pique-uploads\/([^/]+)$/.exec(ctx.path);
		const signatureDoesNotMatch = (why: string) =>
			xml(403, gcsError('SignatureDoesNotMatch', 'Access denied.', `The request signature we calculated does not match the signature you provided. ${why}`));
		if (!verifyGcs(ctx.method, ctx.path, ctx.query)) return signatureDoesNotMatch('Check your Google secret key and signing method.');
		const job = m ? this.jobs.get(m[1]) : undefined;
		if (!job?.upload) return xml(404, gcsError('NoSuchKey', 'The specified key does not exist.'));
		const now = this.core.clock.now();
		if (now >= job.upload.expiresAt) {
			return xml(
				400,
				gcsError('ExpiredToken', 'The provided token has expired.', `Request signature expired at: ${new Date(job.upload.expiresAt).toISOString()}`),
			);
		}
		for (const [name, value] of Object.entries(job.upload.headers)) {
			const sent = ctx.req.headers[name.toLowerCase()];
			if (sent !== value) return signatureDoesNotMatch(`The signed header ${name} is missing or different (expected "${value}").`);
		}
		if (job.startedAt !== undefined) {
			return xml(412, gcsError('PreconditionFailed', 'The file for this job was already uploaded.'));
		}
		const declared = ctx.req.headers['content-length'];
		if (declared !== undefined && Number(declared) !== job.upload.size) {
			const tooLarge = Number(declared) > job.upload.size;
			return xml(
				400,
				gcsError(
					tooLarge ? 'EntityTooLarge' : 'EntityTooSmall',
					`Your proposed upload is ${tooLarge ? 'larger' : 'smaller'} than the allowed size (x-goog-content-length-range ${job.upload.size},${job.upload.size}).`,
				),
			);
		}
		const received = await new Promise<{ bytes: number; sha256: string; md5: string } | undefined>((resolve) => {
			const sha = createHash('sha256');
			const md5 = createHash('md5');
			let bytes = 0;
			ctx.req.on('data', (chunk: Buffer) => {
				bytes += chunk.length;
				sha.update(chunk);
				md5.update(chunk);
			});
			ctx.req.on('end', () => resolve({ bytes, sha256: sha.digest('hex'), md5: md5.digest('hex') }));
			ctx.req.on('error', () => resolve(undefined));
			ctx.req.on('close', () => {
				if (!ctx.req.complete) resolve(undefined);
			});
		});
		if (!received) return { kind: 'done' };
		if (received.bytes !== job.upload.size) {
			const tooLarge = received.bytes > job.upload.size;
			return xml(
				400,
				gcsError(tooLarge ? 'EntityTooLarge' : 'EntityTooSmall', `Received ${received.bytes} bytes; expected exactly ${job.upload.size}.`),
			);
		}
		const landedAt = this.core.clock.now();
		if (landedAt >= job.upload.expiresAt) {
			return xml(400, gcsError('ExpiredToken', 'The provided token has expired.'));
		}
		this.core.uploads.set(job.id, {
			bytes: received.bytes,
			sha256: received.sha256,
			contentType: ctx.req.headers['content-type'],
		});
		job.seed = received.sha256;
		job.startedAt = landedAt;
		return { kind: 'bytes', status: 200, body: '', headers: { etag: `"${received.md5}"` } };
	}

	/** Sends the webhook of every job that finished (called by the sandbox's ticker). */
	tick(): void {
		const now = this.core.clock.now();
		for (const job of this.webhookPending) {
			if (!job.webhookUrl) continue;
			const { status } = this.status(job, now);
			if (status !== 'completed' && status !== 'failed') continue;
			this.webhookPending.delete(job);
			job.webhookSent = true;
			const body = JSON.stringify(this.result(job));
			this.core.webhooks.send({
				provider: 'pique',
				jobId: job.id,
				url: job.webhookUrl,
				body,
				headers: { 'x-webhook-signature': piqueSignature(body, this.core.config.webhookSecret) },
			});
		}
	}
}
