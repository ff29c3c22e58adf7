import type { IDataObject } from 'n8n-workflow';

import { flattenResult } from './flatten';
import { FINISHED_STATUSES, fetchResult } from './results';
import { PIQUE_CREDENTIAL, piqueClient } from './transport';
import { DELIVERY_READ_RETRY, DELIVERY_READ_TIMEOUT_MS } from '../shared/webhooks/receive';
import type { DeliverySource } from '../shared/webhooks/receive';
import { isValidHmacSignature } from '../shared/webhooks/signature';

export const SIGNATURE_HEADER = 'x-webhook-signature';
const MAX_JOB_ID_LENGTH = 200;

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The webhook secret of the node's Pique credential, trimmed ('' when unset). */
export async function piqueWebhookSecret(context: { getCredentials<T extends object>(type: string): Promise<T> }): Promise<string> {
	const credential = await context.getCredentials<{ webhookSecret?: unknown }>(PIQUE_CREDENTIAL);
	return typeof credential.webhookSecret === 'string' ? credential.webhookSecret.trim() : '';
}

/**
 * Pique's side of the webhook trigger (PROVIDERS.md §3): every call must carry a valid
 * `X-Webhook-Signature` over the raw body; the body's `job_id` is then read back with
 * `GET /v1/evaluations/results/{job_id}` and emitted as the Pique node's Get Result item.
 */
export const piqueDeliveries: DeliverySource = {
	provider: 'pique',
	label: 'Pique',
	jobNoun: 'evaluation',
	async authenticate(context, rawBody, request) {
		const secret = await piqueWebhookSecret(context);
		if (!secret) return 'the Pique credential has no Webhook Secret, so no call can be verified';
		const header = request.headers[SIGNATURE_HEADER];
		if (header === undefined) return 'no X-Webhook-Signature header';
		return isValidHmacSignature(rawBody, header, secret) ? undefined : 'the X-Webhook-Signature does not match the body (wrong secret, or a forged call)';
	},
	readHint(body) {
		if (!isRecord(body)) return undefined;
		const jobId = body.job_id;
		if (typeof jobId !== 'string' || jobId.trim() === '' || jobId.length > MAX_JOB_ID_LENGTH) return undefined;
		return { jobId: jobId.trim(), claimsFinished: typeof body.status === 'string' && FINISHED_STATUSES.has(body.status) };
	},
	async connect(context) {
		const { client, account } = await piqueClient(context, { retry: DELIVERY_READ_RETRY, timeoutMs: DELIVERY_READ_TIMEOUT_MS });
		return {
			account,
			async read(jobId) {
				const result = await fetchResult(client, jobId, { retry: DELIVERY_READ_RETRY });
				if (!FINISHED_STATUSES.has(result.status)) return { kind: 'running', status: result.status };
				return { kind: 'finished', state: result.status === 'failed' ? 'failed' : 'finished', status: result.status, item: flattenResult(result) };
			},
		};
	},
};
