import type { WebhookSender } from './webhooks.ts';
import type { Clock, SandboxConfig } from './types.ts';

export interface UploadRecord {
	bytes: number;
	sha256: string;
	contentType?: string;
}

/** What every provider module shares: configuration, the clock, the sandbox's own URL. */
export interface Core {
	config: SandboxConfig;
	clock: Clock;
	/** e.g. http://127.0.0.1:4010 (known once listening). */
	url: string;
	webhooks: WebhookSender;
	/** Aborted when the sandbox closes. */
	closing: AbortSignal;
	/** Pique PUT uploads by job id. */
	uploads: Map<string, UploadRecord>;
	/** In-memory files served under /files/<key> (e.g. Image Intelligence proxy copies). */
	memoryFiles: Map<string, { body: Buffer; contentType: string }>;
}

/** One provider hour in sandbox milliseconds. */
export function hours(core: Core, n: number): number {
	return n * core.config.hourMs;
}
