/**
 * Image Forge (PROVIDERS.md section 4) under /imageforge.
 *
 * Sandbox choices (not documented by Image Forge):
 * - keys: `sk-sandbox-key` (imageForgeCredits credits), `sk-broke-key` (0 credits),
 *   `sk-inactive-key` (403); any other key 401. Sessions belong to the key that made them;
 * - upload: multipart bodies up to 200 MB (413 above), at most 100 images (400 above); a file
 *   that is not a PNG/JPEG is accepted with width/height 0 and fails later with an `error` event;
 * - analyze/export: a request with more than 100 images answers 400; ids not in the session give
 *   an `error` event for that image (never a lost image); credits are taken for every image
 *   in the request before streaming and not refunded for images that fail;
 * - SSE streams begin with a `retry: 3000` line and a comment, carry `id:` lines, send `: keep-alive`
 *   comments between images and put `result` (and `complete` of export/sample) JSON on several
 *   `data:` lines; `complete` is `{ status: "completed", processed, failed, total }` (+ `results` for
 *   export/sample), processed counting the images that succeeded;
 * - analyze-single answers `{ imageId, metadata }`; 404 for an unknown image; 422 for an image that
 *   does not decode;
 * - export variant sizes are estimates (no files are written); `metadata.filename` (else the
 *   original name) is the base name.
 */
import type { Core } from './core.ts';
import { BadJson, BodyTooLarge, isRecord, json, randomHex, readBody, readJson, sleep } from './http.ts';
import { colourName, inspectImage } from './images.ts';
import type { ImageFacts } from './images.ts';
import type { Reply, RequestContext, SseItem } from './types.ts';

export const IMAGE_FORGE_KEYS = {
	apiKey: 'sk-sandbox-key',
	inactiveKey: 'sk-inactive-key',
	brokeKey: 'sk-broke-key',
} as const;

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const MAX_BATCH = 100;
const MAX_SAMPLE = 5;
const FORMATS = ['webp', 'avif', 'jpeg', 'png', 'original'];
const PRESETS = ['maximum', 'very_high', 'high', 'medium', 'low', 'minimum'];

interface StoredImage {
	id: string;
	originalFilename: string;
	size: number;
	width: number;
	height: number;
	uploadPath: string;
	facts?: ImageFacts;
}

interface Session {
	id: string;
	key: string;
	lastUsed: number;
	images: Map<string, StoredImage>;
}

interface Metadata {
	title: string;
	alt: string;
	caption: string;
	description: string;
	filename: string;
	seoTags: string[];
}

function err(status: number, message: string): Reply {
	return json(status, { error: message });
}

function nameWords(filename: string): string[] {
	return filename
		.replace(/\.[A-Za-z0-9]+$/, '')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter((w) => w.length > 1 && !/^\d+$/.test(w) && !['img', 'image', 'dsc', 'photo', 'final', 'copy'].includes(w));
}

function titleCase(words: string[]): string {
	return words.map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

export function slug(text: string): string {
	return (
		text
			.toLowerCase()
			.replace(/\.[a-z0-9]+$/, '')
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '') || 'image'
	);
}

/** Deterministic SEO metadata from the file name and the picture's average colour. */
export function metadataFor(image: StoredImage): Metadata {
	const facts = image.facts;
	const words = nameWords(image.originalFilename);
	const subject = words.length > 0 ? words.join(' ') : 'design';
	const colour = facts?.averageRgb ? colourName(facts.averageRgb) : 'colourful';
	const orientation = image.width > image.height ? 'landscape' : image.width < image.height ? 'portrait' : 'square';
	return {
		title: `${titleCase(colour === 'colourful' ? words : [colour, ...words]) || 'Design'} ${orientation === 'square' ? 'Image' : `${titleCase([orientation])} Image`}`.trim(),
		alt: `A ${colour} ${orientation} image of ${subject}`.slice(0, 125),
		caption: `${titleCase([subject])} in ${colour} tones`,
		description: `A ${image.width}x${image.height} ${facts?.format.toUpperCase() ?? 'image'} showing ${subject}, dominated by ${colour} tones. Suitable for web pages about ${subject}.`,
		filename: slug([colour === 'colourful' ? '' : colour, ...words, orientation].filter(Boolean).join('-')),
		seoTags: [...new Set([...words, colour, orientation, facts?.format ?? 'image'].filter((t) => t && t !== 'colourful'))],
	};
}

function sseEvent(event: string, data: unknown, id: number, multiLine = false): SseItem {
	const text = multiLine ? JSON.stringify(data, null, 2) : JSON.stringify(data);
	const lines = text
		.split('\n')
		.map((line) => `data: ${line}`)
		.join('\n');
	return { kind: 'event', text: `id: ${id}\nevent: ${event}\n${lines}\n\n` };
}

const FORMAT_FACTOR: Record<string, number> = { webp: 0.18, avif: 0.12, jpeg: 0.3, png: 1.1, original: 0.5 };
const PRESET_FACTOR: Record<string, number> = { maximum: 2, very_high: 1.5, high: 1.2, medium: 1, low: 0.7, minimum: 0.45 };

export class ImageForgeSandbox {
	private readonly core: Core;
	private readonly sessions = new Map<string, Session>();
	private readonly credits = new Map<string, number>();

	constructor(core: Core) {
		this.core = core;
		this.credits.set(IMAGE_FORGE_KEYS.apiKey, core.config.imageForgeCredits);
		this.credits.set(IMAGE_FORGE_KEYS.brokeKey, 0);
		this.credits.set(IMAGE_FORGE_KEYS.inactiveKey, 0);
	}

	/** configure({ imageForgeCredits }) resets the default key's balance (sandbox choice). */
	setDefaultCredits(balance: number): void {
		this.credits.set(IMAGE_FORGE_KEYS.apiKey, balance);
	}

	balance(key: string): number {
		return this.credits.get(key) ?? 0;
	}

	async handle(ctx: RequestContext): Promise<Reply> {
		const key = ctx.req.headers['x-api-key'];
		if (typeof key !== 'string' || !this.credits.has(key)) return err(401, 'Invalid API key');
		if (key === IMAGE_FORGE_KEYS.inactiveKey) return err(403, 'API key is inactive');
		const { method, subpath } = ctx;
		if (subpath === '/v1/credits/balance' && method === 'GET') {
			return json(200, { balance: this.balance(key), planName: key === IMAGE_FORGE_KEYS.brokeKey ? 'Free' : 'Sandbox', userId: `user_${key.slice(3, 10)}` });
		}
		if (subpath === '/v1/credits/check' && method === 'POST') return this.check(ctx, key);
		if (subpath === '/v1/sessions/upload' && method === 'POST') return this.upload(ctx, key);
		const m = /^\/v1\/sessions\/([^/]+)\/(analyze|analyze-single|export|sample)$/.exec(subpath);
		if (m && method === 'POST') {
			const session = this.session(decodeURIComponent(m[1]), key);
			if (!session) return err(404, 'Session not found');
			let body: unknown;
			try {
				body = await readJson(ctx.req, 10 * 1024 * 1024);
			} catch (error) {
				if (error instanceof BadJson || error instanceof BodyTooLarge) return err(400, error.message);
				throw error;
			}
			if (!isRecord(body)) return err(400, 'The body must be a JSON object');
			if (body.sessionId !== undefined && body.sessionId !== session.id) return err(400, 'sessionId does not match the URL');
			if (m[2] === 'analyze') return this.analyze(session, key, body);
			if (m[2] === 'analyze-single') return this.analyzeSingle(session, key, body);
			return this.export(session, key, body, m[2] === 'sample');
		}
		return err(404, 'Not found');
	}

	private session(id: string, key: string): Session | undefined {
		const session = this.sessions.get(id);
		if (!session || session.key !== key) return undefined;
		const now = this.core.clock.now();
		if (now - session.lastUsed >= 24 * this.core.config.hourMs) {
			this.sessions.delete(id);
			return undefined;
		}
		session.lastUsed = now;
		return session;
	}

	private charge(key: string, cost: number): Reply | undefined {
		const balance = this.balance(key);
		if (balance < cost) return err(402, `Insufficient credits. You have ${balance} but need ${cost}.`);
		this.credits.set(key, balance - cost);
		return undefined;
	}

	private async check(ctx: RequestContext, key: string): Promise<Reply> {
		let body: unknown;
		try {
			body = await readJson(ctx.req, 64 * 1024);
		} catch {
			return err(400, 'The body must be JSON');
		}
		if (!isRecord(body) || !['analyze', 'export', 'sample'].includes(String(body.action))) {
			return err(400, 'action must be analyze, export or sample');
		}
		const count = body.imageCount;
		if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return err(400, 'imageCount must be a whole number >= 0');
		const cost = body.action === 'sample' ? 0 : count;
		const balance = this.balance(key);
		if (balance < cost) {
			return json(402, { error: `Insufficient credits. You have ${balance} but need ${cost}.`, sufficient: false, balance, cost });
		}
		if (body.deduct === true) {
			this.credits.set(key, balance - cost);
			return json(200, { sufficient: true, balance, cost, remaining: balance - cost });
		}
		return json(200, { sufficient: true, balance, cost });
	}

	private async upload(ctx: RequestContext, key: string): Promise<Reply> {
		const type = ctx.req.headers['content-type'] ?? '';
		if (!type.toLowerCase().startsWith('multipart/form-data')) return err(400, 'Expected multipart/form-data with images[] files');
		let raw: Buffer;
		try {
			raw = await readBody(ctx.req, MAX_UPLOAD_BYTES);
		} catch (error) {
			if (error instanceof BodyTooLarge) return err(413, 'Upload too large (sandbox limit 200 MB)');
			throw error;
		}
		let form: FormData;
		try {
			form = await new Request('http://sandbox.invalid/upload', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
		} catch {
			return err(400, 'Malformed multipart body');
		}
		const files = form.getAll('images[]').filter((entry): entry is File => typeof entry !== 'string');
		if (files.length === 0) return err(400, 'No images uploaded (use the form field images[])');
		if (files.length > MAX_BATCH) return err(400, `At most ${MAX_BATCH} images per upload`);
		const session: Session = { id: crypto.randomUUID(), key, lastUsed: this.core.clock.now(), images: new Map() };
		for (const file of files) {
			const bytes = Buffer.from(await file.arrayBuffer());
			const facts = inspectImage(bytes);
			const id = `img_${randomHex(8)}`;
			const originalFilename = file.name || `${id}.bin`;
			session.images.set(id, {
				id,
				originalFilename,
				size: bytes.length,
				width: facts?.width ?? 0,
				height: facts?.height ?? 0,
				uploadPath: `uploads/${session.id}/${id}-${slug(originalFilename)}${/\.[A-Za-z0-9]+$/.exec(originalFilename)?.[0].toLowerCase() ?? ''}`,
				facts,
			});
		}
		this.sessions.set(session.id, session);
		return json(200, {
			sessionId: session.id,
			images: [...session.images.values()].map(({ id, originalFilename, size, width, height, uploadPath }) => ({
				id,
				originalFilename,
				size,
				width,
				height,
				uploadPath,
			})),
		});
	}

	/** The requested images (ids), or an error reply. */
	private requested(body: Record<string, unknown>, max: number): string[] | Reply {
		if (!Array.isArray(body.images) || body.images.length === 0) return err(400, 'images must be a non-empty array');
		if (body.images.length > max) {
			return err(400, max === MAX_SAMPLE ? `Sample accepts at most ${MAX_SAMPLE} images` : `At most ${max} images per request`);
		}
		const ids: string[] = [];
		for (const image of body.images) {
			if (!isRecord(image) || typeof image.id !== 'string') return err(400, 'Every image needs an id');
			ids.push(image.id);
		}
		return ids;
	}

	private analyze(session: Session, key: string, body: Record<string, unknown>): Reply {
		const ids = this.requested(body, MAX_BATCH);
		if (!Array.isArray(ids)) return ids;
		const refused = this.charge(key, ids.length);
		if (refused) return refused;
		const pace = this.core.config.imageForgeMsPerImage;
		const images = session.images;
		return {
			kind: 'sse',
			status: 200,
			items: async function* (signal: AbortSignal): AsyncGenerator<SseItem> {
				let eventId = 0;
				yield { kind: 'comment', text: 'retry: 3000\n\n' };
				yield { kind: 'comment', text: `: analyze stream for ${ids.length} image(s)\n\n` };
				let processed = 0;
				for (const [index, id] of ids.entries()) {
					await sleep(pace / 2, signal);
					yield sseEvent('progress', { imageId: id, status: 'processing', current: index + 1, total: ids.length }, ++eventId);
					yield { kind: 'comment', text: ': keep-alive\n\n' };
					await sleep(pace / 2, signal);
					const image = images.get(id);
					if (!image) {
						yield sseEvent('error', { imageId: id, error: 'Image not found in session' }, ++eventId);
					} else if (!image.facts) {
						yield sseEvent('error', { imageId: id, error: `Could not decode ${image.originalFilename}: not a PNG or JPEG image` }, ++eventId);
					} else {
						processed++;
						yield sseEvent('result', { imageId: id, metadata: metadataFor(image) }, ++eventId, true);
					}
				}
				yield sseEvent('complete', { status: 'completed', processed, failed: ids.length - processed, total: ids.length }, ++eventId);
			},
		};
	}

	private analyzeSingle(session: Session, key: string, body: Record<string, unknown>): Reply {
		if (!isRecord(body.image) || typeof body.image.id !== 'string') return err(400, 'image.id is required');
		const image = session.images.get(body.image.id);
		if (!image) return err(404, 'Image not found');
		const refused = this.charge(key, 1);
		if (refused) return refused;
		if (!image.facts) return err(422, `Could not decode ${image.originalFilename}: not a PNG or JPEG image`);
		return json(200, { imageId: image.id, metadata: metadataFor(image) });
	}

	private export(session: Session, key: string, body: Record<string, unknown>, sample: boolean): Reply {
		const ids = this.requested(body, sample ? MAX_SAMPLE : MAX_BATCH);
		if (!Array.isArray(ids)) return ids;
		const settings = body.settings;
		if (!isRecord(settings)) return err(400, 'settings is required');
		if (!FORMATS.includes(String(settings.format))) return err(400, `settings.format must be one of ${FORMATS.join(', ')}`);
		if (!PRESETS.includes(String(settings.preset))) return err(400, `settings.preset must be one of ${PRESETS.join(', ')}`);
		if (settings.responsive !== undefined && typeof settings.responsive !== 'boolean') return err(400, 'settings.responsive must be a boolean');
		let sizes = [320, 640, 1024, 1920];
		if (settings.responsiveSizes !== undefined) {
			const given = settings.responsiveSizes;
			if (!Array.isArray(given) || !given.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) {
				return err(400, 'settings.responsiveSizes must be an array of positive whole numbers');
			}
			sizes = given as number[];
		}
		const refused = this.charge(key, sample ? 0 : ids.length);
		if (refused) return refused;
		const format = String(settings.format);
		const preset = String(settings.preset);
		const responsive = settings.responsive === true;
		const metadataById = new Map<string, Record<string, unknown>>();
		for (const raw of body.images as Array<Record<string, unknown>>) {
			if (isRecord(raw.metadata)) metadataById.set(raw.id as string, raw.metadata);
		}
		const pace = this.core.config.imageForgeMsPerImage;
		const images = session.images;
		const sessionId = session.id;
		return {
			kind: 'sse',
			status: 200,
			items: async function* (signal: AbortSignal): AsyncGenerator<SseItem> {
				let eventId = 0;
				yield { kind: 'comment', text: 'retry: 3000\n\n' };
				const results: unknown[] = [];
				for (const [index, id] of ids.entries()) {
					const image = images.get(id);
					const progress = (step: string) =>
						sseEvent('progress', { imageId: id, status: 'processing', step, current: index + 1, total: ids.length }, ++eventId);
					yield progress('loading');
					await sleep(pace / 2, signal);
					if (!image || !image.facts) {
						yield sseEvent(
							'error',
							{ imageId: id, error: image ? `Could not decode ${image.originalFilename}: not a PNG or JPEG image` : 'Image not found in session' },
							++eventId,
						);
						continue;
					}
					yield progress(responsive ? 'resizing' : 'converting');
					yield { kind: 'comment', text: ': keep-alive\n\n' };
					await sleep(pace / 2, signal);
					const given = metadataById.get(id)?.filename;
					const base = typeof given === 'string' && given.trim() !== '' ? slug(given) : slug(image.originalFilename);
					const ext = format === 'original' ? image.facts.format === 'png' ? 'png' : 'jpg' : format === 'jpeg' ? 'jpg' : format;
					const estimate = (w: number, h: number) => Math.round(w * h * FORMAT_FACTOR[format] * PRESET_FACTOR[preset]) + 180;
					const variants = [
						{ name: 'original', path: `exports/${sessionId}/${base}.${ext}`, size: estimate(image.width, image.height), width: image.width, height: image.height },
					];
					if (responsive) {
						for (const w of sizes.filter((s) => s < image.width).sort((a, b) => a - b)) {
							const h = Math.max(1, Math.round((image.height * w) / image.width));
							variants.push({ name: `${w}w`, path: `exports/${sessionId}/${base}-${w}w.${ext}`, size: estimate(w, h), width: w, height: h });
						}
					}
					results.push({ imageId: id, originalFilename: image.originalFilename, filename: base, variants });
					yield progress('done');
				}
				yield sseEvent(
					'complete',
					{ status: 'completed', processed: results.length, failed: ids.length - results.length, total: ids.length, results },
					++eventId,
					true,
				);
			},
		};
	}
}
