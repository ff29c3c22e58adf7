import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { redactAndCut, redactText, redactUrl, redactValue } from './redact';
import { errorCode } from './retry';

export interface ProviderError {
	code?: string;
	message?: string;
}

/** What a node knows about one provider's errors beyond the shape of its error bodies. */
export interface ProviderProfile {
	name: string;
	/** A better message and what to do, for a status/code pair this provider documents. */
	explain?(status: number, error: ProviderError): { message?: string; hint?: string } | undefined;
}

/**
 * Reads every documented error body shape: `{error:{code,message}}` (EyeQuant), `{detail}` (Pique,
 * also FastAPI's 422 list), `{error: "..."}` (Image Forge), `{success:false,msg}` (EyeQuant summaries)
 * and S3/GCS XML `<Code>`/`<Message>`. Texts come back whole: redact them before cutting (`redactAndCut`).
 */
export function readProviderError(body: unknown, text: string): ProviderError {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const record = body as Record<string, unknown>;
		const error = record.error;
		if (error && typeof error === 'object') {
			const nested = error as Record<string, unknown>;
			return { code: asString(nested.code), message: asString(nested.message) };
		}
		if (typeof error === 'string') return { message: error };
		if (typeof record.detail === 'string') return { message: record.detail };
		if (Array.isArray(record.detail)) return { message: describeValidationDetail(record.detail) };
		if (typeof record.msg === 'string') return { code: asString(record.code), message: record.msg };
		if (typeof record.message === 'string') return { code: asString(record.code), message: record.message };
	}
	const xmlCode = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	if (xmlCode) return { code: xmlCode, message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] };
	const plain = text.trim();
	return plain ? { message: plain } : {};
}

function asString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function describeValidationDetail(detail: unknown[]): string {
	return detail
		.map((entry) => {
			if (!entry || typeof entry !== 'object') return String(entry);
			const { loc, msg } = entry as { loc?: unknown; msg?: unknown };
			const where = Array.isArray(loc) ? loc.join('.') : '';
			return where ? `${where}: ${String(msg)}` : String(msg);
		})
		.join('; ');
}

const STATUS_HINTS: Record<number, string> = {
	400: 'The provider rejected the request as invalid: check the node parameters named in the message.',
	401: 'The credential was refused: check the API key (or client id and secret) and the base URL in the credential.',
	402: 'The account has too few credits for this request: top up, or process fewer images per run.',
	403: 'The credential is not allowed to do this: check that the key is active and has access.',
	404: 'Nothing exists under that id for this account: check the id, and that the credential is the account that created it.',
	409: 'The resource is in a state that does not allow this yet: wait and try again.',
	410: 'The resource has expired at the provider and cannot be retrieved any more.',
	413: 'The request is too large: send fewer or smaller images.',
	422: 'The provider rejected a parameter: check the fields named in the message.',
	429: 'The provider is rate limiting this account: lower the concurrency option, or wait and run again.',
};

function hintFor(status: number): string {
	if (STATUS_HINTS[status]) return STATUS_HINTS[status];
	if (status >= 500) return 'The provider failed on its side; this is usually temporary, so try again in a few minutes.';
	return 'The provider refused the request.';
}

/** Longest provider message shown in an error, counted after redaction. */
const MESSAGE_LIMIT = 400;

export interface HttpErrorInput {
	provider: ProviderProfile;
	node: INode;
	status: number;
	body: unknown;
	text: string;
	url: string;
	secrets: readonly string[];
	itemIndex?: number;
	/** Extra sentence, e.g. how many tries were made. */
	note?: string;
}

export function httpError(input: HttpErrorInput): NodeApiError {
	const { provider, status, secrets } = input;
	const error = readProviderError(input.body, input.text);
	const explained = provider.explain?.(status, error);
	const code = error.code ? ` ${error.code}` : '';
	const detail = explained?.message ?? error.message ?? `HTTP ${status}`;
	const message = redactAndCut(`${provider.name} error ${status}${code}: ${detail}`, secrets, MESSAGE_LIMIT);
	const hint = [explained?.hint ?? hintFor(status), input.note].filter(Boolean).join(' ');
	const response: JsonObject = {
		provider: provider.name,
		httpCode: String(status),
		url: redactUrl(input.url),
		...(error.code ? { code: error.code } : {}),
		...(error.message ? { message: redactAndCut(error.message, secrets, MESSAGE_LIMIT) } : {}),
	};
	return apiError(input.node, response, {
		message,
		description: redactText(hint, secrets),
		httpCode: String(status),
		itemIndex: input.itemIndex,
	});
}

export function networkError(input: {
	provider: ProviderProfile;
	node: INode;
	url: string;
	cause: unknown;
	secrets: readonly string[];
	itemIndex?: number;
	note?: string;
	/** The URL came from the provider or the workflow (a presigned upload, an image link), not from the credential. */
	external?: boolean;
	/** Whether repeating the request is harmless; false for a POST that starts a job. */
	idempotent?: boolean;
}): NodeApiError {
	const code = errorCode(input.cause) ?? 'NETWORK_ERROR';
	const reason = NETWORK_REASONS[code] ?? (input.cause instanceof Error ? input.cause.message : String(input.cause));
	const where = redactUrl(input.url);
	const name = input.provider.name;
	const dropped = DROPPED_AFTER_SENDING.has(code);
	const message = dropped
		? `The connection to ${name} dropped after the request was sent (${code})`
		: `${name} could not be reached (${code}): ${reason}`;
	const hint = [networkHint(code, input, where), input.note].filter(Boolean).join(' ');
	return apiError(
		input.node,
		{ provider: name, code, url: where },
		{
			message: redactText(message, input.secrets),
			description: redactText(hint, input.secrets),
			itemIndex: input.itemIndex,
		},
	);
}

function networkHint(code: string, input: { provider: ProviderProfile; external?: boolean; idempotent?: boolean }, where: string): string {
	const name = input.provider.name;
	if (code.includes('TIMEOUT')) {
		const mayExist =
			input.idempotent === false
				? ` The request may have reached ${name} all the same, so the job it starts may exist: look for it before running this item again.`
				: '';
		return `${name} did not answer in time. Raise the timeout option, or try again later.${mayExist}`;
	}
	if (DROPPED_AFTER_SENDING.has(code)) {
		return input.idempotent === false
			? `${name} may have received the request before the connection dropped, so the job it starts may exist already. Look for it (e.g. with a Get or Search operation, or in ${name}'s dashboard) before running this item again, so that it is not created, and paid for, twice.`
			: `Nothing was changed by this request; the connection usually recovers, so try again later. If it keeps happening, check any proxy between this n8n and ${where}.`;
	}
	if (code.startsWith('UND_ERR_PRX')) {
		return `The proxy in HTTP_PROXY / HTTPS_PROXY refused or closed the tunnel to ${where}. Check the proxy address and that it allows this host, or list the host in NO_PROXY.`;
	}
	if (code === 'UNSUPPORTED_CONTENT_CODING' || code.startsWith('Z_') || code.startsWith('ERR_ZSTD') || code.startsWith('ERR__ZLIB')) {
		return `The answer from ${where} was compressed in a way that could not be decoded. If it persists, the host is at fault.`;
	}
	return input.external
		? `Check that this n8n can reach ${where}, including any HTTP(S)_PROXY settings.`
		: `Check the base URL in the credential (${where}) and that this n8n can reach it, including any HTTP(S)_PROXY settings.`;
}

/** Codes of a connection that existed and then broke: the request (or part of it) was sent. */
const DROPPED_AFTER_SENDING = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const NETWORK_REASONS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	UND_ERR_SOCKET: 'the connection closed unexpectedly',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved right now',
	UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
	UND_ERR_HEADERS_TIMEOUT: 'no answer arrived before the timeout',
	UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving before it was complete',
	REQUEST_TIMEOUT: 'the whole answer did not arrive within the timeout',
	ETIMEDOUT: 'the connection timed out',
	UND_ERR_PRX_CONN: 'the proxy closed the connection instead of opening a tunnel',
	UND_ERR_PRX_TLS: 'the TLS connection to the proxy failed',
	Z_DATA_ERROR: 'the compressed answer is corrupt',
	Z_BUF_ERROR: 'the compressed answer ended too early',
};

/**
 * A NodeApiError that keeps our message: NodeApiError swaps any message mentioning a Node error
 * code (ECONNRESET, ENOTFOUND, ...) for a generic sentence that drops the provider's name.
 */
export function apiError(
	node: INode,
	response: JsonObject,
	options: ConstructorParameters<typeof NodeApiError>[2] & { message: string },
): NodeApiError {
	const error = new NodeApiError(node, response, options);
	error.message = options.message;
	return error;
}

/**
 * The last step before an error leaves the HTTP client: its message, description, messages,
 * context and response object pass through `redactText`, whoever built them. Returns the same error.
 */
export function sealError<E>(error: E, secrets: readonly string[]): E {
	if (!(error instanceof Error)) return error;
	error.message = redactText(error.message, secrets);
	if (error.stack) error.stack = redactText(error.stack, secrets);
	const fields = error as unknown as { description?: unknown; messages?: unknown; context?: unknown; cause?: unknown };
	if (typeof fields.description === 'string') fields.description = redactText(fields.description, secrets);
	if (Array.isArray(fields.messages)) fields.messages = redactValue(fields.messages, secrets);
	if (fields.context && typeof fields.context === 'object') fields.context = redactValue(fields.context, secrets);
	if (fields.cause && typeof fields.cause === 'object' && !(fields.cause instanceof Error)) fields.cause = redactValue(fields.cause, secrets);
	else if (fields.cause instanceof Error) sealError(fields.cause, secrets);
	return error;
}
