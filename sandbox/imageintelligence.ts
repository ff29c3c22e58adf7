/**
 * Image Intelligence (PROVIDERS.md section 2) under /imageintelligence/v2.
 *
 * Sandbox choices (the provider documents neither error bodies nor these details):
 * - error bodies are `{ "code": "...", "message": "..." }`;
 * - request bodies over 20 MB answer 413;
 * - image URLs are fetched only from loopback hosts (127.0.0.1, localhost, ::1); any other host,
 *   any URL containing "broken", a non-2xx answer or a timeout gives IMAGE_DOWNLOAD_ERROR; bytes
 *   that are not a PNG/JPEG give INVALID_IMAGE_FORMAT_ERROR;
 * - the answer: an image whose url or customId contains the word "yes" (e.g. `?answer=yes`,
 *   customId `yes-1`) is chosen; if every usable image carries the word "no" the answer is no;
 *   otherwise it is derived from a hash of the question and the image bytes;
 * - `proxyUrl` is the sandbox's copy of each image it could read, under /files/ii/<imageId>;
 *   blob images get the same URL as their `url`;
 * - search returns newest first;
 * - a second client (`ii-readonly-client`, same secret) only has `ask:read`: POST /ask answers 403.
 */
import type { Core } from './core.ts';
import { BadJson, BodyTooLarge, isHttpUrl, isLoopbackUrl, isRecord, json, randomHex, readJson } from './http.ts';
import { inspectImage } from './images.ts';
import { createHash } from 'node:crypto';
import type { Reply, RequestContext } from './types.ts';

export const II_CLIENT_ID = 'ii-sandbox-client';
export const II_READONLY_CLIENT_ID = 'ii-readonly-client';
export const II_CLIENT_SECRET = 'ii-sandbox-secret';
export const II_MAX_BODY = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

type ImageStatus =
	| 'COMPLETED_SUCCESSFULLY'
	| 'IN_PROGRESS'
	| 'IMAGE_DOWNLOAD_ERROR'
	| 'INVALID_IMAGE_FORMAT_ERROR';

interface AskImage {
	id: string;
	url: string;
	customId?: string;
	blob?: Buffer;
	/** Filled in once fetched/inspected. */
	result?: { status: ImageStatus; sha256?: string; proxyUrl?: string };
}

interface AskJob {
	id: string;
	createdAt: number;
	readyAt: number;
	customId?: string;
	feedId?: string;
	webhookUrl?: string;
	question: string;
	examples?: { yes?: string[]; no?: string[] };
	images: AskImage[];
	downloads: Promise<void>;
	downloaded: boolean;
	webhookSent: boolean;
}

interface Token {
	expiresAt: number;
	scope: string;
}

function iiError(status: number, code: string, message: string): Reply {
	return json(status, { code, message });
}

function words(value: string | undefined): string[] {
	return (value ?? '').toLowerCase().split(/[^a-z0-9]+/);
}

export class ImageIntelligenceSandbox {
	private readonly core: Core;
	private readonly tokens = new Map<string, Token>();
	private readonly jobs = new Map<string, AskJob>();
	/** Jobs with a webhook still to send (so the ticker does not walk every job). */
	private readonly webhookPending = new Set<AskJob>();

	constructor(core: Core) {
		this.core = core;
	}

	async handle(ctx: RequestContext): Promise<Reply> {
		const { method, subpath } = ctx;
		if (subpath === '/oauth/token') {
			if (method !== 'POST') return iiError(405, 'method_not_allowed', 'Use POST /oauth/token.');
			return this.token(ctx);
		}
		const auth = /^Bearer (.+)$/.exec(ctx.req.headers.authorization ?? '');
		const token = auth ? this.tokens.get(auth[1]) : undefined;
		if (!token || this.core.clock.now() >= token.expiresAt) {
			return iiError(401, 'unauthorized', 'Missing, unknown or expired access token.');
		}
		let m: RegExpExecArray | null;
		if (subpath === '/ask' && method === 'POST') {
			if (!token.scope.split(' ').includes('ask:create')) return iiError(403, 'forbidden', 'This token lacks the ask:create scope.');
			return this.create(ctx);
		}
		if (subpath === '/ask' && method === 'GET') return this.search(ctx);
		if (method === 'GET' && (m = /^\/ask\/([^/]+)$/.exec(subpath))) {
			const job = this.jobs.get(decodeURIComponent(m[1]));
			if (!job) return iiError(404, 'not_found', 'Job not found.');
			return json(200, this.view(job));
		}
		return iiError(404, 'not_found', `No such endpoint: ${method} ${subpath}`);
	}

	private async token(ctx: RequestContext): Promise<Reply> {
		let body: unknown;
		try {
			body = await readJson(ctx.req, 64 * 1024);
		} catch {
			return iiError(400, 'bad_request', 'The body must be JSON {"clientId", "clientSecret"}.');
		}
		if (!isRecord(body) || typeof body.clientId !== 'string' || typeof body.clientSecret !== 'string') {
			return iiError(400, 'bad_request', 'The body must be JSON {"clientId", "clientSecret"}.');
		}
		const known = body.clientId === II_CLIENT_ID || body.clientId === II_READONLY_CLIENT_ID;
		if (!known || body.clientSecret !== II_CLIENT_SECRET) return iiError(401, 'invalid_client', 'Invalid client id or secret.');
		const issuedAt = this.core.clock.now();
		const scope = body.clientId === II_CLIENT_ID ? 'ask:read ask:create detect:create detect:read' : 'ask:read';
		const accessToken = `ii_at_${randomHex(24)}`;
		const expiresAt = issuedAt + 24 * this.core.config.hourMs;
		this.tokens.set(accessToken, { expiresAt, scope });
		return json(200, { accessToken, expiresAt, issuedAt, orgName: 'Sandbox Org', appName: 'Sandbox App', scope });
	}

	private async create(ctx: RequestContext): Promise<Reply> {
		let body: unknown;
		try {
			body = await readJson(ctx.req, II_MAX_BODY);
		} catch (error) {
			if (error instanceof BodyTooLarge) return iiError(413, 'payload_too_large', 'Request body too large (sandbox limit 20 MB).');
			if (error instanceof BadJson) return iiError(400, 'bad_request', 'The request body is not valid JSON.');
			throw error;
		}
		const problem = validateAsk(body);
		if (problem) return iiError(400, 'bad_request', problem);
		const b = body as Record<string, unknown>;
		const now = this.core.clock.now();
		const id = crypto.randomUUID();
		const images: AskImage[] = (b.images as Array<Record<string, unknown>>).map((raw) => {
			const imageId = crypto.randomUUID();
			const image: AskImage = {
				id: imageId,
				url: typeof raw.url === 'string' ? raw.url : `${this.core.url}/files/ii/${imageId}`,
				customId: typeof raw.customId === 'string' ? raw.customId : undefined,
			};
			if (typeof raw.blob === 'string') image.blob = Buffer.from(raw.blob, 'base64');
			return image;
		});
		const job: AskJob = {
			id,
			createdAt: now,
			readyAt: now + this.core.config.imageIntelligenceProcessingMs,
			customId: typeof b.customId === 'string' ? b.customId : undefined,
			feedId: typeof b.feedId === 'string' ? b.feedId : undefined,
			webhookUrl: typeof b.webhookUrl === 'string' ? b.webhookUrl : undefined,
			question: b.question as string,
			examples: isRecord(b.examples) ? (b.examples as AskJob['examples']) : undefined,
			images,
			downloads: Promise.resolve(),
			downloaded: false,
			webhookSent: false,
		};
		job.downloads = Promise.all(images.map((image) => this.load(image))).then(() => {
			job.downloaded = true;
		});
		this.jobs.set(id, job);
		if (job.webhookUrl) this.webhookPending.add(job);
		return json(200, this.view(job));
	}

	private async load(image: AskImage): Promise<void> {
		let bytes = image.blob;
		if (!bytes) {
			if (/broken/i.test(image.url) || !isLoopbackUrl(image.url)) {
				image.result = { status: 'IMAGE_DOWNLOAD_ERROR' };
				return;
			}
			try {
				const response = await fetch(image.url, {
					signal: AbortSignal.any([this.core.closing, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
				});
				if (!response.ok) {
					await response.arrayBuffer().catch(() => undefined);
					image.result = { status: 'IMAGE_DOWNLOAD_ERROR' };
					return;
				}
				const data = Buffer.from(await response.arrayBuffer());
				if (data.length > MAX_IMAGE_BYTES) {
					image.result = { status: 'IMAGE_DOWNLOAD_ERROR' };
					return;
				}
				bytes = data;
			} catch {
				image.result = { status: 'IMAGE_DOWNLOAD_ERROR' };
				return;
			}
		}
		const facts = inspectImage(bytes);
		if (!facts) {
			image.result = { status: 'INVALID_IMAGE_FORMAT_ERROR' };
			return;
		}
		this.core.memoryFiles.set(`ii/${image.id}`, { body: bytes, contentType: facts.mimeType });
		image.result = {
			status: 'COMPLETED_SUCCESSFULLY',
			sha256: createHash('sha256').update(bytes).digest('hex'),
			proxyUrl: `${this.core.url}/files/ii/${image.id}`,
		};
		image.blob = undefined;
	}

	private isDone(job: AskJob): boolean {
		return job.downloaded && this.core.clock.now() >= job.readyAt;
	}

	private imageView(image: AskImage, done: boolean): Record<string, unknown> {
		return {
			id: image.id,
			url: image.url,
			...(done && image.result?.proxyUrl ? { proxyUrl: image.result.proxyUrl } : {}),
			...(image.customId !== undefined ? { customId: image.customId } : {}),
			status: done ? (image.result?.status ?? 'IN_PROGRESS') : 'IN_PROGRESS',
		};
	}

	private chosen(job: AskJob): AskImage | undefined {
		const usable = job.images.filter((i) => i.result?.status === 'COMPLETED_SUCCESSFULLY');
		if (usable.length === 0) return undefined;
		const marked = (i: AskImage, word: string) => words(i.url).includes(word) || words(i.customId).includes(word);
		const yes = usable.find((i) => marked(i, 'yes'));
		if (yes) return yes;
		if (usable.every((i) => marked(i, 'no'))) return undefined;
		const h = createHash('sha256').update(job.question);
		for (const i of usable) h.update(i.result?.sha256 ?? '');
		const digest = h.digest();
		return digest[0] < 128 ? usable[digest[1] % usable.length] : undefined;
	}

	/**
	 * A job's webhook payload, on demand: the job as of now, or (`stale`) as it looked while in
	 * progress, which a receiver may get after the final one (out of order). Undefined for an unknown id.
	 */
	webhookPayload(jobId: string, stale = false): Record<string, unknown> | undefined {
		const job = this.jobs.get(jobId);
		if (!job) return undefined;
		const view = this.view(job);
		if (!stale) return view;
		return { ...view, status: 'IN_PROGRESS', jobResults: {}, imageResults: job.images.map((i) => this.imageView(i, false)) };
	}

	view(job: AskJob): Record<string, unknown> {
		const done = this.isDone(job);
		let status = 'IN_PROGRESS';
		const jobResults: Record<string, unknown> = {};
		if (done) {
			const ok = job.images.filter((i) => i.result?.status === 'COMPLETED_SUCCESSFULLY').length;
			status = ok === job.images.length ? 'COMPLETED_SUCCESSFULLY' : ok === 0 ? 'COMPLETED_ALL_ERROR' : 'COMPLETED_PARTIAL_ERROR';
			const chosen = this.chosen(job);
			if (chosen) jobResults.image = this.imageView(chosen, true);
		}
		return {
			id: job.id,
			createdAt: job.createdAt,
			status,
			...(job.customId !== undefined ? { customId: job.customId } : {}),
			...(job.feedId !== undefined ? { feedId: job.feedId } : {}),
			...(job.webhookUrl !== undefined ? { webhookUrl: job.webhookUrl } : {}),
			question: job.question,
			...(job.examples !== undefined ? { examples: job.examples } : {}),
			jobResults,
			imageResults: job.images.map((i) => this.imageView(i, done)),
		};
	}

	private search(ctx: RequestContext): Reply {
		const q = ctx.query;
		const bound = (name: string): number | undefined | Reply => {
			const raw = q.get(name);
			if (raw === null || raw === '') return undefined;
			const n = Number(raw);
			return Number.isFinite(n) ? n : iiError(400, 'bad_request', `${name} must be a time in milliseconds.`);
		};
		const before = bound('before');
		const after = bound('after');
		if (typeof before === 'object') return before;
		if (typeof after === 'object') return after;
		const customId = q.get('customId');
		const feedId = q.get('feedId');
		const found = [...this.jobs.values()]
			.filter((j) => (customId ? j.customId === customId : true))
			.filter((j) => (feedId ? j.feedId === feedId : true))
			.filter((j) => (before !== undefined ? j.createdAt < before : true))
			.filter((j) => (after !== undefined ? j.createdAt > after : true))
			.sort((a, b) => b.createdAt - a.createdAt);
		return json(200, found.map((j) => this.view(j)));
	}

	/** Sends the webhook of every job that finished (called by the sandbox's ticker). */
	tick(): void {
		for (const job of this.webhookPending) {
			if (!job.webhookUrl || !this.isDone(job)) continue;
			this.webhookPending.delete(job);
			job.webhookSent = true;
			this.core.webhooks.send({
				provider: 'imageIntelligence',
				jobId: job.id,
				url: job.webhookUrl,
				body: JSON.stringify(this.view(job)),
			});
		}
	}
}

function checkString(value: unknown, name: string, max: number): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') return `${name} must be a string.`;
	if (value.length > max) return `${name} must be at most ${max} characters.`;
	return undefined;
}

/** The documented limits of POST /v2/ask; a message for the first violation. */
export function validateAsk(body: unknown): string | undefined {
	if (!isRecord(body)) return 'The body must be a JSON object.';
	if (!Array.isArray(body.images) || body.images.length < 1 || body.images.length > 64) {
		return 'images must be an array of 1 to 64 images.';
	}
	for (const [index, image] of body.images.entries()) {
		if (!isRecord(image)) return `images[${index}] must be an object.`;
		const hasUrl = image.url !== undefined;
		const hasBlob = image.blob !== undefined;
		if (hasUrl === hasBlob) return `images[${index}] needs exactly one of url or blob.`;
		if (hasUrl) {
			const bad = checkString(image.url, `images[${index}].url`, 512);
			if (bad) return bad;
			if (!isHttpUrl(image.url)) return `images[${index}].url must be an http(s) URL.`;
		}
		if (hasBlob && (typeof image.blob !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(image.blob) || image.blob.length === 0)) {
			return `images[${index}].blob must be base64.`;
		}
		const badCustom = checkString(image.customId, `images[${index}].customId`, 64);
		if (badCustom) return badCustom;
	}
	if (typeof body.question !== 'string' || body.question.trim() === '') return 'question is required.';
	if (body.question.length > 256) return 'question must be at most 256 characters.';
	if (body.examples !== undefined) {
		if (!isRecord(body.examples)) return 'examples must be an object { yes?, no? }.';
		for (const [key, list] of Object.entries(body.examples)) {
			if (key !== 'yes' && key !== 'no') return `examples.${key} is not allowed (only yes and no).`;
			if (!Array.isArray(list) || list.length < 1 || list.length > 3) return `examples.${key} must hold 1 to 3 URLs.`;
			for (const url of list) {
				if (!isHttpUrl(url) || url.length > 512) return `examples.${key} must hold http(s) URLs of at most 512 characters.`;
			}
		}
	}
	const badWebhook = checkString(body.webhookUrl, 'webhookUrl', 512);
	if (badWebhook) return badWebhook;
	if (body.webhookUrl !== undefined && !isHttpUrl(body.webhookUrl)) return 'webhookUrl must be an http(s) URL.';
	return checkString(body.customId, 'customId', 64) ?? checkString(body.feedId, 'feedId', 64);
}
