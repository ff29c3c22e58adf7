/**
 * EyeQuant (PROVIDERS.md section 1) under /eyequant/v2, and its output maps on the sandbox's "S3"
 * under /s3/eyequant-maps/<screenshotId>/<file>.
 */
import { createHash } from 'node:crypto';

import { ByteLru } from './core.ts';
import type { Core } from './core.ts';
import { BadJson, BodyTooLarge, isRecord, json, randomHex, readJson, xml } from './http.ts';
import { inspectImage } from './images.ts';
import type { ImageFacts } from './images.ts';
import { renderMap } from './maps.ts';
import type { MapName } from './maps.ts';
import { paddedPng } from './png.ts';
import { s3Error, signS3Url, verifyS3 } from './signing.ts';
import type { Reply, RequestContext } from './types.ts';

export const EYEQUANT_API_KEY = 'eq-sandbox-key';

/** Sandbox choice: request bodies over 30 MB answer 413 `client_error` (EyeQuant documents no limit). */
export const EYEQUANT_MAX_BODY = 30 * 1024 * 1024;

const PREDICTIONS = {
	attention: { outputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'], default: 'attentionMap' },
	clarity: { outputs: ['score', 'map'], default: 'score' },
	excitingness: { outputs: ['score', 'map'], default: 'score' },
} as const;
type PredictionType = keyof typeof PREDICTIONS;

const MEDIA = new Set(['desktopWeb', 'mobileWeb']);

interface Task {
	startedAt: number;
	doneAt: number;
	fails: boolean;
}

interface Analysis {
	screenshotId: string;
	analysisId: string;
	createdAt: number;
	finishAt: number;
	title?: string;
	medium: string;
	predictions: Array<[PredictionType, string[]]>;
	image: ImageFacts & { bytes: Buffer; sha256: string };
	fails: boolean;
	meta: Record<string, unknown>;
	summary?: Task;
	recommendations?: Task;
}

function eqError(status: number, code: string, message: string): Reply {
	return json(status, { error: { code, message } });
}

function msgError(status: number, msg: string, extra: Record<string, unknown> = {}): Reply {
	return json(status, { success: false, msg, ...extra });
}

/** 0-100, deterministic from the input bytes (sandbox: real scores come from a model). */
function score(sha256: string, kind: string): number {
	const h = createHash('sha256').update(`${sha256}:${kind}`).digest();
	return 15 + (h.readUInt16BE(0) % 81);
}

const MAP_FILE: Record<string, MapName> = {
	'attention.attentionMap': 'attentionMap',
	'attention.perceptionMap': 'perceptionMap',
	'attention.hotspotsMap': 'hotspotsMap',
	'clarity.map': 'clarityMap',
	'excitingness.map': 'excitingnessMap',
};

export class EyeQuantSandbox {
	private readonly core: Core;
	private readonly byScreenshot = new Map<string, Analysis>();
	private readonly byAnalysis = new Map<string, Analysis>();
	/** Rendered maps (deterministic, so eviction only costs time): the newest 256 MB. */
	private readonly mapCache = new ByteLru<Buffer>(256 * 1024 * 1024);
	/** Analyses whose input bytes are still held (released once the results expired). */
	private readonly holding = new Set<Analysis>();
	private lastSweep = 0;

	constructor(core: Core) {
		this.core = core;
	}

	async handle(ctx: RequestContext): Promise<Reply> {
		const auth = ctx.req.headers.authorization;
		if (auth !== `Bearer ${EYEQUANT_API_KEY}`) {
			return eqError(401, 'authentication_failed', 'Authentication failed: missing or invalid API key.');
		}
		const { method, subpath } = ctx;
		let m: RegExpExecArray | null;
		if (subpath === '/upload-urls' || subpath === '/analyses/video' || subpath.startsWith('/analyses/video/')) {
			// Video analysis is a paid add-on the sandbox account does not have (PROVIDERS.md: 404 without it).
			return eqError(404, 'client_error', 'Video analysis is not enabled for this account (paid add-on).');
		}
		if (method === 'POST' && subpath === '/analyses') return this.create(ctx);
		if ((m = /^\/analyses\/(summary|recommendations)\/([^/]+)$/.exec(subpath))) {
			const kind = m[1] as 'summary' | 'recommendations';
			if (method === 'POST') return this.startTask(kind, decodeURIComponent(m[2]));
			if (method === 'GET') return this.getTask(kind, decodeURIComponent(m[2]));
		}
		if (method === 'GET' && (m = /^\/analyses\/([^/]+)$/.exec(subpath))) return this.get(decodeURIComponent(m[1]));
		if (method === 'PUT' && (m = /^\/update-meta\/screenshot\/([^/]+)$/.exec(subpath))) {
			return this.updateMeta(ctx, decodeURIComponent(m[1]));
		}
		return eqError(404, 'client_error', `No such endpoint: ${method} ${subpath}`);
	}

	private async create(ctx: RequestContext): Promise<Reply> {
		let body: unknown;
		try {
			body = await readJson(ctx.req, EYEQUANT_MAX_BODY);
		} catch (error) {
			if (error instanceof BodyTooLarge) return eqError(413, 'client_error', 'Request body too large (sandbox limit 30 MB).');
			if (error instanceof BadJson) return eqError(400, 'client_error', 'The request body is not valid JSON.');
			throw error;
		}
		if (!isRecord(body) || !isRecord(body.input)) {
			return eqError(400, 'invalid_input_configuration', 'The body needs an "input" object.');
		}
		const input = body.input;
		if (input.type === 'url') {
			// Sandbox choice: web page grabbing is not simulated; the documented code for it is returned.
			return eqError(400, 'could_not_grab_web_page', 'The sandbox cannot grab web pages; send input.type "image".');
		}
		if (input.type !== 'image') return eqError(400, 'invalid_input_configuration', 'input.type must be "image".');
		if (typeof input.medium !== 'string' || !MEDIA.has(input.medium)) {
			return eqError(400, 'invalid_input_configuration', 'input.medium must be "desktopWeb" or "mobileWeb".');
		}
		if (input.title !== undefined && typeof input.title !== 'string') {
			return eqError(400, 'invalid_input_configuration', 'input.title must be a string.');
		}
		const predictions = this.parsePredictions(body.predictions);
		if (typeof predictions === 'string') return eqError(400, 'invalid_input_configuration', predictions);
		if (typeof input.content !== 'string' || input.content.length === 0) {
			return eqError(400, 'unreadable_input_image', 'input.content must be a base64 PNG or JPEG.');
		}
		const base64 = input.content.replace(/\s+/g, '');
		if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
			return eqError(400, 'unreadable_input_image', 'input.content is not valid base64.');
		}
		const bytes = Buffer.from(base64, 'base64');
		const facts = inspectImage(bytes);
		if (!facts) return eqError(400, 'unreadable_input_image', 'The input image could not be read as PNG or JPEG.');
		if (facts.blank) return eqError(400, 'blank_input_image', 'The input image is blank (a single colour).');

		const now = this.core.clock.now();
		const analysis: Analysis = {
			screenshotId: randomHex(12),
			analysisId: randomHex(12),
			createdAt: now,
			finishAt: now + this.core.config.eyeQuantProcessingMs,
			title: input.title,
			medium: input.medium,
			predictions,
			image: { ...facts, bytes, sha256: createHash('sha256').update(bytes).digest('hex') },
			// Sandbox choice: a title containing "[fail]" makes the analysis end `failed`.
			fails: /\[fail\]/i.test(input.title ?? ''),
			meta: {},
		};
		this.byScreenshot.set(analysis.screenshotId, analysis);
		this.byAnalysis.set(analysis.analysisId, analysis);
		this.holding.add(analysis);
		return json(201, { id: analysis.screenshotId });
	}

	/** The requested predictions with their outputs, or an error message. */
	private parsePredictions(value: unknown): Array<[PredictionType, string[]]> | string {
		if (value === undefined) return [['attention', ['attentionMap']]];
		if (!isRecord(value)) return 'predictions must be an object.';
		const out: Array<[PredictionType, string[]]> = [];
		for (const [type, config] of Object.entries(value)) {
			if (!(type in PREDICTIONS)) return `Unknown prediction type "${type}".`;
			const spec = PREDICTIONS[type as PredictionType];
			if (!isRecord(config)) return `predictions.${type} must be an object ({} or { "outputs": [...] }).`;
			if (config.outputs === undefined) {
				out.push([type as PredictionType, [spec.default]]);
				continue;
			}
			if (!Array.isArray(config.outputs) || config.outputs.length === 0) {
				return `predictions.${type}.outputs must be a non-empty array.`;
			}
			const outputs: string[] = [];
			for (const o of config.outputs) {
				if (typeof o !== 'string' || !(spec.outputs as readonly string[]).includes(o)) {
					return `Unknown output "${String(o)}" for prediction "${type}" (allowed: ${spec.outputs.join(', ')}).`;
				}
				if (!outputs.includes(o)) outputs.push(o);
			}
			out.push([type as PredictionType, outputs]);
		}
		// Sandbox choice: an empty predictions object is refused rather than silently defaulted.
		if (out.length === 0) return 'predictions must name at least one prediction type.';
		return out;
	}

	private expiresAt(a: Analysis): number {
		return a.finishAt + this.core.config.hourMs;
	}

	private signedUrl(a: Analysis, file: string): string {
		return signS3Url(this.core.url, `/s3/eyequant-maps/${a.screenshotId}/${file}`, a.finishAt);
	}

	private get(id: string): Reply {
		const a = this.byScreenshot.get(id);
		if (!a) return eqError(404, 'client_error', `Analysis ${id} not found.`);
		const now = this.core.clock.now();
		if (now < a.finishAt) return json(200, { id: a.screenshotId, status: 'pending' });
		if (now >= this.expiresAt(a)) return eqError(410, 'resource_gone', 'This resource is no longer available.');
		if (a.fails) {
			return json(200, {
				id: a.screenshotId,
				status: 'failed',
				error: { code: 'server_error', message: 'The analysis failed (sandbox: the title contains "[fail]").' },
			});
		}
		const outputs: Record<string, unknown> = {};
		for (const [type, wanted] of a.predictions) {
			const o: Record<string, unknown> = {};
			for (const name of wanted) {
				if (name === 'score') o.score = score(a.image.sha256, type);
				else o[name] = this.signedUrl(a, `${MAP_FILE[`${type}.${name}`]}.png`);
			}
			outputs[type] = o;
		}
		outputs.input = { image: this.signedUrl(a, a.image.format === 'png' ? 'input.png' : 'input.jpg') };
		return json(200, { id: a.screenshotId, _internal_exposed_id: a.analysisId, status: 'success', outputs });
	}

	/**
	 * The analysis behind an analysis id for update-meta/summary/recommendations. Sandbox choice:
	 * these accept the id for 24 sandbox hours after success (so "re-POST regenerates" an expired
	 * summary works); after that they answer 410 analysis_expired.
	 */
	private byAnalysisId(id: string): Analysis | Reply {
		const a = this.byAnalysis.get(id);
		const now = this.core.clock.now();
		if (!a || a.fails || now < a.finishAt) return msgError(404, 'analysis_not_found');
		if (now >= a.finishAt + 24 * this.core.config.hourMs) return msgError(410, 'analysis_expired');
		return a;
	}

	private async updateMeta(ctx: RequestContext, id: string): Promise<Reply> {
		const found = this.byAnalysisId(id);
		if (!('analysisId' in found)) return found;
		let body: unknown;
		try {
			body = await readJson(ctx.req, 1024 * 1024);
		} catch {
			return msgError(400, 'invalid_body');
		}
		if (!isRecord(body)) return msgError(400, 'invalid_body');
		for (const [key, value] of Object.entries(body)) {
			if (typeof value !== 'string') return msgError(400, `invalid_body: ${key} must be a string`);
		}
		Object.assign(found.meta, body);
		return json(200, { success: true, msg: 'metadata_updated', data: found.meta });
	}

	private taskStatus(task: Task, now: number): 'started' | 'processing' | 'completed' | 'failed' | 'expired' {
		if (now >= task.startedAt + this.core.config.hourMs) return 'expired';
		if (now >= task.doneAt) return task.fails ? 'failed' : 'completed';
		return now < task.startedAt + (task.doneAt - task.startedAt) / 3 ? 'started' : 'processing';
	}

	private startTask(kind: 'summary' | 'recommendations', id: string): Reply {
		const found = this.byAnalysisId(id);
		if (!('analysisId' in found)) return found;
		const now = this.core.clock.now();
		const existing = found[kind];
		const label = kind === 'summary' ? 'Summary' : 'Recommendations';
		if (existing) {
			const status = this.taskStatus(existing, now);
			if (status === 'started' || status === 'processing') {
				return json(200, { success: true, status, msg: `${label} generation is already in progress.` });
			}
			if (status === 'completed') {
				// Sandbox choice: POST after completion does not regenerate; it says so and GET returns the result.
				return json(200, { success: true, status: 'processing', msg: `${label} already generated; GET it.` });
			}
		}
		found[kind] = {
			startedAt: now,
			doneAt: now + this.core.config.eyeQuantProcessingMs,
			// Sandbox choice: a title containing "[summary-fail]" makes summary and recommendations fail.
			fails: /\[summary-fail\]/i.test(found.title ?? ''),
		};
		return json(200, { success: true, status: 'started', msg: `${label} generation started.` });
	}

	private getTask(kind: 'summary' | 'recommendations', id: string): Reply {
		const found = this.byAnalysisId(id);
		if (!('analysisId' in found)) return found;
		const task = found[kind];
		if (!task) return msgError(404, kind === 'summary' ? 'summary_not_found' : 'recommendations_not_found');
		const status = this.taskStatus(task, this.core.clock.now());
		if (status === 'expired') return msgError(410, 'analysis_expired', { status: 'expired' });
		// Sandbox choice: a failed generation answers 500 (PROVIDERS.md "500 generation failed").
		if (status === 'failed') return msgError(500, 'generation_failed', { status: 'failed' });
		if (status !== 'completed') return json(200, { status, msg: `${kind === 'summary' ? 'Summary' : 'Recommendations'} ${status}.` });
		return json(200, { status, data: kind === 'summary' ? this.summaryMarkdown(found) : this.recommendationsMarkdown(found) });
	}

	private scoresLine(a: Analysis): string {
		return `clarity ${score(a.image.sha256, 'clarity')}/100, excitingness ${score(a.image.sha256, 'excitingness')}/100`;
	}

	private summaryMarkdown(a: Analysis): string {
		const goal = typeof a.meta.goal === 'string' ? a.meta.goal : 'not set';
		return [
			`# Summary${a.title ? `: ${a.title}` : ''}`,
			'',
			`- **Medium:** ${a.medium}`,
			`- **Size:** ${a.image.width} x ${a.image.height} px`,
			`- **Goal:** ${goal}`,
			`- **Scores:** ${this.scoresLine(a)}`,
			'',
			'Attention concentrates in the upper left and on the strongest contrast areas; the primary',
			'call to action receives a moderate share of early attention.',
		].join('\n');
	}

	private recommendationsMarkdown(a: Analysis): string {
		return [
			`# Recommendations${a.title ? `: ${a.title}` : ''}`,
			'',
			'1. **Strengthen the call to action.** Increase its contrast so it enters the first fixations.',
			'2. **Reduce competing elements** near the hero area to raise clarity.',
			`3. **Re-test after changes** (current ${this.scoresLine(a)}).`,
		].join('\n');
	}

	/** Releases input bytes and maps of expired analyses (at most once a second). */
	tick(): void {
		const now = this.core.clock.now();
		if (Date.now() - this.lastSweep < 1000 && this.lastSweep !== 0) return;
		this.lastSweep = Date.now();
		for (const a of this.holding) {
			if (now < this.expiresAt(a)) continue;
			a.image.bytes = Buffer.alloc(0);
			for (const name of ['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap']) {
				this.mapCache.delete(`${a.screenshotId}/${name}`);
			}
			this.holding.delete(a);
		}
	}

	/** GET/HEAD /s3/eyequant-maps/<screenshotId>/<file> (no auth header: a presigned URL). */
	handleS3(ctx: RequestContext): Reply {
		if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
			return xml(405, s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.'));
		}
		if (ctx.req.headers.authorization) {
			// What S3 answers when a presigned URL is also given an Authorization header.
			return xml(
				400,
				s3Error(
					'InvalidArgument',
					'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
					{ ArgumentName: 'Authorization' },
				),
			);
		}
		if (!verifyS3(ctx.path, ctx.query)) {
			return xml(
				403,
				s3Error(
					'SignatureDoesNotMatch',
					'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
				),
			);
		}
		const m = /^\/s3\/eyequant-maps\/([^/]+)\/([A-Za-z]+)\.(png|jpg)$/.exec(ctx.path);
		const a = m ? this.byScreenshot.get(m[1]) : undefined;
		if (!m || !a) return xml(404, s3Error('NoSuchKey', 'The specified key does not exist.'));
		const now = this.core.clock.now();
		if (now >= this.expiresAt(a)) {
			return xml(
				403,
				s3Error('AccessDenied', 'Request has expired', {
					'X-Amz-Expires': '3600',
					Expires: new Date(this.expiresAt(a)).toISOString(),
					ServerTime: new Date(now).toISOString(),
				}),
			);
		}
		const name = m[2];
		if (name === 'input') {
			return { kind: 'bytes', status: 200, body: a.image.bytes, headers: { 'content-type': a.image.mimeType } };
		}
		const key = `${a.screenshotId}/${name}`;
		let png = this.mapCache.get(key);
		if (!png) {
			png = renderMap(name as MapName, a.image.width, a.image.height, a.image.sha256);
			this.mapCache.set(key, png);
		}
		const padded = paddedPng(png, this.core.config.mapBytes);
		return {
			kind: 'stream',
			status: 200,
			headers: { 'content-type': 'image/png', etag: `"${createHash('md5').update(png).digest('hex')}-${padded.length}"` },
			length: padded.length,
			chunks: () => padded.body(),
		};
	}
}
