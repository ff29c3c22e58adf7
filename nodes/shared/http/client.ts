import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

import type { INode, Logger, NodeEgressFilter } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod/v4';

import { tryDeadline } from './deadline';
import { decodeBody } from './decode';
import { sharedDispatcher } from './dispatcher';
import { checkEgress, egressDispatcher, egressFilterOf, egressRefusalOf, egressRefusedError, isEgressError } from './egress';
import type { EgressContext } from './egress';
import { apiError, httpError, networkError, sealError } from './errors';
import type { ProviderProfile } from './errors';
import { checkLinkHop } from './hops';
import type { HopPolicy } from './hops';
import { redactAndCut, redactText, redactUrl } from './redact';
import {
	DEFAULT_RETRY,
	backoffDelay,
	errorCode,
	isRetryableNetworkError,
	isRetryableStatus,
	parseRetryAfter,
} from './retry';
import type { RetrySettings, TryBudget } from './retry';
import { schemaError } from './validate';

/** The part of n8n's execute, poll and load-options contexts the client needs (`helpers`: n8n's egress filter). */
export interface RequestContext extends EgressContext {
	getNode(): INode;
	logger: Logger;
	getExecutionCancelSignal?(): AbortSignal | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
export type RequestBody = string | Buffer | Uint8Array | Readable;

export interface ApiRequest {
	method: HttpMethod;
	/** Path under the client's base URL, e.g. `/analyses/abc`. */
	path?: string;
	/** An absolute URL instead of `path` (presigned uploads, downloads); no auth headers are sent to it. */
	url?: string;
	query?: Record<string, string | number | boolean | undefined>;
	headers?: Record<string, string>;
	/** A JSON body; sent with `Content-Type: application/json`. */
	json?: unknown;
	/** A raw body, made anew for every try so that a retry can resend a stream. */
	body?: () => RequestBody;
	/**
	 * Whether repeating the request is harmless. Defaults to true for GET/HEAD/PUT/DELETE and false
	 * for POST/PATCH; a POST the provider documents as safe to repeat may set it.
	 */
	idempotent?: boolean;
	itemIndex?: number;
	/** Per try: how long the answer may take (see `timeoutCovers`); also the body's idle timeout. */
	timeoutMs?: number;
	/**
	 * What `timeoutMs` bounds on each try: `headers` (until the status line and headers arrived;
	 * streams that may run long) or `whole` (headers and the entire body). Default `headers`;
	 * `json()` always uses `whole`. A request with a streamed `body` is bounded by undici's
	 * timeouts alone (idle, restarted by progress), so that a large upload is not cut off.
	 */
	timeoutCovers?: 'headers' | 'whole';
	/**
	 * A link download (`url` with GET or HEAD): redirects are followed (at most `maxHops`), and the
	 * first URL and every hop must pass `checkLinkHop` with `policy`. Without it no redirect is
	 * followed: a 3xx answer is an error.
	 */
	link?: { policy?: HopPolicy; maxHops?: number; onHop?: (url: URL) => void };
	/**
	 * Tries shared with the caller (a download that also retries a body that broke off): every
	 * request sent counts against it, so that retries never multiply.
	 */
	budget?: TryBudget;
	/** Overrides the client's retry settings for this request. */
	retry?: Partial<RetrySettings>;
	/** Extra abort signal, besides the execution's cancel signal. */
	signal?: AbortSignal;
}

export interface StreamResponse {
	statusCode: number;
	headers: IncomingHttpHeaders;
	/** The body with every content coding undone (its Content-Length and Content-Encoding removed). */
	body: Readable;
	/** The URL as it may be shown to users (no query string): the last hop after redirects. */
	displayUrl: string;
	/** The last hop's full URL, query included: for the code (expiry dates), never for users. */
	url: string;
}

export interface ApiClientOptions {
	provider: ProviderProfile;
	baseUrl?: string;
	/** Auth headers for calls under baseUrl. */
	headers?: Record<string, string>;
	/** Every string that must never reach an error, a log line or an item. */
	secrets?: string[];
	timeoutMs?: number;
	retry?: Partial<RetrySettings>;
	dispatcher?: Dispatcher;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_HOPS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ERROR_BODY_LIMIT = 64 * 1024;
const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The pack's one HTTP path: auth headers, timeouts, cancellation, retries with backoff and
 * Retry-After, response validation, and errors that name the provider's code with secrets removed.
 */
export class ApiClient {
	readonly provider: ProviderProfile;
	private readonly context: RequestContext;
	private readonly options: ApiClientOptions;
	private readonly secrets: string[];
	private readonly retry: RetrySettings;
	private readonly egress: NodeEgressFilter | undefined;

	constructor(context: RequestContext, options: ApiClientOptions) {
		this.context = context;
		this.options = options;
		this.provider = options.provider;
		this.secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
		this.retry = { ...DEFAULT_RETRY, ...options.retry };
		this.egress = egressFilterOf(context);
	}

	/** Sends a request and parses the 2xx JSON answer with `schema`; the timeout covers the whole answer. */
	async json<S extends z.ZodType>(spec: ApiRequest, schema: S): Promise<z.infer<S>> {
		try {
			return await this.parsedJson(spec, schema);
		} catch (error) {
			throw sealError(error, this.secrets);
		}
	}

	/**
	 * Sends a request and hands back the open 2xx response; the caller must consume or destroy
	 * `body`. Retries cover getting the response headers, not reading the body. Content codings
	 * are undone; redirects are followed only for `link` requests. Every error is redacted
	 * (`sealError`) on its way out.
	 */
	async send(spec: ApiRequest): Promise<StreamResponse> {
		try {
			return await this.sendWithRetries(spec);
		} catch (error) {
			throw sealError(error, this.secrets);
		}
	}

	private async parsedJson<S extends z.ZodType>(spec: ApiRequest, schema: S): Promise<z.infer<S>> {
		const response = await this.sendWithRetries({ ...spec, timeoutCovers: 'whole' });
		let text: string;
		try {
			text = await readText(response.body);
		} catch (error) {
			if (this.abortSignal(spec.signal)?.aborted) throw this.cancelled(spec.itemIndex);
			throw networkError({
				provider: this.provider,
				node: this.context.getNode(),
				url: response.url,
				cause: error,
				secrets: this.secrets,
				itemIndex: spec.itemIndex,
				external: Boolean(spec.url),
				idempotent: spec.idempotent ?? IDEMPOTENT_METHODS.has(spec.method),
			});
		}
		let parsed: unknown;
		try {
			parsed = text === '' ? undefined : JSON.parse(text);
		} catch {
			throw new NodeApiError(
				this.context.getNode(),
				{ provider: this.provider.name, url: response.displayUrl },
				{
					message: `${this.provider.name} returned a body that is not valid JSON`,
					description: `The answer from ${response.displayUrl} started with: ${redactAndCut(text, this.secrets, 120)}. This is a fault at the provider; try again later.`,
					httpCode: String(response.statusCode),
					itemIndex: spec.itemIndex,
				},
			);
		}
		const result = schema.safeParse(parsed);
		if (!result.success) {
			throw schemaError(this.context.getNode(), this.provider.name, response.displayUrl, result.error, spec.itemIndex);
		}
		return result.data;
	}

	private async sendWithRetries(spec: ApiRequest): Promise<StreamResponse> {
		const firstUrl = this.buildUrl(spec);
		let url = firstUrl;
		const idempotent = spec.idempotent ?? IDEMPOTENT_METHODS.has(spec.method);
		const retry = { ...this.retry, ...spec.retry };
		const budget: TryBudget = spec.budget ?? { maxTries: retry.maxTries, used: 0 };
		const outer = this.abortSignal(spec.signal);
		const node = this.context.getNode();
		const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		const followsRedirects = spec.link !== undefined && Boolean(spec.url) && (spec.method === 'GET' || spec.method === 'HEAD');
		const maxHops = spec.link?.maxHops ?? DEFAULT_MAX_HOPS;
		let hops = 0;
		await this.checkHop(url, spec, firstUrl, false);

		for (let attempt = 0; ; attempt++) {
			budget.used++;
			const isLastTry = budget.used >= budget.maxTries;
			const triesNote = budget.used > 1 ? `Gave up after ${budget.used} tries.` : undefined;
			const displayUrl = redactUrl(url.toString());
			const label = `${this.provider.name} ${spec.method} ${displayUrl}`;
			// A streamed upload may take longer than Timeout to send: undici's headers timeout, which
			// restarts whenever the body makes progress, bounds it instead.
			const deadline = spec.body ? undefined : tryDeadline(timeoutMs, spec.timeoutCovers ?? 'headers');
			const signals = [outer, deadline?.signal].filter((entry): entry is AbortSignal => entry !== undefined);
			const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
			let response: Dispatcher.ResponseData;
			const started = Date.now();
			try {
				response = await request(url, {
					method: spec.method,
					headers: this.headersFor(spec, url.origin === firstUrl.origin),
					body: spec.json !== undefined ? JSON.stringify(spec.json) : spec.body?.(),
					signal,
					headersTimeout: timeoutMs,
					bodyTimeout: timeoutMs,
					dispatcher: this.options.dispatcher ?? (this.egress ? egressDispatcher(this.egress) : sharedDispatcher()),
				});
				deadline?.headersArrived();
			} catch (error) {
				if (outer?.aborted) throw this.cancelled(spec.itemIndex);
				if (isEgressError(error)) {
					throw egressRefusedError(node, { source: this.provider.name, url, refusal: egressRefusalOf(error), itemIndex: spec.itemIndex });
				}
				if (isLastTry || !isRetryableNetworkError(error, idempotent)) {
					throw networkError({
						provider: this.provider,
						node,
						url: url.toString(),
						cause: error,
						secrets: this.secrets,
						itemIndex: spec.itemIndex,
						note: triesNote,
						external: Boolean(spec.url),
						idempotent,
					});
				}
				const wait = backoffDelay(attempt, retry);
				this.log('warn', `${label} failed (${describeCause(error)}); retrying in ${wait} ms (try ${budget.used + 1} of ${budget.maxTries})`);
				await this.pause(wait, outer, spec.itemIndex);
				continue;
			}

			const { statusCode, body } = response;
			// undici 8 makes destroy() without an error emit one; whoever reads the body still gets
			// every error, this only keeps a body left alone on purpose from crashing the process.
			body.on('error', ignoreError);
			this.log('debug', `${label} -> ${statusCode} in ${Date.now() - started} ms`);
			if (REDIRECT_STATUSES.has(statusCode)) {
				body.destroy();
				const next = this.redirectTarget(spec, url, response.headers.location, statusCode, followsRedirects);
				if (++hops > maxHops) throw this.tooManyHops(spec, firstUrl, maxHops);
				await this.checkHop(next, spec, firstUrl, true);
				this.log('debug', `${label} redirected to ${redactUrl(next.toString())}`);
				url = next;
				spec.link?.onHop?.(next);
				budget.used--;
				attempt--;
				continue;
			}
			let decoded: Readable;
			const headers = { ...response.headers };
			try {
				decoded = decodeBody(body, headers['content-encoding']);
			} catch (error) {
				body.destroy();
				throw networkError({ provider: this.provider, node, url: url.toString(), cause: error, secrets: this.secrets, itemIndex: spec.itemIndex, external: Boolean(spec.url) });
			}
			if (decoded !== body) {
				delete headers['content-encoding'];
				delete headers['content-length'];
			}
			if (statusCode >= 200 && statusCode < 300) {
				return { statusCode, headers, body: decoded, displayUrl, url: url.toString() };
			}

			const text = await readText(decoded, ERROR_BODY_LIMIT).catch(() => '');
			const retryAfter = parseRetryAfter(headers['retry-after']);
			const canRetry = !isLastTry && isRetryableStatus(statusCode, idempotent);
			if (!canRetry || (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs)) {
				const note =
					retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs
						? `${this.provider.name} asked to wait ${Math.round(retryAfter / 1000)} s before trying again.`
						: triesNote;
				throw httpError({
					provider: this.provider,
					node,
					status: statusCode,
					body: parseJson(text),
					text,
					url: url.toString(),
					secrets: this.secrets,
					itemIndex: spec.itemIndex,
					note,
				});
			}
			const wait = retryAfter ?? backoffDelay(attempt, retry);
			this.log('warn', `${label} answered ${statusCode}; retrying in ${wait} ms (try ${budget.used + 1} of ${budget.maxTries})`);
			await this.pause(wait, outer, spec.itemIndex);
		}
	}

	/** Redacts this client's secrets and URL query strings from a text (the whole text: cut it afterwards, or use `excerpt`). */
	redact(text: string): string {
		return redactText(text, this.secrets);
	}

	/** The start of a text for a message: redacted whole, then cut to `max` characters. */
	excerpt(text: string, max: number): string {
		return redactAndCut(text, this.secrets, max);
	}

	/** Writes a redacted line to n8n's log. */
	log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void {
		this.context.logger[level](redactText(text, this.secrets));
	}

	private buildUrl(spec: ApiRequest): URL {
		let url: URL;
		if (spec.url) {
			url = new URL(spec.url);
		} else {
			if (!this.options.baseUrl) throw new NodeOperationError(this.context.getNode(), 'No base URL is set in the credential');
			refuseClimbingPath(this.context.getNode(), spec.path ?? '', spec.itemIndex);
			url = new URL(this.options.baseUrl.replace(/\/+$/, '') + (spec.path ?? ''));
		}
		for (const [key, value] of Object.entries(spec.query ?? {})) {
			if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
		}
		return url;
	}

	/**
	 * Presigned and output URLs are third-party hosts: the provider's auth never goes there, and
	 * they accept any type (a host that negotiates would refuse a file as not JSON). After a
	 * redirect to another origin, the caller's own credential-like headers are dropped too.
	 */
	private headersFor(spec: ApiRequest, sameOrigin: boolean): Record<string, string> {
		const headers: Record<string, string> = { accept: spec.url ? '*/*' : 'application/json', 'user-agent': 'n8n-nodes-visual-ai' };
		if (!spec.url) Object.assign(headers, this.options.headers);
		if (spec.json !== undefined) headers['content-type'] = 'application/json';
		for (const [name, value] of Object.entries(spec.headers ?? {})) {
			if (!sameOrigin && CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
			headers[name] = value;
		}
		return headers;
	}

	/** Where a 3xx answer points, or the error for one that must not (or cannot) be followed. */
	private redirectTarget(spec: ApiRequest, from: URL, location: string | string[] | undefined, status: number, follow: boolean): URL {
		const where = Array.isArray(location) ? location[0] : location;
		let next: URL | undefined;
		try {
			next = where ? new URL(where, from) : undefined;
		} catch {
			next = undefined;
		}
		if (follow && next) return next;
		const shown = next ? redactUrl(next.toString()) : 'no valid address';
		const hint = spec.url
			? `The address answered with a redirect (HTTP ${status}) to ${shown}, which is not followed here. Use the final address instead.`
			: `Calls that carry the credential never follow a redirect. Set the credential's base URL to the address the provider redirects to (${shown}), e.g. https:// instead of http://.`;
		return this.fail(spec, from, status, `${this.provider.name} answered with a redirect (HTTP ${status}) that was not followed`, hint);
	}

	/**
	 * The ONE check of every URL a request reaches, the first and each redirect hop alike: a link
	 * download's rules (`checkLinkHop`), then n8n's egress (SSRF) policy. A per-item error when it refuses.
	 */
	private async checkHop(url: URL, spec: ApiRequest, firstUrl: URL, isHop: boolean): Promise<void> {
		const egress = await checkEgress(this.egress, url, { redirect: isHop });
		if (egress) throw egressRefusedError(this.context.getNode(), { source: this.provider.name, url, refusal: egress, itemIndex: spec.itemIndex });
		if (!spec.link) return;
		const refusal = checkLinkHop(url, spec.link.policy);
		if (!refusal) return;
		const redirected = isHop ? ` (redirected from ${redactUrl(firstUrl.toString())})` : '';
		this.fail(
			spec,
			url,
			undefined,
			`${this.provider.name} was not downloaded: ${refusal.reason}`,
			`The link ${redactUrl(url.toString())}${redirected} was refused before any request was sent to it.`,
		);
	}

	private tooManyHops(spec: ApiRequest, firstUrl: URL, maxHops: number): NodeApiError {
		return this.fail(
			spec,
			firstUrl,
			undefined,
			`${this.provider.name} redirected more than ${maxHops} times`,
			'The link leads through a chain (or loop) of redirects too long to follow. Open it in a browser to see where it ends, and use that address.',
		);
	}

	private fail(spec: ApiRequest, url: URL, status: number | undefined, message: string, hint: string): never {
		throw apiError(
			this.context.getNode(),
			{ provider: this.provider.name, url: redactUrl(url.toString()), ...(status ? { httpCode: String(status) } : {}) },
			{
				message: redactText(message, this.secrets),
				description: redactText(hint, this.secrets),
				...(status ? { httpCode: String(status) } : {}),
				itemIndex: spec.itemIndex,
			},
		);
	}

	private abortSignal(extra?: AbortSignal): AbortSignal | undefined {
		const signals = [this.context.getExecutionCancelSignal?.(), extra].filter(
			(signal): signal is AbortSignal => signal !== undefined,
		);
		if (signals.length === 0) return undefined;
		return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
	}

	private async pause(ms: number, signal: AbortSignal | undefined, itemIndex?: number): Promise<void> {
		try {
			await sleep(ms, signal);
		} catch {
			throw this.cancelled(itemIndex);
		}
	}

	private cancelled(itemIndex?: number): NodeOperationError {
		return new NodeOperationError(this.context.getNode(), `The request to ${this.provider.name} was cancelled`, {
			description: 'The execution was stopped while waiting for the provider.',
			itemIndex,
		});
	}
}

/**
 * The last guard for ids in paths (the nodes check their id parameters first): an empty, `.` or
 * `..` segment would make the URL parser climb to another endpoint of the API with the key.
 */
function refuseClimbingPath(node: INode, path: string, itemIndex?: number): void {
	const segments = path.split('?')[0].split('/').slice(1);
	if (segments.every((segment) => !/^(|\.|\.\.|%2e|\.%2e|%2e\.|%2e%2e)$/i.test(segment))) return;
	throw new NodeOperationError(node, 'An id in the request path is empty or "." / ".."', {
		description: 'Nothing was sent: such an id would address another endpoint of the API. Check the id parameters of this node.',
		itemIndex,
	});
}

function ignoreError(): void {}

/** Headers that identify the caller; never sent to another origin after a redirect. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

async function readText(body: Readable, limit = Number.POSITIVE_INFINITY): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		chunks.push(buffer);
		size += buffer.length;
		if (size >= limit) {
			body.destroy();
			break;
		}
	}
	return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function describeCause(error: unknown): string {
	return errorCode(error) ?? (error instanceof Error ? error.message : String(error));
}
