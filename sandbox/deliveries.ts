/**
 * Webhook deliveries on demand, for testing receivers: the sandbox POSTs a Pique or Image
 * Intelligence webhook for a job right now, correct or wrong in one chosen way, and reports what
 * the receiver answered. Each request is one attempt (no retry loop); `times` repeats it, which is
 * what a provider's retry looks like to the receiver.
 */
import { randomUUID } from 'node:crypto';

import type { Core } from './core.ts';
import { isRecord } from './http.ts';
import { piqueSignature } from './webhooks.ts';
import type { SignatureEncoding, WebhookDelivery } from './webhooks.ts';

/**
 * - `valid`: the job's payload as of now, signed (Pique) with the webhook secret.
 * - `stale`: the payload as it was while the job ran (an out-of-order delivery), signed.
 * - `badSignature`: the valid payload signed with another secret.
 * - `unsigned`: the valid payload without `X-Webhook-Signature`.
 * - `unknownJob`: a well-formed payload for a job id the sandbox never issued (a foreign job), signed.
 * - `notJson`: a body that is not JSON, signed.
 */
export type DeliveryKind = 'valid' | 'stale' | 'badSignature' | 'unsigned' | 'unknownJob' | 'notJson';

export const DELIVERY_KINDS: readonly DeliveryKind[] = ['valid', 'stale', 'badSignature', 'unsigned', 'unknownJob', 'notJson'];

export interface DeliveryRequest {
	provider: WebhookDelivery['provider'];
	/** The receiver (loopback only). */
	url: string;
	/** The job whose payload is sent; not needed for `unknownJob` and `notJson`. */
	jobId?: string;
	kind?: DeliveryKind;
	/** How many times the same request is sent, one after the other (a retried delivery). Default 1. */
	times?: number;
	/** Pique only: how the signature is written. Default `prefixedHex` (`sha256=<hex>`). */
	encoding?: SignatureEncoding;
}

export interface DeliveryReport {
	jobId: string;
	kind: DeliveryKind;
	/** One entry per attempt: the receiver's status, or the network error. */
	attempts: WebhookDelivery[];
}

/** Thrown for a request the sandbox cannot make (unknown job, bad field): the control route answers 400. */
export class DeliveryRequestError extends Error {}

export interface PayloadSource {
	webhookPayload(jobId: string, stale?: boolean): Record<string, unknown> | undefined;
}

const ENCODINGS = new Set<SignatureEncoding>(['prefixedHex', 'hex', 'base64', 'prefixedBase64']);
const MAX_TIMES = 20;

/** Reads a delivery request from JSON (the control endpoint), saying which field is wrong. */
export function parseDeliveryRequest(value: unknown): DeliveryRequest {
	if (!isRecord(value)) throw new DeliveryRequestError('Send a JSON object {provider, url, jobId?, kind?, times?, encoding?}');
	const { provider, url, jobId, kind, times, encoding } = value;
	if (provider !== 'pique' && provider !== 'imageIntelligence') throw new DeliveryRequestError('provider must be "pique" or "imageIntelligence"');
	if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new DeliveryRequestError('url must be an http(s) URL');
	if (jobId !== undefined && typeof jobId !== 'string') throw new DeliveryRequestError('jobId must be a string');
	if (kind !== undefined && !DELIVERY_KINDS.includes(kind as DeliveryKind)) {
		throw new DeliveryRequestError(`kind must be one of ${DELIVERY_KINDS.join(', ')}`);
	}
	if (times !== undefined && (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > MAX_TIMES)) {
		throw new DeliveryRequestError(`times must be a whole number from 1 to ${MAX_TIMES}`);
	}
	if (encoding !== undefined && !ENCODINGS.has(encoding as SignatureEncoding)) {
		throw new DeliveryRequestError(`encoding must be one of ${[...ENCODINGS].join(', ')}`);
	}
	return {
		provider,
		url,
		jobId: jobId as string | undefined,
		kind: kind as DeliveryKind | undefined,
		times: times as number | undefined,
		encoding: encoding as SignatureEncoding | undefined,
	};
}

function foreignPayload(provider: DeliveryRequest['provider'], jobId: string, now: number): Record<string, unknown> {
	if (provider === 'pique') {
		return { event: 'evaluation.completed', job_id: jobId, content_id: randomUUID(), judge_id: randomUUID(), status: 'completed', overall_score: 99, detector_results: [], timestamp: new Date(now).toISOString() };
	}
	return { id: jobId, createdAt: now, status: 'COMPLETED_SUCCESSFULLY', question: 'Forged?', jobResults: {}, imageResults: [] };
}

/** Builds the body and headers of one delivery, then sends it `times` times, one after the other. */
export async function deliverOnDemand(core: Core, sources: Record<DeliveryRequest['provider'], PayloadSource>, request: DeliveryRequest): Promise<DeliveryReport> {
	const kind = request.kind ?? 'valid';
	let jobId = request.jobId ?? '';
	let body: string;
	if (kind === 'notJson') body = '<html><body>502 Bad Gateway</body></html>';
	else if (kind === 'unknownJob') {
		jobId = request.jobId ?? randomUUID();
		body = JSON.stringify(foreignPayload(request.provider, jobId, core.clock.now()));
	} else {
		const payload = jobId ? sources[request.provider].webhookPayload(jobId, kind === 'stale') : undefined;
		if (!payload) throw new DeliveryRequestError(`No ${request.provider} job ${jobId || '(jobId missing)'} in this sandbox`);
		body = JSON.stringify(payload);
	}
	const headers: Record<string, string> = {};
	if (request.provider === 'pique' && kind !== 'unsigned') {
		const secret = kind === 'badSignature' ? `${core.config.webhookSecret}-wrong` : core.config.webhookSecret;
		headers['x-webhook-signature'] = piqueSignature(body, secret, request.encoding);
	}
	const attempts: WebhookDelivery[] = [];
	for (let attempt = 1; attempt <= (request.times ?? 1); attempt++) {
		attempts.push(await core.webhooks.sendOnce({ provider: request.provider, jobId, url: request.url, body, headers }, attempt));
	}
	return { jobId, kind, attempts };
}
