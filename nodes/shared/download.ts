import { Readable } from 'node:stream';

import type { BinaryHelperFunctions, IBinaryData } from 'n8n-workflow';
import { NodeApiError, NodeError, NodeOperationError, sleep } from 'n8n-workflow';

import { ApiClient } from './http/client';
import type { RequestContext, StreamResponse } from './http/client';
import { apiError } from './http/errors';
import type { ProviderProfile } from './http/errors';
import { redactUrl } from './http/redact';
import { DEFAULT_RETRY, backoffDelay, errorCode, isRetryableNetworkError } from './http/retry';
import type { TryBudget } from './http/retry';
import { extensionForMimeType, isGenericMimeType, normalizeMimeType, sniffMimeType } from './mime';

export type DownloadContext = RequestContext & { helpers: Pick<BinaryHelperFunctions, 'prepareBinaryData'> };

export interface DownloadOptions {
	/** File name without extension; the extension follows the mime type. */
	baseName: string;
	/** What the link is, for messages: "EyeQuant attentionMap", "the URL in outputs.map". */
	source: string;
	/** Counted after content codings are undone. */
	maxBytes?: number;
	/** Per try: the whole download, headers and body. */
	timeoutMs?: number;
	/** Requests in all for this URL (redirect hops not counted), whether a try failed on the status or mid-body. */
	tries?: number;
	/** Host patterns the link and every redirect hop must match (empty: any host). */
	allowedHosts?: string[];
	itemIndex?: number;
}

const SNIFF_BYTES = 64;

/**
 * Streams a URL straight into n8n's binary data (never the whole file in memory). No auth header
 * is sent; redirects are followed (every hop checked by `checkLinkHop`); content codings (gzip,
 * deflate, br, zstd) are undone before sniffing and storing. An expired presigned link (S3 403
 * "Request has expired", GCS 400 ExpiredToken, 410) fails with a message that says so and when
 * (`isExpiredLinkError`); an empty body or one over `maxBytes` fails instead of storing a broken
 * file, and a body that breaks off leaves nothing behind (n8n's filesystem store writes to a
 * temporary file and only renames it once complete). `timeoutMs` bounds each try as a whole;
 * `tries` bounds the requests made for the URL, however each try failed.
 */
export async function downloadToBinary(
	context: DownloadContext,
	url: string,
	options: DownloadOptions,
): Promise<IBinaryData> {
	const tries = Math.max(1, options.tries ?? DEFAULT_RETRY.maxTries);
	const expiry = { seen: false };
	const client = new ApiClient(context, {
		provider: linkProfile(options.source, expiry),
		timeoutMs: options.timeoutMs,
		retry: { maxTries: tries },
	});
	const signal = context.getExecutionCancelSignal?.();
	const budget: TryBudget = { maxTries: tries, used: 0 };
	// The expiry date is in the query of the hop that answered, which may be a redirect's target.
	let lastHop = url;
	for (let attempt = 0; ; attempt++) {
		let response: StreamResponse;
		try {
			response = await client.send({
				method: 'GET',
				url,
				itemIndex: options.itemIndex,
				timeoutCovers: 'whole',
				link: { policy: { allowedHosts: options.allowedHosts }, onHop: (next) => (lastHop = next.toString()) },
				budget,
			});
		} catch (error) {
			throw expiry.seen && error instanceof NodeApiError ? expiredLink(context, options, url, lastHop, error) : asNodeError(context, error, options);
		}
		const declared = Number(response.headers['content-length']);
		if (options.maxBytes !== undefined && declared > options.maxBytes) {
			response.body.destroy();
			throw tooLarge(context, options, response.displayUrl, declared);
		}
		let failure: unknown;
		try {
			return await storeBody(context, response, options);
		} catch (error) {
			failure = error;
			response.body.destroy();
		}
		if (failure instanceof NodeError) throw failure;
		if (signal?.aborted) {
			throw new NodeOperationError(context.getNode(), 'The download was cancelled', { itemIndex: options.itemIndex });
		}
		if (budget.used >= budget.maxTries || !isRetryableNetworkError(failure, true)) {
			throw brokenOff(context, options, response.displayUrl, failure, budget.used);
		}
		const wait = backoffDelay(attempt, DEFAULT_RETRY);
		context.logger.warn(
			`${options.source} ${response.displayUrl} broke off (${errorCode(failure) ?? 'error'}); retrying in ${wait} ms`,
		);
		await sleep(wait, signal).catch(() => {
			throw new NodeOperationError(context.getNode(), 'The download was cancelled', { itemIndex: options.itemIndex });
		});
	}
}

async function storeBody(context: DownloadContext, response: StreamResponse, options: DownloadOptions): Promise<IBinaryData> {
	const { head, stream } = await peek(response.body, SNIFF_BYTES, (received) =>
		options.maxBytes !== undefined && received > options.maxBytes
			? tooLarge(context, options, response.displayUrl, received)
			: undefined,
	);
	if (head.length === 0) {
		throw new NodeApiError(
			context.getNode(),
			{ url: response.displayUrl },
			{
				message: `${options.source} answered with an empty file`,
				description: `${response.displayUrl} returned 0 bytes, so nothing was stored. Check that the link points at a file.`,
				itemIndex: options.itemIndex,
			},
		);
	}
	const headerType = normalizeMimeType(response.headers['content-type']);
	const mimeType =
		headerType && !isGenericMimeType(headerType) ? headerType : (sniffMimeType(head) ?? 'application/octet-stream');
	const extension = extensionForMimeType(mimeType);
	const fileName = extension ? `${options.baseName}.${extension}` : options.baseName;
	return await context.helpers.prepareBinaryData(stream, fileName, mimeType);
}

/** True for the error `downloadToBinary` throws when a presigned link has expired. */
export function isExpiredLinkError(error: unknown): boolean {
	return error instanceof NodeApiError && error.context.linkExpired === true;
}

/**
 * S3 answers an expired presigned URL with 403 AccessDenied "Request has expired", Google Cloud
 * Storage with 400 `ExpiredToken`, EyeQuant with 410.
 */
function linkProfile(source: string, expiry: { seen: boolean }): ProviderProfile {
	return {
		name: source,
		explain(status, error) {
			const said = `${error.code ?? ''} ${error.message ?? ''}`;
			const expiredS3 = status === 403 && /expired/i.test(said);
			const expiredGcs = status === 400 && /^ExpiredToken$/i.test(error.code ?? '');
			if (status === 410 || expiredS3 || expiredGcs) {
				expiry.seen = true;
				return undefined;
			}
			if (status === 401 || status === 403) {
				return {
					hint: `The host refused the link of ${source}. Presigned links work only exactly as handed out (with everything after "?"), and only without extra credentials.`,
				};
			}
			if (status === 404) return { hint: `Nothing is at the link of ${source} (any more). Check where the link came from.` };
			return undefined;
		},
	};
}

function expiredLink(context: DownloadContext, options: DownloadOptions, url: string, lastHop: string, cause: NodeApiError): NodeApiError {
	const when = expiryOf(lastHop) ?? expiryOf(url);
	const displayUrl = redactUrl(url);
	const error = apiError(
		context.getNode(),
		{ url: displayUrl, httpCode: cause.httpCode ?? '', linkExpired: true },
		{
			message: `The link expired${when ? ` at ${when}` : ''}: ${options.source} (${displayUrl})`,
			description: `${options.source} links stop working after a while (EyeQuant keeps results for one hour after an analysis finishes), and the host answered ${cause.httpCode ?? 'an error'}. Nothing was stored for it. Download results as soon as they are ready, e.g. with "Download Outputs" on Wait for Completion or the Visual AI Trigger, or run the job again.`,
			httpCode: cause.httpCode ?? undefined,
			itemIndex: options.itemIndex,
		},
	);
	error.context.linkExpired = true;
	return error;
}

/** When a presigned S3 or GCS URL stops working, read from its query string (no signature shown). */
export function expiryOf(url: string): string | undefined {
	try {
		const query = new URL(url).searchParams;
		const date = query.get('X-Amz-Date') ?? query.get('X-Goog-Date');
		const seconds = Number(query.get('X-Amz-Expires') ?? query.get('X-Goog-Expires'));
		if (!date || !Number.isFinite(seconds)) return undefined;
		const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
		if (!match) return undefined;
		const [, y, mo, d, h, mi, s] = match;
		const start = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
		return new Date(start + seconds * 1000).toISOString();
	} catch {
		return undefined;
	}
}

/**
 * n8n's filesystem store writes a stream with `fs.writeFile`, awaiting one write per chunk. With a
 * small buffer the socket stalls during every write (a 1 GiB map took 6.4 s); letting the body run
 * this far ahead of the disk keeps both busy (about 2 s). Copying chunks into bigger pieces for
 * fewer writes was tried: no faster, and twice the garbage for the GC.
 */
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
/** The read-ahead in chunks: the stream handed to n8n is in object mode (one chunk per read). */
const READ_AHEAD_CHUNKS = READ_AHEAD_BYTES / (64 * 1024);

/**
 * Reads the first bytes of a body for sniffing and hands back a stream of the whole body; `check`
 * sees the running byte count and may end the stream with an error (size limits). The body is
 * destroyed whenever the returned stream does not reach its end, so no connection is left open.
 *
 * The body is read with 'data' events and the returned stream is in object mode, so every chunk
 * reaches n8n's store as the socket delivered it. Reading a byte stream with `read()` (as async
 * iteration does) joins whatever is queued into a new Buffer whenever the reader is slower than
 * the network, which it is while the store writes: twice the Buffers for V8's garbage collector,
 * about twice its full collections of n8n's heap (bench/n8n-archive.ts).
 */
async function peek(
	body: Readable,
	bytes: number,
	check: (received: number) => Error | undefined,
): Promise<{ head: Buffer; stream: Readable }> {
	let received = 0;
	let complete = false;
	const first: Buffer[] = [];
	const stream = new Readable({
		objectMode: true,
		highWaterMark: READ_AHEAD_CHUNKS,
		read() {
			body.resume();
		},
		destroy(error, callback) {
			if (!complete) body.destroy();
			callback(error);
		},
	});
	// A failure before anyone reads must not become an uncaught 'error' event; the reader still
	// gets it (a destroyed stream rejects its iterator and fails pipes).
	stream.on('error', () => undefined);
	return await new Promise((resolve, reject) => {
		let sniffed = false;
		let failed = false;
		const sniff = () => {
			if (sniffed) return;
			sniffed = true;
			resolve({ head: first.length === 1 ? first[0] : Buffer.concat(first), stream });
		};
		const fail = (error: Error) => {
			if (failed) return;
			failed = true;
			body.destroy();
			if (sniffed) stream.destroy(error);
			else reject(error);
		};
		body.on('data', (chunk: Buffer) => {
			received += chunk.length;
			if (!sniffed) first.push(chunk);
			const failure = check(received);
			if (failure) return fail(failure);
			if (!stream.push(chunk)) body.pause();
			if (received >= bytes) sniff();
		});
		body.once('end', () => {
			complete = true;
			stream.push(null);
			sniff();
		});
		body.once('error', fail);
		body.once('close', () => {
			if (!complete) fail(Object.assign(new Error('the body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
		});
	});
}

function asNodeError(context: DownloadContext, error: unknown, options: DownloadOptions): NodeError {
	if (error instanceof NodeError) return error;
	return new NodeOperationError(context.getNode(), error instanceof Error ? error : String(error), { itemIndex: options.itemIndex });
}

function tooLarge(context: DownloadContext, options: DownloadOptions, displayUrl: string, bytes: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), `${options.source} is larger than the limit of ${options.maxBytes} bytes`, {
		itemIndex: options.itemIndex,
		description: `${displayUrl} has at least ${bytes} bytes. Nothing was stored for it. Raise "Max File Size" if this file is expected.`,
	});
}

function brokenOff(
	context: DownloadContext,
	options: DownloadOptions,
	displayUrl: string,
	cause: unknown,
	tries: number,
): NodeApiError {
	const code = errorCode(cause) ?? 'error';
	const timedOut = code === 'REQUEST_TIMEOUT';
	const seconds = Math.round((options.timeoutMs ?? 0) / 100) / 10;
	const message = timedOut
		? `The download of ${options.source} did not finish within the timeout of ${seconds} s`
		: `The download of ${options.source} broke off (${code})`;
	const description = timedOut
		? `${displayUrl} was still sending when the timeout ran out, ${tries} time(s). Nothing was stored for it. The timeout covers the whole download of one try: raise "Timeout" for large files or slow hosts.`
		: `${displayUrl} stopped sending before the file was complete, ${tries} time(s). Nothing was stored for it. Try again later.`;
	return apiError(context.getNode(), { url: displayUrl, code }, { message, description, itemIndex: options.itemIndex });
}
