/**
 * Outgoing webhooks (Image Intelligence jobs, Pique results). The sandbox only ever contacts
 * loopback addresses; a webhook URL anywhere else is recorded as not sent.
 */
import { createHmac } from 'node:crypto';

import { isLoopbackUrl, sleep } from './http.ts';

export interface WebhookDelivery {
	provider: 'imageIntelligence' | 'pique';
	jobId: string;
	url: string;
	attempt: number;
	/** HTTP status of the receiver's answer; undefined when the request failed or was not sent. */
	status?: number;
	error?: string;
	at: number;
}

/** Sandbox choice (Pique documents retries with backoff, not the schedule): 4 tries, 250 ms doubling. */
export const WEBHOOK_RETRY_DELAYS_MS = [250, 500, 1000];
/** Pique documents that receivers must answer within 10 s. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The encodings PROVIDERS.md says a Pique signature may come in (the sandbox's own deliveries: `prefixedHex`). */
export type SignatureEncoding = 'prefixedHex' | 'hex' | 'base64' | 'prefixedBase64';

/** `X-Webhook-Signature` of a Pique webhook: HMAC-SHA256 of the raw body with the webhook secret. */
export function piqueSignature(body: string | Buffer, secret: string, encoding: SignatureEncoding = 'prefixedHex'): string {
	const mac = createHmac('sha256', secret).update(body);
	const text = encoding === 'hex' || encoding === 'prefixedHex' ? mac.digest('hex') : mac.digest('base64');
	return encoding.startsWith('prefixed') ? `sha256=${text}` : text;
}

interface OutgoingWebhook {
	provider: WebhookDelivery['provider'];
	jobId: string;
	url: string;
	body: string;
	headers?: Record<string, string>;
}

export class WebhookSender {
	readonly deliveries: WebhookDelivery[] = [];
	private readonly closing: AbortSignal;
	private readonly now: () => number;
	private readonly pending = new Set<Promise<void>>();

	constructor(closing: AbortSignal, now: () => number) {
		this.closing = closing;
		this.now = now;
	}

	send(delivery: OutgoingWebhook): void {
		const run = this.deliver(delivery).finally(() => this.pending.delete(run));
		this.pending.add(run);
	}

	/** Resolves when every webhook in flight has been delivered or given up (tests). */
	async idle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	/**
	 * One POST, no retries (deliveries on demand): the attempt is recorded and returned, with the
	 * receiver's status or the network error.
	 */
	async sendOnce(d: OutgoingWebhook, attempt = 1): Promise<WebhookDelivery> {
		const record: WebhookDelivery = { provider: d.provider, jobId: d.jobId, url: d.url, attempt, at: this.now() };
		this.deliveries.push(record);
		if (!isLoopbackUrl(d.url)) {
			record.error = 'not sent: the sandbox only delivers webhooks to loopback addresses';
			return record;
		}
		try {
			const response = await fetch(d.url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'user-agent': 'visual-ai-sandbox-webhooks/1', ...d.headers },
				body: d.body,
				signal: AbortSignal.any([this.closing, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
			});
			record.status = response.status;
			await response.arrayBuffer().catch(() => undefined);
		} catch (error) {
			record.error = error instanceof Error ? error.message : String(error);
		}
		return record;
	}

	private async deliver(d: OutgoingWebhook) {
		if (!isLoopbackUrl(d.url)) {
			this.deliveries.push({
				provider: d.provider,
				jobId: d.jobId,
				url: d.url,
				attempt: 0,
				error: 'not sent: the sandbox only delivers webhooks to loopback addresses',
				at: this.now(),
			});
			return;
		}
		for (let attempt = 1; attempt <= WEBHOOK_RETRY_DELAYS_MS.length + 1; attempt++) {
			if (this.closing.aborted) return;
			const { status } = await this.sendOnce(d, attempt);
			if (status !== undefined && status >= 200 && status < 300) return;
			const delay = WEBHOOK_RETRY_DELAYS_MS[attempt - 1];
			if (delay === undefined) return;
			await sleep(delay, this.closing);
		}
	}
}
