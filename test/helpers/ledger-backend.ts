/**
 * The ledger backend a test file runs against: SQLite files, or PostgreSQL databases in the
 * cluster of test/helpers/postgres-global-setup.ts (jest's `postgres` project sets
 * VISUAL_AI_TEST_LEDGER=postgres). Each call of freshLedgerLocation() is a new, empty ledger.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';

import { Client, types } from 'pg';

export type TestBackend = 'sqlite' | 'postgres';

export function testBackend(): TestBackend {
	return process.env.VISUAL_AI_TEST_LEDGER === 'postgres' ? 'postgres' : 'sqlite';
}

/** The admin URL of the test cluster; throws when jest's globalSetup did not start one. */
export function clusterUrl(): string {
	const url = process.env.VISUAL_AI_TEST_POSTGRES;
	if (!url) throw new Error('No test PostgreSQL cluster: run the tests through jest (globalSetup starts it)');
	return url;
}

/** A new PostgreSQL database in the test cluster; its URL. */
export async function freshDatabase(): Promise<string> {
	const name = `ledger_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
	const admin = new Client({ connectionString: clusterUrl() });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE ${name}`);
	} finally {
		await admin.end();
	}
	return clusterUrl().replace(/\/[^/]*$/, `/${name}`);
}

/** A new, empty ledger of this run's backend: a file path or a postgres:// URL (for N8N_VISUAL_AI_LEDGER). */
export async function freshLedgerLocation(backend: TestBackend = testBackend()): Promise<string> {
	if (backend === 'postgres') return await freshDatabase();
	return path.join(mkdtempSync(path.join(tmpdir(), 'ledger-test-')), 'ledger.sqlite');
}

const int8AsNumber = {
	getTypeParser: (oid: number, format?: 'text' | 'binary') =>
		oid === types.builtins.INT8 ? Number : types.getTypeParser(oid, (format ?? 'text') as 'text'),
};

/**
 * Runs SQL on a ledger's own tables outside the ledger code (a separate connection): `?`
 * placeholders, table names without schema. For checks and for setting up states a test needs.
 */
export async function ledgerSql<T = Record<string, unknown>>(location: string, sql: string, ...params: SQLInputValue[]): Promise<T[]> {
	if (/^postgres(ql)?:\/\//.test(location)) {
		const client = new Client({ connectionString: location, types: int8AsNumber as never });
		await client.connect();
		try {
			await client.query('SET search_path TO visual_ai_ledger');
			let index = 0;
			const { rows } = await client.query(sql.replace(/\?/g, () => `$${++index}`), params as unknown[]);
			return rows as T[];
		} finally {
			await client.end();
		}
	}
	const db = new DatabaseSync(location);
	try {
		const statement = db.prepare(sql);
		if (/^\s*(SELECT|WITH)/i.test(sql) || /RETURNING/i.test(sql)) return statement.all(...params) as T[];
		statement.run(...params);
		return [];
	} finally {
		db.close();
	}
}

/** Every row of every ledger table, as one string, for "nothing changed" checks. */
export async function ledgerDump(location: string): Promise<string> {
	const tables = /^postgres(ql)?:\/\//.test(location)
		? await ledgerSql<{ name: string }>(location, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'visual_ai_ledger' ORDER BY 1`)
		: await ledgerSql<{ name: string }>(location, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
	const dump: unknown[] = [];
	for (const { name } of tables) {
		const rows = (await ledgerSql(location, `SELECT * FROM ${name}`)).map((row) => JSON.stringify(row)).sort();
		dump.push([name, rows]);
	}
	return JSON.stringify(dump);
}
