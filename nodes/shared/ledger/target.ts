import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import type { ConnectionOptions } from 'node:tls';

const FILE_NAME = 'visual-ai-ledger.sqlite';

/** How to reach a PostgreSQL ledger: what node-postgres needs, and a description without the password. */
export interface PostgresTarget {
	kind: 'postgres';
	/** `host:port` (or the socket folder) and database, for messages: never the password. */
	host: string;
	database: string;
	user: string;
	/** node-postgres client settings (may hold the password: never log or show this). */
	connection: {
		connectionString?: string;
		host?: string;
		port?: number;
		database?: string;
		user?: string;
		password?: string;
		ssl?: boolean | ConnectionOptions;
	};
	/** Where it came from, for messages (`N8N_VISUAL_AI_LEDGER` or n8n's own `DB_POSTGRESDB_*`). */
	source: 'N8N_VISUAL_AI_LEDGER' | 'DB_POSTGRESDB_*';
}

export interface SqliteTarget {
	kind: 'sqlite';
	file: string;
}

/** Where the job ledger lives. */
export type LedgerTarget = SqliteTarget | PostgresTarget;

/** The schema the pack's tables live in; n8n's migrations never touch it. */
export const POSTGRES_SCHEMA = 'visual_ai_ledger';

function isPostgresUrl(value: string): boolean {
	return /^postgres(ql)?:\/\//i.test(value.trim());
}

/** An n8n setting, read as n8n reads it: `NAME`, else the file named by `NAME_FILE`. */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
	const value = env[name];
	if (value !== undefined && value !== '') return value;
	const file = env[`${name}_FILE`];
	return file ? readFileSync(file, 'utf8').trim() : undefined;
}

function fromUrl(url: string): PostgresTarget {
	const parsed = URL.parse(url.trim());
	if (!parsed) {
		throw new Error('N8N_VISUAL_AI_LEDGER looks like a PostgreSQL URL but cannot be read; use postgres://user:password@host:5432/database');
	}
	const socketHost = parsed.searchParams.get('host');
	return {
		kind: 'postgres',
		host: parsed.hostname ? `${parsed.hostname}:${parsed.port || '5432'}` : (socketHost ?? 'localhost:5432'),
		database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
		user: decodeURIComponent(parsed.username),
		connection: { connectionString: url.trim() },
		source: 'N8N_VISUAL_AI_LEDGER',
	};
}

/** n8n's own database settings (DB_POSTGRESDB_*), with n8n's defaults. */
function fromN8nSettings(env: NodeJS.ProcessEnv): PostgresTarget {
	const host = setting(env, 'DB_POSTGRESDB_HOST') ?? 'localhost';
	const port = Number(setting(env, 'DB_POSTGRESDB_PORT') ?? 5432);
	const database = setting(env, 'DB_POSTGRESDB_DATABASE') ?? 'n8n';
	const user = setting(env, 'DB_POSTGRESDB_USER') ?? 'postgres';
	const sslEnabled = setting(env, 'DB_POSTGRESDB_SSL_ENABLED') === 'true' || Boolean(setting(env, 'DB_POSTGRESDB_SSL_CA'));
	const ssl: ConnectionOptions | false = sslEnabled
		? {
				ca: setting(env, 'DB_POSTGRESDB_SSL_CA'),
				cert: setting(env, 'DB_POSTGRESDB_SSL_CERT'),
				key: setting(env, 'DB_POSTGRESDB_SSL_KEY'),
				rejectUnauthorized: setting(env, 'DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED') !== 'false',
			}
		: false;
	return {
		kind: 'postgres',
		host: `${host}:${port}`,
		database,
		user,
		connection: { host, port, database, user, password: setting(env, 'DB_POSTGRESDB_PASSWORD') ?? '', ssl },
		source: 'DB_POSTGRESDB_*',
	};
}

/**
 * Where the ledger lives: `N8N_VISUAL_AI_LEDGER` (a file path or a `postgres://` URL), else n8n's
 * own PostgreSQL when n8n runs on it (`DB_TYPE=postgresdb`), else a file in the n8n user folder.
 * Errors: a `postgres://` value that is not a URL, an unreadable `DB_POSTGRESDB_*_FILE`.
 */
export function ledgerTarget(env: NodeJS.ProcessEnv = process.env): LedgerTarget {
	const explicit = env.N8N_VISUAL_AI_LEDGER;
	if (explicit && isPostgresUrl(explicit)) return fromUrl(explicit);
	if (explicit) return { kind: 'sqlite', file: path.resolve(explicit) };
	if (env.DB_TYPE === 'postgresdb') return fromN8nSettings(env);
	const userFolder = env.N8N_USER_FOLDER || homedir();
	return { kind: 'sqlite', file: path.join(userFolder, '.n8n', FILE_NAME) };
}

/** A target as shown to users: the file, or `postgres://user@host:port/database (schema …)`; never a password. */
export function describeTarget(target: LedgerTarget): string {
	if (target.kind === 'sqlite') return target.file;
	const user = target.user ? `${target.user}@` : '';
	return `postgres://${user}${target.host}/${target.database} (schema ${POSTGRES_SCHEMA})`;
}
