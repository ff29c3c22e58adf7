import { randomInt } from 'node:crypto';

import type { Client } from 'pg';

import { LOCK_NAMESPACE } from './postgres-schema';

const OWNER_PREFIX = 'pg-session:';

/**
 * This process, as other hosts can see it: a session advisory lock (LOCK_NAMESPACE, key) held on a
 * connection of its own. PostgreSQL releases it when that connection ends (the process exits, is
 * killed, or its host vanishes and the connection times out), so "is the owner gone" is a
 * question to the database, not to this host's process table. When the connection drops while
 * the process lives on, a new key is taken: whatever the old key owned is then treated as gone.
 */
export class PostgresPresence {
	private readonly connect: () => Client;
	private held?: Promise<{ client: Client; key: number }>;
	private closed = false;

	constructor(connect: () => Client) {
		this.connect = connect;
	}

	/** The owner id recorded on leases and staged batches (`pg-session:<key>`). Errors: the database cannot be reached. */
	async owner(): Promise<string> {
		if (this.closed) throw new Error('the ledger was closed');
		if (!this.held) {
			const attempt = this.take();
			this.held = attempt;
			attempt.catch(() => {
				if (this.held === attempt) this.held = undefined;
			});
		}
		const { key } = await this.held;
		return `${OWNER_PREFIX}${key}`;
	}

	/** The advisory lock key in an owner id; undefined when it is not one of ours (then it is gone). */
	static keyOf(owner: string | null | undefined): number | undefined {
		if (!owner?.startsWith(OWNER_PREFIX)) return undefined;
		const key = Number(owner.slice(OWNER_PREFIX.length));
		return Number.isInteger(key) && key > 0 ? key : undefined;
	}

	async close(): Promise<void> {
		this.closed = true;
		const held = this.held;
		this.held = undefined;
		await held?.then(async ({ client }) => await client.end()).catch(() => undefined);
	}

	private take(): Promise<{ client: Client; key: number }> {
		const client = this.connect();
		const lost = () => {
			if (this.held === taking) this.held = undefined;
		};
		client.on('error', lost);
		client.on('end', lost);
		const taking = (async () => {
			await client.connect();
			for (;;) {
				const key = randomInt(1, 2 ** 31 - 1);
				const { rows } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS taken', [LOCK_NAMESPACE, key]);
				if (rows[0].taken) return { client, key };
			}
		})();
		taking.catch(() => client.end().catch(() => undefined));
		return taking;
	}
}
