import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod/v4';

import type { ApiClient } from '../shared/http/client';
import { apiError } from '../shared/http/errors';
import { errorCode } from '../shared/http/retry';
import { describeSchemaIssues } from '../shared/http/validate';
import { describeImages } from './images';
import type { SessionBatch } from './images';
import { completeEventSchema, errorEventSchema, progressEventSchema } from './schemas';
import { DEFAULT_MAX_EVENT_CHARS, SseParser, readSse } from './sse';
import type { SseEvent, SseStreamEnd } from './sse';
import { PROVIDER_NAME } from './transport';

export type StreamVerb = 'analyze' | 'export' | 'sample';

/** How one streamed operation delivers its per-image results. */
export interface StreamProtocol<T extends { imageId: string }> {
	verb: StreamVerb;
	/** A per-image result: the payload of a `result` event, or an entry of `complete.results`. */
	resultSchema: z.ZodType<T>;
	/** Whether the operation costs credits (said when images are lost). */
	paid: boolean;
}

export type ImageOutcome<T> = { ok: true; value: T; raw: unknown } | { ok: false; message: string; description: string };

/** Bounds on one stream (see `readSse`): the idle limit defaults to the Timeout option. */
export interface StreamLimits {
	/** Longest time without an event (keep-alive comments do not count). */
	idleMs: number;
	/** Longest time for the whole stream of one batch. */
	totalMs: number;
	/** Largest single event, in characters. */
	maxEventChars: number;
}

/** An hour: a batch of 100 images takes minutes; a stream still open after this is stuck. */
export const DEFAULT_STREAM_TOTAL_MS = 60 * 60 * 1000;

const NOUNS: Record<StreamVerb, string> = { analyze: 'metadata', export: 'export', sample: 'sample' };
const SHOWN_IN_MESSAGE = 10;

/**
 * Runs one streamed request for one session batch and hands back an outcome for every image of
 * the batch, read event by event as the stream arrives. No image is left out: an image the stream
 * never answered gets an outcome that says so and names every image in the same situation.
 */
export async function streamBatch<T extends { imageId: string }>(
	context: IExecuteFunctions,
	client: ApiClient,
	batch: SessionBatch,
	body: IDataObject,
	protocol: StreamProtocol<T>,
	timeoutMs: number,
	limits: Partial<StreamLimits> = {},
): Promise<Map<string, ImageOutcome<T>>> {
	const bounds: StreamLimits = { idleMs: timeoutMs, totalMs: DEFAULT_STREAM_TOTAL_MS, maxEventChars: DEFAULT_MAX_EVENT_CHARS, ...limits };
	const { verb } = protocol;
	const label = `${PROVIDER_NAME} ${verb} (session ${batch.sessionId})`;
	const byId = new Map(batch.images.map((image) => [image.ref.imageId, image.ref]));
	const fileOf = (imageId: string) => byId.get(imageId)?.originalFilename ?? imageId;
	const itemIndex = batch.itemIndexes[0];

	const response = await client.send({
		method: 'POST',
		path: `/v1/sessions/${encodeURIComponent(batch.sessionId)}/${verb}`,
		headers: { accept: 'text/event-stream' },
		json: body,
		itemIndex,
		timeoutMs,
	});
	await ensureEventStream(context, client, response.headers['content-type'], response.body, response.displayUrl, itemIndex);

	const results = new Map<string, { value: T; raw: unknown }>();
	const failures = new Map<string, string>();
	const misunderstood = new Map<string, string>();
	const unreadable: string[] = [];
	let requestError: string | undefined;
	let complete: z.infer<typeof completeEventSchema> | undefined;
	let readFailure: string | undefined;
	const end: SseStreamEnd = { truncated: false };
	const parser = new SseParser(bounds.maxEventChars);

	const acceptResult = (payload: unknown, source: string) => {
		const imageId = imageIdOf(payload);
		if (imageId === undefined || !byId.has(imageId)) {
			context.logger.warn(`${label}: ignored a ${source} for an image this request did not ask for (${imageId ?? 'no imageId'})`);
			return;
		}
		const parsed = protocol.resultSchema.safeParse(payload);
		if (!parsed.success) {
			misunderstood.set(imageId, describeSchemaIssues(parsed.error));
			return;
		}
		results.set(imageId, { value: parsed.data, raw: payload });
		context.logger.debug(`${label}: result for ${fileOf(imageId)}`, { event: 'result', imageId, sessionId: batch.sessionId });
	};

	context.logger.info(`${label}: streaming ${batch.images.length} image(s)`, { event: 'start', sessionId: batch.sessionId });
	try {
		const events = readSse(response.body, parser, (streamEnd) => Object.assign(end, streamEnd), {
			idleMs: bounds.idleMs,
			totalMs: bounds.totalMs,
		});
		for await (const event of events) {
			const payload = parseEventData(event, unreadable, (text) => client.excerpt(text, 120));
			if (payload === undefined) continue;
			switch (event.type) {
				case 'progress': {
					const progress = progressEventSchema.safeParse(payload);
					const p = progress.success ? progress.data : {};
					const position = p.current !== undefined && p.total !== undefined ? `${p.current}/${p.total} ` : '';
					const what = [p.status, p.step].filter(Boolean).join(' ');
					context.logger.info(`${label}: ${position}${what || 'progress'}${p.imageId ? ` ${fileOf(p.imageId)}` : ''}`, {
						event: 'progress',
						imageId: p.imageId,
						sessionId: batch.sessionId,
					});
					break;
				}
				case 'result':
					acceptResult(payload, 'result');
					break;
				case 'error': {
					const parsed = errorEventSchema.safeParse(payload);
					const reason = client.excerpt(parsed.success ? parsed.data.error : JSON.stringify(payload), 300);
					const imageId = parsed.success ? parsed.data.imageId : imageIdOf(payload);
					if (imageId !== undefined && byId.has(imageId)) {
						failures.set(imageId, reason);
						context.logger.warn(`${label}: ${fileOf(imageId)} failed: ${reason}`, { event: 'error', imageId });
					} else if (imageId !== undefined) {
						context.logger.warn(`${label}: ignored an error for an image this request did not ask for (${imageId})`);
					} else {
						requestError = reason;
						context.logger.warn(`${label}: error for the request: ${requestError}`, { event: 'error' });
					}
					break;
				}
				case 'complete': {
					const parsed = completeEventSchema.safeParse(payload);
					complete = parsed.success ? parsed.data : {};
					for (const entry of complete.results ?? []) acceptResult(entry, 'result in "complete"');
					context.logger.info(
						`${label}: complete (${complete.processed ?? results.size} processed, ${complete.failed ?? failures.size} failed, ${complete.total ?? batch.images.length} in all)`,
						{ event: 'complete', sessionId: batch.sessionId },
					);
					break;
				}
				default:
					context.logger.debug(`${label}: ignored a "${event.type}" event`);
			}
			if (complete) break;
		}
	} catch (error) {
		if (context.getExecutionCancelSignal()?.aborted) {
			throw new NodeOperationError(context.getNode(), `The ${PROVIDER_NAME} ${verb} stream was cancelled`, {
				description: 'The execution was stopped while Image Forge was still sending results.',
				itemIndex,
			});
		}
		readFailure = describeReadFailure(error);
	} finally {
		response.body.destroy();
	}

	const outcomes = new Map<string, ImageOutcome<T>>();
	const missing: string[] = [];
	for (const imageId of byId.keys()) {
		const result = results.get(imageId);
		if (result) {
			outcomes.set(imageId, { ok: true, value: result.value, raw: result.raw });
			continue;
		}
		const failure = failures.get(imageId);
		if (failure !== undefined) {
			outcomes.set(imageId, {
				ok: false,
				message: `${PROVIDER_NAME} could not ${verb} "${fileOf(imageId)}" (image ${imageId}): ${failure}`,
				description: `${failures.size} of ${byId.size} images failed in session ${batch.sessionId}; the others are unaffected. Check that the file opens as a PNG or JPEG image and belongs to this session. Turn on Continue On Fail (Settings → On Error) to keep the other images' results as items.`,
			});
			continue;
		}
		const issue = misunderstood.get(imageId);
		if (issue !== undefined) {
			outcomes.set(imageId, {
				ok: false,
				message: `${PROVIDER_NAME} sent a ${NOUNS[verb]} result for "${fileOf(imageId)}" (image ${imageId}) that this node does not understand: ${issue}`,
				description: 'The result is missing a documented field or has one of the wrong type. If this persists, the Image Forge API may have changed.',
			});
			continue;
		}
		missing.push(imageId);
	}

	if (missing.length > 0) {
		const refs = missing.map((imageId) => ({ imageId, originalFilename: fileOf(imageId) }));
		const why = missingReason({ complete, readFailure, requestError, truncated: end.truncated });
		const summary = `${missing.length} of ${byId.size} images got no ${NOUNS[verb]} result: ${describeImages(refs, SHOWN_IN_MESSAGE)}`;
		const notes = [
			`Images without a result in session ${batch.sessionId}: ${describeImages(refs)}.`,
			unreadable.length > 0 ? `Image Forge also sent ${unreadable.length} event(s) that were not JSON (first: ${unreadable[0]}).` : '',
			parser.lastEventId ? `Last event id: ${parser.lastEventId}.` : '',
			protocol.paid
				? 'Image Forge took the credits for these images when the request started. Run this node again for just these images (the session stays usable for 24 hours); with Continue On Fail each of them is an error item of its own.'
				: 'Run this node again for just these images (the session stays usable for 24 hours); with Continue On Fail each of them is an error item of its own.',
		];
		context.logger.warn(`${label}: ${summary} (${why})`, { event: 'missing', sessionId: batch.sessionId });
		for (const imageId of missing) {
			outcomes.set(imageId, {
				ok: false,
				message: `No ${NOUNS[verb]} result for "${fileOf(imageId)}" (image ${imageId}): ${why}. ${summary}`,
				description: notes.filter(Boolean).join(' '),
			});
		}
	}
	return outcomes;
}

/** The outcome of one image as an error to throw for one item. */
export function outcomeError(context: IExecuteFunctions, outcome: { message: string; description: string }, itemIndex: number, imageId: string) {
	const response: JsonObject = { provider: PROVIDER_NAME, imageId, message: outcome.message };
	return apiError(context.getNode(), response, { message: outcome.message, description: outcome.description, itemIndex });
}

function parseEventData(event: SseEvent, unreadable: string[], excerpt: (text: string) => string): unknown {
	try {
		return JSON.parse(event.data) as unknown;
	} catch {
		unreadable.push(`${event.type}: ${excerpt(event.data)}`);
		return undefined;
	}
}

function imageIdOf(payload: unknown): string | undefined {
	if (payload && typeof payload === 'object' && 'imageId' in payload) {
		const id = (payload as { imageId: unknown }).imageId;
		return typeof id === 'string' ? id : undefined;
	}
	return undefined;
}

function missingReason(state: {
	complete: unknown;
	readFailure: string | undefined;
	requestError: string | undefined;
	truncated: boolean;
}): string {
	if (state.requestError !== undefined) return `Image Forge reported an error for the whole request: ${state.requestError}`;
	if (state.readFailure !== undefined) return `the stream broke off before Image Forge sent "complete" (${state.readFailure})`;
	if (state.complete) return 'Image Forge said it was complete without sending a result for it';
	return state.truncated
		? 'the stream ended in the middle of an event, before Image Forge sent "complete"'
		: 'the stream ended before Image Forge sent "complete"';
}

function describeReadFailure(error: unknown): string {
	const code = errorCode(error);
	if (code === 'UND_ERR_BODY_TIMEOUT') return 'nothing arrived within the idle timeout';
	if (code === 'SSE_IDLE_LIMIT' && error instanceof Error) return `${error.message}, only keep-alive comments: raise "Timeout" if Image Forge is just slow`;
	if (code === 'SSE_TIME_LIMIT' && error instanceof Error) return `${error.message}, the limit for one stream`;
	if (code === 'SSE_EVENT_TOO_LARGE' && error instanceof Error) return `Image Forge sent an event too large to read (${error.message})`;
	if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'the connection closed unexpectedly';
	return error instanceof Error ? error.message : String(error);
}

/** A 2xx answer that is not an event stream is a provider fault worth a readable error. */
async function ensureEventStream(
	context: IExecuteFunctions,
	client: ApiClient,
	contentType: string | string[] | undefined,
	body: AsyncIterable<unknown> & { destroy(): void },
	displayUrl: string,
	itemIndex: number,
): Promise<void> {
	const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
	if (type.toLowerCase().includes('text/event-stream')) return;
	let start = '';
	for await (const chunk of body) {
		start += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
		if (start.length >= 200) break;
	}
	body.destroy();
	const message = `${PROVIDER_NAME} answered with ${type || 'no content type'} instead of an event stream`;
	throw apiError(
		context.getNode(),
		{ provider: PROVIDER_NAME, url: displayUrl },
		{
			message,
			description: `The answer from ${displayUrl} started with: ${client.excerpt(start, 200)}. Check that the credential's base URL is the Image Forge API itself and not a page or proxy in front of it.`,
			itemIndex,
		},
	);
}
