import type { IDataObject } from 'n8n-workflow';

import { askJobItem, isFinished } from './flatten';
import { askJobSchema } from './schemas';
import { IMAGE_INTELLIGENCE_CREDENTIAL, imageIntelligenceClient } from './transport';
import { accountId } from '../shared/ledger';
import { DELIVERY_READ_RETRY, DELIVERY_READ_TIMEOUT_MS } from '../shared/webhooks/receive';
import type { DeliverySource } from '../shared/webhooks/receive';

const MAX_JOB_ID_LENGTH = 200;
const DEFAULT_BASE_URL = 'https://api.imageintelligence.com/v2';

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/**
 * Image Intelligence's side of the webhook trigger (PROVIDERS.md §2): the provider POSTs the job
 * body unsigned, so the body only names the job; the job is read with `GET /ask/{id}` using the
 * node's credential and emitted as the Image Intelligence node's Ask → Get item. Jobs that ended
 * COMPLETED_ALL_ERROR are emitted too (status says so), like Get does.
 */
export const imageIntelligenceDeliveries: DeliverySource = {
	provider: 'imageIntelligence',
	label: 'Image Intelligence',
	jobNoun: 'ask job',
	readHint(body) {
		if (!isRecord(body)) return undefined;
		const jobId = body.id;
		if (typeof jobId !== 'string' || jobId.trim() === '' || jobId.length > MAX_JOB_ID_LENGTH) return undefined;
		return { jobId: jobId.trim(), claimsFinished: typeof body.status === 'string' && body.status.startsWith('COMPLETED') };
	},
	async connect(context) {
		const client = await imageIntelligenceClient(context);
		const credential = await context.getCredentials(IMAGE_INTELLIGENCE_CREDENTIAL);
		const baseUrl = text(credential.baseUrl) || DEFAULT_BASE_URL;
		return {
			account: accountId(baseUrl, text(credential.clientId)),
			async read(jobId) {
				const job = await client.json(
					{ method: 'GET', path: `/ask/${encodeURIComponent(jobId)}`, retry: DELIVERY_READ_RETRY, timeoutMs: DELIVERY_READ_TIMEOUT_MS },
					askJobSchema,
				);
				if (!isFinished(job)) return { kind: 'running', status: job.status };
				return { kind: 'finished', state: job.status === 'COMPLETED_ALL_ERROR' ? 'failed' : 'finished', status: job.status, item: askJobItem(job) };
			},
		};
	},
};
