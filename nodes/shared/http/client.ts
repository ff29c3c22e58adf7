import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

import type { INode, Logger, NodeEgressFilter } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod/v4';

import { sharedDispatcher } from './dispatcher';
import { checkEgress, egressDispatcher, egressFilterOf, egressRefusalOf, egressRefusedError, isEgressError } from './egress';
import type { EgressContext } from './egress';
import { httpError, networkError, sealError } from './errors';
import type { ProviderProfile } from './errors';
import { redactAndCut, redactText, redactUrl } from './redact';
import {
	DEFAULT_RETRY,
	backoffDelay,
	errorCode,
	isRetryableNetworkError,
	isRetryableStatus,
	parseRetryAfter,
} from './retry';
import type { RetrySettings } from './retry';
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
	/** Headers timeout and body idle timeout of this request. */
	timeoutMs?: number;
	/** Overrides the client's retry settings for this request. */
	retry?: Partial<RetrySettings>;
	/** Extra abort signal, besides the execution's cancel signal. */
	signal?: AbortSignal;
}

export interface StreamResponse {
	statusCode: number;
	headers: IncomingHttpHeaders;
	body: Readable;
	/** The URL as it may be shown to users (no query string). */
	displayUrl: string;
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

	/** Sends a request and parses the 2xx JSON answer with `schema`. */
	async json<S extends z.ZodType>(spec: ApiRequest, schema: S): Promise<z.infer<S>> {
		try {
			return await this.parsedJson(spec, schema);
		} catch (error) {
			throw sealError(error, this.secrets);
		}
	}

	/**
	 * Sends a request and hands back the open 2xx response; the caller must consume or destroy
	 * `body`. Retries cover getting the response headers, not reading the body. Every error is
	 * redacted (`sealError`) on its way out.
	 */
	async send(spec: ApiRequest): Promise<StreamResponse> {
		try {
			return await this.sendWithRetries(spec);
		} catch (error) {
			throw sealError(error, this.secrets);
		}
	}

	private async parsedJson<S extends z.ZodType>(spec: ApiRequest, schema: S): Promise<z.infer<S>> {
		const response = await this.sendWithRetries(spec);
		const text = await readText(response.body);
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
		const url = this.buildUrl(spec);
		const displayUrl = redactUrl(url.toString());
		const idempotent = spec.idempotent ?? IDEMPOTENT_METHODS.has(spec.method);
		const retry = { ...this.retry, ...spec.retry };
		const signal = this.abortSignal(spec.signal);
		const node = this.context.getNode();
		const label = `${this.provider.name} ${spec.method} ${displayUrl}`;
		const refusal = await checkEgress(this.egress, url);
		if (refusal) throw egressRefusedError(node, { source: this.provider.name, url, refusal, itemIndex: spec.itemIndex });

		for (let attempt = 0; ; attempt++) {
			const isLastTry = attempt + 1 >= retry.maxTries;
			const triesNote = attempt > 0 ? `Gave up after ${attempt + 1} tries.` : undefined;
			let response: Dispatcher.ResponseData;
			const started = Date.now();
			try {
				response = await request(url, {
					method: spec.method,
					headers: this.headersFor(spec),
					body: spec.json !== undefined ? JSON.stringify(spec.json) : spec.body?.(),
					signal,
					headersTimeout: spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
					bodyTimeout: spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
					dispatcher: this.options.dispatcher ?? (this.egress ? egressDispatcher(this.egress) : sharedDispatcher()),
				});
			} catch (error) {
				if (signal?.aborted) throw this.cancelled(spec.itemIndex);
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
					});
				}
				const wait = backoffDelay(attempt, retry);
				this.log('warn', `${label} failed (${describeCause(error)}); retrying in ${wait} ms (try ${attempt + 2} of ${retry.maxTries})`);
				await this.pause(wait, signal, spec.itemIndex);
				continue;
			}

			const { statusCode, headers, body } = response;
			this.log('debug', `${label} -> ${statusCode} in ${Date.now() - started} ms`);
			if (statusCode >= 200 && statusCode < 300) {
				return { statusCode, headers, body, displayUrl };
			}

			const text = await readText(body, ERROR_BODY_LIMIT).catch(() => '');
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
			this.log('warn', `${label} answered ${statusCode}; retrying in ${wait} ms (try ${attempt + 2} of ${retry.maxTries})`);
			await this.pause(wait, signal, spec.itemIndex);
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

	private headersFor(spec: ApiRequest): Record<string, string> {
		const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'n8n-nodes-visual-ai' };
		// Presigned and output URLs are third-party hosts: the provider's auth must never go there.
		if (!spec.url) Object.assign(headers, this.options.headers);
		if (spec.json !== undefined) headers['content-type'] = 'application/json';
		return Object.assign(headers, spec.headers);
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
