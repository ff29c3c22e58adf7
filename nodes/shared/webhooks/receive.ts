import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ICredentialDataDecryptedObject, IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { RequestContext } from '../http/client';
import type { RetrySettings } from '../http/retry';
import { openLedger, triggerConsumerId } from '../ledger';
import type { LedgerProvider } from '../ledger';

/** Provider webhooks carry one job (a few KiB); anything far larger is refused before it is read as JSON. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;

/**
 * The provider is waiting for the answer (Pique: at most 10 s), so the job is read with few, short
 * tries; a provider that cannot be reached now gets 503 and delivers again later.
 */
export const DELIVERY_READ_RETRY: Partial<RetrySettings> = { maxTries: 2, baseDelayMs: 300, maxDelayMs: 1_000, maxRetryAfterMs: 1_000 };
export const DELIVERY_READ_TIMEOUT_MS = 4_000;

/** What a delivery's body says, before anything is believed: the job id and whether it claims to be finished. */
export interface DeliveryHint {
	jobId: string;
	claimsFinished: boolean;
}

/** The job as the provider's API reports it now (read with the node's credential). */
export type JobReading =
	| { kind: 'finished'; state: 'finished' | 'failed'; status: string; item: IDataObject }
	| { kind: 'running'; status: string };

export interface ProviderAccount {
	/** The ledger's account id of the credential (a hash, never a key). */
	account: string;
	read(jobId: string): Promise<JobReading>;
}

/** What reading a job needs from n8n's webhook or execute context: the node, the logger, its credential. */
export interface ProviderContext extends RequestContext {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string): Promise<T>;
}

/** One provider's part of a webhook trigger. */
export interface DeliverySource {
	provider: LedgerProvider;
	/** The provider's name in messages. */
	label: string;
	/** What one job is called in messages. */
	jobNoun: string;
	/**
	 * Checks the request before its body is believed; a reason means 401 and nothing more (Pique's
	 * signature). Image Intelligence signs nothing: its URL's random path is the only gate.
	 */
	authenticate?(context: IWebhookFunctions, rawBody: Buffer, request: IncomingMessage): Promise<string | undefined>;
	/** The job id and claimed state from a parsed body; undefined when the body is not a delivery of this provider. */
	readHint(body: unknown): DeliveryHint | undefined;
	connect(context: ProviderContext): Promise<ProviderAccount>;
}

/** Answers the request directly (n8n then sends nothing and starts nothing). */
export function answer(response: ServerResponse, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
	response.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

function declaredLength(request: IncomingMessage): number | undefined {
	const header = request.headers['content-length'];
	const length = header === undefined ? Number.NaN : Number(header);
	return Number.isFinite(length) ? length : undefined;
}

async function rawBodyOf(request: IncomingMessage): Promise<Buffer> {
	if (!request.rawBody && typeof request.readRawBody === 'function') await request.readRawBody();
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0);
}

function parseJson(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

function httpCodeOf(error: unknown): string | undefined {
	return error instanceof NodeApiError ? (error.httpCode ?? undefined) : undefined;
}

/**
 * The checks every delivery passes before its job is looked at: a body over MAX_DELIVERY_BYTES →
 * 413; a request that fails `authenticate` → 401; a body that is not JSON or names no job → 400.
 * Each refusal is answered here (and logged as a warning); otherwise the body's hint.
 */
export async function readDelivery(context: IWebhookFunctions, source: DeliverySource): Promise<{ hint: DeliveryHint } | IWebhookResponseData> {
	const request = context.getRequestObject();
	const response = context.getResponseObject();
	const log = (message: string) => context.logger.warn(`${context.getNode().name} (${source.label} webhook): ${message}`);
	const declared = declaredLength(request);
	if (declared !== undefined && declared > MAX_DELIVERY_BYTES) {
		log(`refused a delivery of ${declared} bytes (at most ${MAX_DELIVERY_BYTES})`);
		return answer(response, 413, { error: 'payload too large' });
	}
	const raw = await rawBodyOf(request);
	if (raw.length > MAX_DELIVERY_BYTES) {
		log(`refused a delivery of ${raw.length} bytes (at most ${MAX_DELIVERY_BYTES})`);
		return answer(response, 413, { error: 'payload too large' });
	}
	const refused = await source.authenticate?.(context, raw, request);
	if (refused) {
		log(`refused a delivery: ${refused}`);
		return answer(response, 401, { error: 'unauthorized' });
	}
	const hint = source.readHint(parseJson(raw));
	if (!hint) {
		log(`ignored a delivery whose body names no ${source.label} ${source.jobNoun} (not JSON, or no job id)`);
		return answer(response, 400, { error: `not a ${source.label} ${source.jobNoun}` });
	}
	return { hint };
}

/**
 * Handles one webhook delivery of a finished job, the same way for every provider:
 * a body over MAX_DELIVERY_BYTES → 413; a request that fails `authenticate` → 401; a body that is
 * not JSON or names no job → 400; then the job is read from the provider's API with the node's
 * credential (the body is only a hint, so a forged body cannot inject a result): a job the account
 * does not have (404) → 200 and a warning in n8n's log (the provider stops retrying); the API
 * unreachable or refusing the credential → 503 (the provider delivers again); a job still running
 * → 200, or 503 when the body claimed it finished (the API has not caught up: deliver again).
 * A finished job is emitted once per trigger node: the delivery is claimed in the job ledger
 * (workflow id + node id) before the item is handed to n8n, so retries and concurrent deliveries
 * start no second execution. Manual test runs ("Listen for test event") emit without claiming.
 */
export async function receiveDelivery(context: IWebhookFunctions, source: DeliverySource): Promise<IWebhookResponseData> {
	const read = await readDelivery(context, source);
	if (!('hint' in read)) return read;
	const { hint } = read;
	const response = context.getResponseObject();
	const node = context.getNode();
	const log = (message: string) => context.logger.warn(`${node.name} (${source.label} webhook): ${message}`);

	const manual = context.getMode() === 'manual';
	const consumer = triggerConsumerId(context.getWorkflow().id, node.id);
	const ledger = await openLedger();
	const account = await source.connect(context);
	if (!manual && (await ledger.isDelivered(consumer, source.provider, account.account, hint.jobId))) {
		context.logger.debug(`${node.name}: ${source.label} ${source.jobNoun} ${hint.jobId} was already emitted by this trigger; delivery ignored`);
		return answer(response, 200, { received: true, duplicate: true });
	}

	let reading: JobReading;
	try {
		reading = await account.read(hint.jobId);
	} catch (error) {
		const code = httpCodeOf(error);
		const reason = error instanceof Error ? error.message : String(error);
		if (code === '404') {
			log(`${source.label} has no ${source.jobNoun} ${hint.jobId} for this credential (404): nothing emitted. A forged call, or a job of another account?`);
			return answer(response, 200, { received: true, emitted: false });
		}
		log(`could not read ${source.label} ${source.jobNoun} ${hint.jobId} (${reason}); answered 503 so that ${source.label} delivers it again`);
		return answer(response, 503, { error: 'try again later' }, { 'retry-after': '30' });
	}
	if (reading.kind === 'running') {
		if (hint.claimsFinished) {
			log(`the delivery says ${source.jobNoun} ${hint.jobId} finished, but ${source.label}'s API still says ${reading.status}; answered 503 so that it is delivered again`);
			return answer(response, 503, { error: 'not finished yet' }, { 'retry-after': '10' });
		}
		context.logger.debug(`${node.name}: ${source.label} ${source.jobNoun} ${hint.jobId} is still ${reading.status}; nothing emitted`);
		return answer(response, 200, { received: true, emitted: false });
	}
	if (!manual) {
		const claimed = await ledger.claimDelivery(consumer, {
			provider: source.provider,
			account: account.account,
			jobId: hint.jobId,
			state: reading.state,
		});
		if (!claimed) return answer(response, 200, { received: true, duplicate: true });
	}
	return { workflowData: [[{ json: reading.item }]] };
}
