import { statSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';

/**
 * Which file a path names right now (device and inode). An open SQLite connection keeps reading
 * and writing a file that was deleted or replaced under its path, so the ledger compares this
 * identity before every operation to notice that its path is no longer the file it has open.
 */
export interface FileIdentity {
	dev: bigint;
	ino: bigint;
}

/** The identity of the file at `file`, or undefined when there is none. */
export function fileIdentity(file: string): FileIdentity | undefined {
	try {
		const stats = statSync(file, { bigint: true });
		return { dev: stats.dev, ino: stats.ino };
	} catch {
		return undefined;
	}
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
	return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Every table of the ledger, in an order that keeps references meaningful; the waits of Wait mode
 * too (a waiting execution whose wait were lost would ignore its callbacks and never be checked at its limit).
 */
const TABLES = ['jobs', 'deliveries', 'consumers', 'waits', 'wait_limits'] as const;

/**
 * Copies every row the old connection still reads (the deleted or replaced file) into the file
 * now at the path, keeping the rows that file already has. Both are at the same schema version,
 * so their columns are the same. Returns how many rows of each table were added.
 */
export function carryOver(from: DatabaseSync, to: DatabaseSync): Record<(typeof TABLES)[number], number> {
	const added = { jobs: 0, deliveries: 0, consumers: 0, waits: 0, wait_limits: 0 };
	for (const table of TABLES) {
		let insert: ReturnType<DatabaseSync['prepare']> | undefined;
		let columns: string[] = [];
		for (const row of from.prepare(`SELECT * FROM ${table}`).iterate() as Iterable<Record<string, SQLInputValue>>) {
			if (!insert) {
				columns = Object.keys(row);
				insert = to.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
			}
			added[table] += Number(insert.run(...columns.map((column) => row[column])).changes);
		}
	}
	return added;
}

/** A SQLite failure (full disk, read-only file, I/O error) as an error that names the ledger file and what to do. */
export function ledgerFileError(location: string, error: unknown): Error {
	const reason = (error instanceof Error ? error.message : String(error)).replace(/^Error: /, '');
	const full = /SQLITE_FULL|disk is full/i.test(`${(error as { errstr?: string }).errstr ?? ''} ${reason}`);
	const hint = full
		? 'The disk holding it is full: free space there, or set N8N_VISUAL_AI_LEDGER to a file on another disk and restart n8n.'
		: 'Check that the file and its folder are writable by n8n and the disk is healthy, or set N8N_VISUAL_AI_LEDGER to another path.';
	return new Error(`The Visual AI job ledger ${location} could not be used: ${reason}. ${hint}`, { cause: error });
}
