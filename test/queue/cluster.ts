/**
 * n8n in queue mode on one machine, as on several hosts: Redis and PostgreSQL on free loopback
 * ports in temporary folders, an n8n main process and `n8n worker` processes, each with its own
 * user folder (its own copy of the pack, no shared files) and no ledger setting.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { n8nEnv } from '../../scripts/lib/n8n.ts';
import type { N8nInstall } from '../../scripts/lib/n8n.ts';
import { installPack } from '../../scripts/lib/pack.ts';
import { startPostgres } from '../../scripts/lib/postgres.ts';
import type { PostgresCluster } from '../../scripts/lib/postgres.ts';
import { freePort, runOk, startDaemon } from '../../scripts/lib/proc.ts';
import type { Daemon } from '../../scripts/lib/proc.ts';

export interface Services {
	postgres: PostgresCluster;
	/** n8n's database. */
	databaseUrl: string;
	redis: Daemon;
	redisPort: number;
	work: string;
	stop(): Promise<void>;
}

/** Redis (no persistence) and a PostgreSQL cluster with a database `n8n`. */
export async function startServices(): Promise<Services> {
	const work = mkdtempSync(path.join(tmpdir(), 'visual-ai-queue-'));
	const postgres = await startPostgres();
	const databaseUrl = await postgres.createDatabase('n8n');
	const redisPort = await freePort();
	const redisDir = path.join(work, 'redis');
	mkdirSync(redisDir);
	const redis = startDaemon('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {});
	for (let tries = 0; ; tries++) {
		const ping = await runOk('redis-cli', ['-p', String(redisPort), 'ping']).catch(() => undefined);
		if (ping?.stdout.includes('PONG')) break;
		if (tries > 100) throw new Error(`redis-server did not answer:\n${redis.output()}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		postgres,
		databaseUrl,
		redis,
		redisPort,
		work,
		async stop() {
			await redis.stop();
			await postgres.stop();
			rmSync(work, { recursive: true, force: true });
		},
	};
}

export type Role = 'main' | 'worker';

/** One n8n process of the cluster ("host"): its own user folder, the pack installed there. */
export interface Host {
	name: string;
	role: Role;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	/** Editor port (main) or health-check port (worker). */
	port: number;
	daemon?: Daemon;
	/** Everything every run of this host printed. */
	output: string[];
}

/** A host's environment: queue mode on the shared Redis and PostgreSQL; nothing about the ledger. */
export async function prepareHost(install: N8nInstall, services: Services, name: string, role: Role, tarball: string): Promise<Host> {
	const userFolder = path.join(services.work, name);
	const filesDir = path.join(userFolder, 'files');
	mkdirSync(filesDir, { recursive: true });
	await installPack(install, userFolder, tarball);
	const port = await freePort();
	const env: NodeJS.ProcessEnv = {
		...n8nEnv(install, { userFolder, filesDir, port, brokerPort: await freePort() }),
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(services.redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(services.postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// The README's exactly-once settings: n8n saves a poll's cursor with the execution it creates.
		N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
		N8N_SCHEDULER_ENABLED: 'true',
		N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
		N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true',
		N8N_EXPRESSION_ENGINE: 'legacy',
		N8N_LOG_LEVEL: 'info',
		...(role === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port) } : {}),
	};
	// Queue mode's own binary data mode (n8n's default there: the database), not the harness's filesystem.
	delete env.N8N_DEFAULT_BINARY_DATA_MODE;
	return { name, role, userFolder, env, port, output: [] };
}

/** Starts (or restarts) a host's n8n and waits until it is ready. */
export async function startHost(install: N8nInstall, host: Host): Promise<void> {
	const args = host.role === 'main' ? ['start'] : ['worker', '--concurrency=5'];
	const daemon = startDaemon(install.node, [install.bin, ...args], { cwd: path.join(host.userFolder, 'files'), env: host.env });
	host.daemon = daemon;
	const probe = host.role === 'main' ? `http://127.0.0.1:${host.port}/healthz/readiness` : `http://127.0.0.1:${host.port}/healthz/readiness`;
	const deadline = Date.now() + 180_000;
	for (;;) {
		if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
			throw new Error(`${host.name} exited with ${daemon.child.exitCode ?? daemon.child.signalCode}:\n${daemon.output().slice(-3000)}`);
		}
		const ready = await fetch(probe).then(
			(response) => response.ok,
			() => false,
		);
		if (ready && (host.role === 'main' || /n8n worker is now ready/i.test(daemon.output()))) break;
		if (Date.now() > deadline) throw new Error(`${host.name} was not ready after 180 s:\n${daemon.output().slice(-3000)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** SIGKILL: the host vanishes (no shutdown, no goodbye to Redis or PostgreSQL). */
export async function killHost(host: Host): Promise<void> {
	const daemon = host.daemon;
	if (!daemon) return;
	host.output.push(daemon.output());
	host.daemon = undefined;
	if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => daemon.child.once('close', () => resolve()));
	daemon.child.kill('SIGKILL');
	await exited;
}

export async function stopHost(host: Host): Promise<void> {
	const daemon = host.daemon;
	if (!daemon) return;
	host.daemon = undefined;
	await daemon.stop();
	host.output.push(daemon.output());
}

/** Everything a host printed so far (earlier runs included). */
export function hostOutput(host: Host): string {
	return [...host.output, host.daemon?.output() ?? ''].join('\n');
}
