/**
 * The provider sandbox: one node:http server on 127.0.0.1 speaking EyeQuant, Image Intelligence,
 * Pique and Image Forge as ../../shared PROVIDERS.md describes, plus the "S3" and "GCS" URLs they
 * hand out, fixture files, and control endpoints under /__sandbox/. See sandbox/README.md.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ByteLru } from './core.ts';
import { DeliveryRequestError, deliverOnDemand, parseDeliveryRequest } from './deliveries.ts';
import type { DeliveryReport, DeliveryRequest } from './deliveries.ts';
import type { Core, UploadRecord } from './core.ts';
import { echoReply } from './echo.ts';
import { EyeQuantSandbox, EYEQUANT_API_KEY } from './eyequant.ts';
import { FaultEngine, FaultParseError, parseFault, parseRules, rulesToJson } from './faults.ts';
import { FilesSandbox } from './files.ts';
import { bodyRead, isRecord, json, readBody, readJson, sleep } from './http.ts';
import { II_CLIENT_ID, II_CLIENT_SECRET, II_READONLY_CLIENT_ID, ImageIntelligenceSandbox } from './imageintelligence.ts';
import { IMAGE_FORGE_KEYS, ImageForgeSandbox } from './imageforge.ts';
import { PIQUE_API_KEY, PiqueSandbox, SANDBOX_PIQUE_JUDGES } from './pique.ts';
import { expiredLinkBody, faultBody, resetConnection, sendReply } from './respond.ts';
import type { Fault, FaultRule, LogFilter, Provider, Reply, RequestContext, RequestLogEntry, SandboxConfig, SandboxOptions } from './types.ts';
import { WebhookSender } from './webhooks.ts';
import type { WebhookDelivery } from './webhooks.ts';

export type { Fault, FaultRule, LogFilter, Provider, RequestLogEntry, SandboxOptions } from './types.ts';
export type { WebhookDelivery } from './webhooks.ts';
export type { DeliveryKind, DeliveryReport, DeliveryRequest } from './deliveries.ts';
export { SANDBOX_PIQUE_JUDGES } from './pique.ts';

export const SANDBOX_KEYS = {
	eyeQuant: { apiKey: EYEQUANT_API_KEY },
	imageIntelligence: { clientId: II_CLIENT_ID, clientSecret: II_CLIENT_SECRET, readOnlyClientId: II_READONLY_CLIENT_ID },
	pique: { apiKey: PIQUE_API_KEY },
	imageForge: { apiKey: IMAGE_FORGE_KEYS.apiKey, inactiveKey: IMAGE_FORGE_KEYS.inactiveKey, brokeKey: IMAGE_FORGE_KEYS.brokeKey },
} as const;

export const DEFAULT_PORT = 4010;

/** The Pique webhook signing secret unless `webhookSecret` sets another (what a receiver's credential needs). */
export const SANDBOX_WEBHOOK_SECRET = 'whsec_sandbox';

/** Sandbox choice: the request log keeps the newest 200 000 entries. */
const MAX_LOG = 200_000;

const DEFAULTS: SandboxConfig = {
	hourMs: 3_600_000,
	eyeQuantProcessingMs: 1500,
	piqueProcessingMs: 2000,
	imageIntelligenceProcessingMs: 1000,
	imageForgeMsPerImage: 20,
	mapBytes: undefined,
	latencyMs: 0,
	webhookSecret: SANDBOX_WEBHOOK_SECRET,
	imageForgeCredits: 1000,
};

const PREFIXES: Record<Exclude<Provider, 'control'>, string> = {
	eyeQuant: '/eyequant/v2',
	imageIntelligence: '/imageintelligence/v2',
	pique: '/pique',
	imageForge: '/imageforge',
	s3: '/s3',
	gcs: '/gcs',
	files: '/files',
};

const FIRST_SEGMENT: Record<string, Exclude<Provider, 'control'>> = {
	eyequant: 'eyeQuant',
	imageintelligence: 'imageIntelligence',
	pique: 'pique',
	imageforge: 'imageForge',
	s3: 's3',
	gcs: 'gcs',
	files: 'files',
};

const API_PROVIDERS = new Set<Provider>(['eyeQuant', 'imageIntelligence', 'pique', 'imageForge']);

export interface Sandbox {
	/** e.g. http://127.0.0.1:4010 */
	url: string;
	/** What a credential's base URL field gets. */
	baseUrls: { eyeQuant: string; imageIntelligence: string; pique: string; imageForge: string };
	/** Every request, oldest first (control requests included, provider 'control'). */
	log: RequestLogEntry[];
	/** The log filtered; control requests only when `provider: 'control'` is asked for. */
	requests(filter?: LogFilter): RequestLogEntry[];
	clearLog(): void;
	/** Replaces the per-run fault rules. */
	setFaults(rules: FaultRule[]): void;
	clearFaults(): void;
	/** Moves the sandbox clock forward (expiry, state machines) without waiting. */
	advanceTime(ms: number): void;
	/** Changes delays, latency, mapBytes, ... at run time (port/host are ignored). */
	configure(patch: Partial<SandboxOptions>): void;
	/** Stops the server, destroying open sockets (stalled responses included). */
	close(): Promise<void>;
	/** Pique PUT uploads by job id. */
	uploads: Map<string, UploadRecord>;
	webhooksReceived?: never;
	/** Extra: the sandbox clock (epoch ms + advanceTime). */
	now(): number;
	/** Extra: current configuration. */
	config(): Readonly<SandboxConfig>;
	/** Extra: the seeded Pique judge ids. */
	judges: typeof SANDBOX_PIQUE_JUDGES;
	/** Extra: every webhook the sandbox tried to send (one entry per attempt). */
	webhookDeliveries: WebhookDelivery[];
	/** Extra: resolves once no webhook is in flight. */
	webhooksIdle(): Promise<void>;
	/**
	 * Extra: POSTs a webhook for a job now, valid or wrong in one chosen way (see deliveries.ts),
	 * `times` times; resolves with the receiver's answers. Throws for a job the sandbox does not know.
	 */
	deliverWebhook(request: DeliveryRequest): Promise<DeliveryReport>;
	/** Extra: Image Forge balance of a key. */
	imageForgeBalance(key: string): number;
}

function providerOf(path: string): Provider {
	const first = path.split('/')[1] ?? '';
	return FIRST_SEGMENT[first] ?? 'control';
}

function subpathOf(provider: Provider, path: string): string | undefined {
	if (provider === 'control') return path;
	const prefix = PREFIXES[provider];
	if (path === prefix) return '';
	if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
	return undefined;
}

function validateConfigPatch(patch: Record<string, unknown>): Partial<SandboxOptions> {
	const out: Partial<SandboxOptions> = {};
	const numbers = [
		'hourMs',
		'eyeQuantProcessingMs',
		'piqueProcessingMs',
		'imageIntelligenceProcessingMs',
		'imageForgeMsPerImage',
		'latencyMs',
		'imageForgeCredits',
	] as const;
	for (const [key, value] of Object.entries(patch)) {
		if ((numbers as readonly string[]).includes(key)) {
			if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new FaultParseError(`${key} must be a number >= 0`);
			out[key as (typeof numbers)[number]] = value;
		} else if (key === 'mapBytes') {
			if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
				throw new FaultParseError('mapBytes must be a whole number of bytes (or null for the natural size)');
			}
			out.mapBytes = value === null ? undefined : value;
		} else if (key === 'webhookSecret') {
			if (typeof value !== 'string' || value === '') throw new FaultParseError('webhookSecret must be a non-empty string');
			out.webhookSecret = value;
		} else if (key !== 'port' && key !== 'host') {
			throw new FaultParseError(`Unknown setting ${key}`);
		}
	}
	return out;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const config: SandboxConfig = { ...DEFAULTS };
	const applyConfig = (patch: Partial<SandboxOptions>) => {
		for (const [key, value] of Object.entries(patch)) {
			if (key === 'port' || key === 'host' || !(key in DEFAULTS)) continue;
			if (key === 'mapBytes') config.mapBytes = value as number | undefined;
			else if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
		}
	};
	applyConfig(options);
	let offset = 0;
	const clock = { now: () => Date.now() + offset };
	const closing = new AbortController();
	const core: Core = {
		config,
		clock,
		url: '',
		webhooks: new WebhookSender(closing.signal, clock.now),
		closing: closing.signal,
		uploads: new Map(),
		memoryFiles: new ByteLru(256 * 1024 * 1024),
	};
	const eyeQuant = new EyeQuantSandbox(core);
	const ii = new ImageIntelligenceSandbox(core);
	const pique = new PiqueSandbox(core);
	const forge = new ImageForgeSandbox(core);
	const payloads = { pique, imageIntelligence: ii };
	/** configure(): like the options, and imageForgeCredits also resets the default key's balance. */
	const configure = (patch: Partial<SandboxOptions>) => {
		applyConfig(patch);
		if (patch.imageForgeCredits !== undefined) forge.setDefaultCredits(patch.imageForgeCredits);
	};
	const files = new FilesSandbox(core);
	const faults = new FaultEngine();
	const log: RequestLogEntry[] = [];
	let seq = 0;

	const tick = () => {
		ii.tick();
		pique.tick();
		eyeQuant.tick();
	};
	const ticker = setInterval(tick, 20);
	ticker.unref();

	const requests = (filter: LogFilter = {}) =>
		log.filter(
			(e) =>
				(filter.provider ? e.provider === filter.provider : e.provider !== 'control') &&
				(filter.method ? e.method === filter.method.toUpperCase() : true) &&
				(filter.pathPrefix ? e.path.startsWith(filter.pathPrefix) : true) &&
				(filter.status !== undefined ? e.status === filter.status : true),
		);

	const baseUrls = () => ({
		eyeQuant: `${core.url}${PREFIXES.eyeQuant}`,
		imageIntelligence: `${core.url}${PREFIXES.imageIntelligence}`,
		pique: `${core.url}${PREFIXES.pique}`,
		imageForge: `${core.url}${PREFIXES.imageForge}`,
	});

	const advanceTime = (ms: number) => {
		if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advanceTime needs a number of milliseconds >= 0');
		offset += ms;
		tick();
	};

	const control = async (ctx: RequestContext): Promise<Reply> => {
		const { method, path } = ctx;
		const bodyOf = async () => {
			try {
				return { value: await readJson(ctx.req, 1024 * 1024) };
			} catch {
				return { error: json(400, { error: 'The body must be JSON' }) };
			}
		};
		try {
			if (path === '/' || path === '/__sandbox' || path === '/__sandbox/') {
				return json(200, {
					sandbox: 'n8n-nodes-visual-ai provider sandbox',
					url: core.url,
					baseUrls: baseUrls(),
					keys: SANDBOX_KEYS,
					pique: { judges: SANDBOX_PIQUE_JUDGES },
					files: ['/files/design.png', '/files/design.jpg', '/files/blank.png', '/files/not-an-image.txt', '/files/clip.mp4', '/files/blob/<bytes>.bin?seed=N'],
					now: clock.now(),
				});
			}
			if (path === '/__sandbox/log') {
				if (method === 'GET') {
					const q = ctx.query;
					const status = q.get('status');
					return json(
						200,
						requests({
							method: q.get('method') ?? undefined,
							pathPrefix: q.get('pathPrefix') ?? undefined,
							provider: q.get('provider') ?? undefined,
							status: status === null ? undefined : Number(status),
						}),
					);
				}
				if (method === 'DELETE') {
					log.length = 0;
					return { kind: 'bytes', status: 204, headers: {}, body: '' };
				}
			}
			if (path === '/__sandbox/faults') {
				if (method === 'GET') return json(200, rulesToJson(faults.rules()));
				if (method === 'DELETE') {
					faults.clear();
					return { kind: 'bytes', status: 204, headers: {}, body: '' };
				}
				if (method === 'PUT') {
					const body = await bodyOf();
					if (body.error) return body.error;
					const rules = parseRules(body.value);
					faults.set(rules);
					return json(200, rulesToJson(rules));
				}
			}
			if (path === '/__sandbox/advance' && method === 'POST') {
				const body = await bodyOf();
				if (body.error) return body.error;
				const ms = isRecord(body.value) ? body.value.ms : undefined;
				if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return json(400, { error: 'Send {"ms": <milliseconds >= 0>}' });
				advanceTime(ms);
				return json(200, { now: clock.now(), totalAdvancedMs: offset });
			}
			if (path === '/__sandbox/config') {
				if (method === 'GET') return json(200, config);
				if (method === 'PATCH') {
					const body = await bodyOf();
					if (body.error) return body.error;
					if (!isRecord(body.value)) return json(400, { error: 'Send a JSON object of settings' });
					configure(validateConfigPatch(body.value));
					return json(200, config);
				}
			}
			if (path === '/__sandbox/uploads' && method === 'GET') return json(200, Object.fromEntries(core.uploads));
			if (path === '/__sandbox/webhooks' && method === 'GET') return json(200, core.webhooks.deliveries);
			if (path === '/__sandbox/webhooks/deliver' && method === 'POST') {
				const body = await bodyOf();
				if (body.error) return body.error;
				return json(200, await deliverOnDemand(core, payloads, parseDeliveryRequest(body.value)));
			}
		} catch (error) {
			if (error instanceof FaultParseError || error instanceof DeliveryRequestError) return json(400, { error: error.message });
			throw error;
		}
		return json(404, { error: `Unknown sandbox path ${method} ${path}` });
	};

	const route = (ctx: RequestContext): Promise<Reply> | Reply => {
		switch (ctx.provider) {
			case 'eyeQuant':
				return eyeQuant.handle(ctx);
			case 'imageIntelligence':
				return ii.handle(ctx);
			case 'pique':
				return pique.handle(ctx);
			case 'imageForge':
				return forge.handle(ctx);
			case 's3':
				return eyeQuant.handleS3(ctx);
			case 'gcs':
				return pique.handleGcs(ctx);
			case 'files':
				return files.handle(ctx);
			default:
				return control(ctx);
		}
	};

	const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
		const parsed = new URL(req.url ?? '/', 'http://sandbox.invalid');
		const path = parsed.pathname;
		const provider = providerOf(path);
		const method = (req.method ?? 'GET').toUpperCase();
		const entry: RequestLogEntry = {
			seq: ++seq,
			method,
			path,
			query: Object.fromEntries(parsed.searchParams),
			status: 0,
			provider,
			at: clock.now(),
		};
		if (options.recordRequests && provider !== 'control') entry.headers = { ...req.headers };
		log.push(entry);
		if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
		const aborter = new AbortController();
		res.on('close', () => aborter.abort());
		const signal = AbortSignal.any([aborter.signal, closing.signal]);
		const rawFault = provider === 'control' ? null : (headerValue(req.headers['x-sandbox-fault']) ?? parsed.searchParams.get('__fault'));
		parsed.searchParams.delete('__fault');
		const subpath = subpathOf(provider, path);
		const ctx: RequestContext = { req, res, method, path, subpath: subpath ?? '', query: parsed.searchParams, provider, entry, signal };
		const send = async (reply: Reply, fault?: Fault) => {
			if (reply.kind !== 'done') entry.status = reply.status;
			if (entry.headers && reply.kind !== 'done') entry.body = bodyRead(req) ?? (await unreadBody(req));
			await sendReply(ctx, reply, fault);
		};

		let fault: Fault | undefined;
		if (rawFault) {
			try {
				fault = parseFault(JSON.parse(rawFault));
			} catch (error) {
				await send(json(400, { error: `Bad sandbox fault: ${(error as Error).message}` }));
				return;
			}
		} else if (provider !== 'control') {
			fault = faults.pick({ method, path, provider });
		}
		entry.fault = fault?.type;

		if (fault?.type === 'reset' && !fault.afterBytes) {
			resetConnection(res);
			return;
		}
		if (fault?.type === 'latency') await sleep(fault.ms, signal);
		if (API_PROVIDERS.has(provider)) await sleep(config.latencyMs, signal);
		if (signal.aborted) return;

		if (fault?.type === 'echo') {
			await send(await echoReply(req, method, provider, fault));
			return;
		}
		if (fault?.type === 'status') {
			let reply: Reply = fault.body !== undefined ? json(fault.status, fault.body) : faultBody(provider, fault.status);
			if (fault.retryAfter !== undefined && (reply.kind === 'json' || reply.kind === 'bytes')) {
				reply = { ...reply, headers: { ...reply.headers, 'retry-after': String(fault.retryAfter) } };
			}
			await send(reply);
			return;
		}
		if (fault?.type === 'redirect') {
			await send({ kind: 'bytes', status: fault.status, headers: { location: fault.location, 'content-type': 'text/plain; charset=utf-8' }, body: `Moved to ${fault.location}\n` });
			return;
		}
		if (fault?.type === 'expired') {
			await send(expiredLinkBody(fault.style, clock.now()));
			return;
		}
		let reply: Reply;
		try {
			reply = subpath === undefined ? faultBody(provider, 404) : await route(ctx);
		} catch (error) {
			console.error(`[sandbox] ${method} ${path} failed:`, error);
			reply = faultBody(provider, 500);
		}
		await send(reply, fault);
	};

	const server = createServer({ noDelay: true, requestTimeout: 0 }, (req, res) => {
		onRequest(req, res).catch((error: unknown) => {
			console.error('[sandbox] request handling failed:', error);
			if (!res.headersSent) {
				res.writeHead(500, { 'content-type': 'text/plain' });
				res.end('sandbox error\n');
			} else res.destroy();
		});
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? DEFAULT_PORT, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	core.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

	let closed: Promise<void> | undefined;
	return {
		url: core.url,
		baseUrls: baseUrls(),
		log,
		requests,
		clearLog: () => {
			log.length = 0;
		},
		setFaults: (rules) => faults.set(rules),
		clearFaults: () => faults.clear(),
		advanceTime,
		configure,
		close: () => {
			closed ??= new Promise<void>((resolve) => {
				closing.abort();
				clearInterval(ticker);
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closed;
		},
		uploads: core.uploads,
		now: clock.now,
		config: () => ({ ...config }),
		judges: SANDBOX_PIQUE_JUDGES,
		webhookDeliveries: core.webhooks.deliveries,
		webhooksIdle: () => core.webhooks.idle(),
		deliverWebhook: (request) => deliverOnDemand(core, payloads, request),
		imageForgeBalance: (key) => forge.balance(key),
	};
}

/** With recordRequests: the body of a request whose handler did not read it (still waiting in the stream). */
async function unreadBody(req: IncomingMessage): Promise<Buffer | undefined> {
	if (req.readableEnded || req.readableFlowing === true) return undefined;
	try {
		return await readBody(req, 16 * 1024 * 1024);
	} catch {
		return undefined;
	}
}

function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}
