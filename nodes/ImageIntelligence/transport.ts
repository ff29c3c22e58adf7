import type { Readable } from 'node:stream';

import type { ICredentialDataDecryptedObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod/v4';

import { ApiClient } from '../shared/http/client';
import type { ApiRequest, RequestContext } from '../shared/http/client';
import { apiError } from '../shared/http/errors';
import type { ProviderProfile } from '../shared/http/errors';
import { redactUrl } from '../shared/http/redact';
import { describeSchemaIssues } from '../shared/http/validate';
import { tokenSchema } from './schemas';
import { settle } from './settle';
import { cachedToken, dropToken, tokenCacheKey } from './token';
import type { CachedToken, TokenGrant } from './token';

export const IMAGE_INTELLIGENCE_CREDENTIAL = 'imageIntelligenceApi';
export const PROVIDER_NAME = 'Image Intelligence';
const DEFAULT_BASE_URL = 'https://api.imageintelligence.com/v2';
const TOKEN_TIMEOUT_MS = 30_000;
const TOKEN_BODY_LIMIT = 64 * 1024;
const CREDENTIAL_HINT = 'Check Client ID, Client Secret and Base URL in the Image Intelligence credential.';

/** Image Intelligence documents no error bodies; the status says what happened. */
export const IMAGE_INTELLIGENCE_PROFILE: ProviderProfile = {
	name: PROVIDER_NAME,
	explain(status) {
		switch (status) {
			case 400:
				return {
					hint: 'Image Intelligence refused the request: check the question (at most 256 characters), the image URLs (http or https, at most 512 characters), the examples (1 to 3 URLs each) and the custom and feed IDs (at most 64 characters).',
				};
			case 401:
				return { message: 'Image Intelligence refused the client ID or client secret', hint: CREDENTIAL_HINT };
			case 403:
				return {
					hint: 'This client is not allowed to do this. Image Intelligence gives each client scopes (ask:read to read jobs, ask:create to submit them): ask the provider to grant the missing one, or use another client.',
				};
			case 404:
				return {
					hint: 'No ask job has this ID for this client. Use the jobId that Ask → Create returned, with the same credential.',
				};
			case 413:
				return {
					hint: 'The request is too large. Images from binary files travel inside the request (base64): send fewer or smaller files per job, or send image URLs instead.',
				};
			default:
				return undefined;
		}
	},
};

/** What the client needs from n8n's execute or load-options context. */
export interface ImageIntelligenceContext extends RequestContext {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string, itemIndex?: number): Promise<T>;
}

interface Credential {
	baseUrl: string;
	clientId: string;
	clientSecret: string;
}

/** A failed token request, kept as plain data so each waiting item can raise it as its own error. */
class TokenRequestError extends Error {
	readonly description: string;
	readonly httpCode?: string;

	constructor(message: string, description: string, httpCode?: string) {
		super(message);
		this.description = description;
		this.httpCode = httpCode;
	}
}

/**
 * Calls Image Intelligence with a cached OAuth access token: fetched once per credential and
 * reused across items and executions until shortly before it expires. A 401 from the API
 * refreshes the token once and repeats that one request once.
 */
export class ImageIntelligenceClient {
	private readonly context: ImageIntelligenceContext;
	private readonly credential: Credential;
	private readonly cacheKey: string;
	private readonly clients = new Map<string, ApiClient>();
	/** A token request that failed in this execution: the other items get the same error, no new request. */
	private failure?: TokenRequestError;

	constructor(context: ImageIntelligenceContext, credential: Credential) {
		this.context = context;
		this.credential = credential;
		this.cacheKey = tokenCacheKey(credential.baseUrl, credential.clientId, credential.clientSecret);
	}

	/** Sends a request with the access token and parses the 2xx JSON answer with `schema`. */
	async json<S extends z.ZodType>(spec: ApiRequest, schema: S): Promise<z.infer<S>> {
		const token = await this.token(spec.itemIndex);
		const first = await settle(this.clientFor(token).json(spec, schema));
		if (first.ok) return first.value;
		if (!isUnauthorized(first.error)) throw first.error;
		this.context.logger.info(`${PROVIDER_NAME} refused the access token (401): fetching a new one and repeating the request once`);
		dropToken(this.cacheKey, token.accessToken);
		const fresh = await this.token(spec.itemIndex);
		const second = await settle(this.clientFor(fresh).json(spec, schema));
		if (second.ok) return second.value;
		if (isUnauthorized(second.error)) throw this.refusedTwice(spec.itemIndex);
		throw second.error;
	}

	private async token(itemIndex?: number): Promise<CachedToken> {
		if (this.failure) return this.raise(this.failure, itemIndex);
		const outcome = await settle(this.unlessCancelled(cachedToken(this.cacheKey, async () => await this.requestToken()), itemIndex));
		if (outcome.ok) return outcome.value;
		if (!(outcome.error instanceof TokenRequestError)) throw outcome.error;
		this.failure = outcome.error;
		return this.raise(outcome.error, itemIndex);
	}

	/**
	 * The shared token request does not listen to this execution's cancel signal (others may be
	 * waiting for it), so this execution stops waiting for it on its own.
	 */
	private async unlessCancelled<T>(promise: Promise<T>, itemIndex?: number): Promise<T> {
		const signal = this.context.getExecutionCancelSignal?.();
		if (!signal) return await promise;
		const cancelled = () =>
			new NodeOperationError(this.context.getNode(), `The request to ${PROVIDER_NAME} was cancelled`, {
				description: 'The execution was stopped while waiting for an access token.',
				itemIndex,
			});
		if (signal.aborted) throw cancelled();
		return await new Promise<T>((resolve, reject) => {
			const onAbort = () => reject(cancelled());
			signal.addEventListener('abort', onAbort, { once: true });
			promise.then(
				(value) => {
					signal.removeEventListener('abort', onAbort);
					resolve(value);
				},
				(error: unknown) => {
					signal.removeEventListener('abort', onAbort);
					reject(error);
				},
			);
		});
	}

	private raise(error: TokenRequestError, itemIndex?: number): never {
		throw apiError(
			this.context.getNode(),
			{ provider: PROVIDER_NAME, url: redactUrl(`${this.credential.baseUrl}/oauth/token`), ...(error.httpCode ? { httpCode: error.httpCode } : {}) },
			{ message: error.message, description: error.description, httpCode: error.httpCode, itemIndex },
		);
	}

	/**
	 * POST /oauth/token. It runs without the execution's cancel signal because other executions
	 * may be waiting for the same token; its own timeout bounds it.
	 */
	private async requestToken(): Promise<TokenGrant> {
		const { baseUrl, clientId, clientSecret } = this.credential;
		const context: RequestContext = { getNode: () => this.context.getNode(), logger: this.context.logger, helpers: this.context.helpers };
		const client = new ApiClient(context, {
			provider: IMAGE_INTELLIGENCE_PROFILE,
			baseUrl,
			secrets: [clientSecret],
			timeoutMs: TOKEN_TIMEOUT_MS,
		});
		// Asking for a token twice is harmless, so 5xx answers and dropped connections are retried.
		const sent = await settle(
			client.send({ method: 'POST', path: '/oauth/token', json: { clientId, clientSecret }, idempotent: true }),
		);
		if (!sent.ok) {
			const error = sent.error;
			if (error instanceof NodeApiError) throw new TokenRequestError(error.message, error.description ?? CREDENTIAL_HINT, error.httpCode ?? undefined);
			if (error instanceof NodeOperationError) throw new TokenRequestError(error.message, error.description ?? CREDENTIAL_HINT);
			throw error;
		}
		const read = await settle(readText(sent.value.body));
		if (!read.ok) {
			if (read.error instanceof TokenRequestError) throw read.error;
			throw new TokenRequestError(`${PROVIDER_NAME} broke off its answer to the token request`, 'The connection failed while the answer arrived; try again.');
		}
		const text = read.value;
		// The body holds the token: no part of it may reach a message.
		const body = parseJson(text);
		if (body === undefined) {
			throw new TokenRequestError(
				`${PROVIDER_NAME} returned a token answer that is not valid JSON`,
				'This is a fault at the provider; try again later.',
			);
		}
		const parsed = tokenSchema.safeParse(body);
		if (!parsed.success) {
			throw new TokenRequestError(
				`${PROVIDER_NAME} returned a token answer this node does not understand: ${describeSchemaIssues(parsed.error)}`,
				'The token answer is missing a documented field (accessToken, expiresAt) or has one of the wrong type. This is usually a temporary fault at the provider.',
			);
		}
		const until = new Date(parsed.data.expiresAt);
		this.context.logger.debug(
			`${PROVIDER_NAME}: fetched an access token valid until ${Number.isNaN(until.getTime()) ? parsed.data.expiresAt : until.toISOString()}`,
		);
		return { accessToken: parsed.data.accessToken, expiresAt: parsed.data.expiresAt, issuedAt: parsed.data.issuedAt };
	}

	private clientFor(token: CachedToken): ApiClient {
		let client = this.clients.get(token.accessToken);
		if (!client) {
			client = new ApiClient(this.context, {
				provider: IMAGE_INTELLIGENCE_PROFILE,
				baseUrl: this.credential.baseUrl,
				headers: { authorization: `Bearer ${token.accessToken}` },
				secrets: [this.credential.clientSecret, token.accessToken],
			});
			this.clients.set(token.accessToken, client);
		}
		return client;
	}

	private refusedTwice(itemIndex?: number): NodeApiError {
		const response: JsonObject = { provider: PROVIDER_NAME, httpCode: '401' };
		return apiError(this.context.getNode(), response, {
			message: `${PROVIDER_NAME} error 401: a freshly issued access token was refused too`,
			description: `The credential gets tokens, but the API does not accept them. ${CREDENTIAL_HINT} The base URL must be the API's (e.g. https://api.imageintelligence.com/v2), where both /oauth/token and /ask live.`,
			httpCode: '401',
			itemIndex,
		});
	}
}

function isUnauthorized(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '401';
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

async function readText(body: Readable): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		size += buffer.length;
		if (size > TOKEN_BODY_LIMIT) {
			body.destroy();
			throw new TokenRequestError(`${PROVIDER_NAME} returned a token answer larger than 64 KiB`, 'This is a fault at the provider; try again later.');
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** The client for the node's Image Intelligence credential. */
export async function imageIntelligenceClient(context: ImageIntelligenceContext): Promise<ImageIntelligenceClient> {
	const credentials = await context.getCredentials(IMAGE_INTELLIGENCE_CREDENTIAL);
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const clientId = text(credentials.clientId);
	const clientSecret = text(credentials.clientSecret);
	const baseUrl = (text(credentials.baseUrl) || DEFAULT_BASE_URL).replace(/\/+$/, '');
	if (!clientId || !clientSecret) {
		throw new NodeOperationError(context.getNode(), 'The Image Intelligence credential has no client ID or client secret', {
			description: 'Open the Image Intelligence credential and fill in the client ID and secret of your Image Intelligence app.',
		});
	}
	if (!/^https?:\/\//i.test(baseUrl)) {
		throw new NodeOperationError(context.getNode(), 'The Image Intelligence credential has no valid base URL', {
			description: `Set Base URL to ${DEFAULT_BASE_URL} (or your test server); /oauth/token and /ask go under it.`,
		});
	}
	return new ImageIntelligenceClient(context, { baseUrl, clientId, clientSecret });
}
