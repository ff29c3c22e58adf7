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
	/** In-memory files served under /files/<key> (Image Intelligence proxy copies; newest 256 MB). */
	memoryFiles: ByteLru<{ body: Buffer; contentType: string }>;
}

/** One provider hour in sandbox milliseconds. */
export function hours(core: Core, n: number): number {
	return n * core.config.hourMs;
}

/**
 * A byte-bounded LRU of Buffers (map PNG cache, Image Intelligence proxy copies), so a long
 * benchmark run does not grow without bound. Evicted entries are either regenerated (maps are
 * deterministic) or answer 404 (proxy copies; sandbox choice).
 */
export class ByteLru<V extends { byteLength: number } | { body: Buffer }> {
	private readonly entries = new Map<string, V>();
	private total = 0;
	private readonly budget: number;

	constructor(budgetBytes: number) {
		this.budget = budgetBytes;
	}

	private static size(value: { byteLength: number } | { body: Buffer }): number {
		return 'body' in value ? value.body.byteLength : value.byteLength;
	}

	get(key: string): V | undefined {
		const value = this.entries.get(key);
		if (value !== undefined) {
			this.entries.delete(key);
			this.entries.set(key, value);
		}
		return value;
	}

	set(key: string, value: V): void {
		this.delete(key);
		this.entries.set(key, value);
		this.total += ByteLru.size(value);
		for (const [oldest, old] of this.entries) {
			if (this.total <= this.budget || oldest === key) break;
			this.entries.delete(oldest);
			this.total -= ByteLru.size(old);
		}
	}

	delete(key: string): void {
		const old = this.entries.get(key);
		if (old === undefined) return;
		this.entries.delete(key);
		this.total -= ByteLru.size(old);
	}
}
