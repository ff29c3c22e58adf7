/**
 * A throw-away PostgreSQL cluster on a free loopback port in a temporary folder (Debian's
 * `postgresql` package: initdb and pg_ctl under /usr/lib/postgresql/<version>/bin), for tests,
 * benchmarks and the queue-mode run. As root, the server runs as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, runOk } from './proc.ts';

export interface PostgresCluster {
	port: number;
	/** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication: no password). */
	url: string;
	dir: string;
	/** A new empty database; its URL. */
	createDatabase(name: string): Promise<string>;
	/** Stops the server (immediate) and removes its folder. */
	stop(): Promise<void>;
}

/** The folder with initdb and pg_ctl of the newest installed PostgreSQL; undefined when none is installed. */
export function postgresBin(): string | undefined {
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const versions = readdirSync(base)
		.filter((version) => existsSync(path.join(base, version, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

function asServerUser(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** Starts a cluster; throws saying how to install PostgreSQL when it is missing. */
export async function startPostgres(): Promise<PostgresCluster> {
	const bin = postgresBin();
	if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql');
	const dir = mkdtempSync(path.join(tmpdir(), 'visual-ai-pg-'));
	if (process.getuid?.() === 0) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
		chownSync(dir, uid, gid);
	}
	const data = path.join(dir, 'data');
	const port = await freePort();
	const run = async (tool: string, args: string[]) => {
		const [command, all] = asServerUser(path.join(bin, tool), args);
		return await runOk(command, all, { timeoutMs: 60_000 });
	};
	await run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
	const settings = [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
	await run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	return {
		port,
		url,
		dir,
		async createDatabase(name: string): Promise<string> {
			const { Client } = (await import('pg')).default;
			const client = new Client({ connectionString: url });
			await client.connect();
			try {
				await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
			} finally {
				await client.end();
			}
			return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
		},
		async stop(): Promise<void> {
			await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
