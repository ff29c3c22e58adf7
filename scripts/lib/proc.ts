/** Child processes for the harness: run to completion, measure peak RSS, find free ports. */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	wallMs: number;
	/** VmHWM of the process itself (bytes), sampled until it exits; 0 when /proc is not there. */
	peakRssBytes: number;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Print the child's output as it comes on our stderr: both streams, or only its stderr. */
	echo?: boolean | 'stderr';
	/** Sample /proc/<pid>/status for the peak RSS. */
	measureRss?: boolean;
	timeoutMs?: number;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	const started = performance.now();
	const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
	const stdout: Buffer[] = [];
	const stderr: Buffer[] = [];
	child.stdout?.on('data', (chunk: Buffer) => {
		stdout.push(chunk);
		if (options.echo === true) process.stderr.write(chunk);
	});
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr.push(chunk);
		if (options.echo) process.stderr.write(chunk);
	});
	const rss = options.measureRss && child.pid ? sampleRss(child.pid) : undefined;
	const timer = options.timeoutMs
		? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
		: undefined;
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			resolve({
				code,
				signal,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
				wallMs: performance.now() - started,
				peakRssBytes: rss?.stop() ?? 0,
			});
		});
	});
}

/** Like run(), but throws with the tail of the output when the command does not exit 0. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
		throw new Error(`${command} ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${tail}`);
	}
	return result;
}

/**
 * VmHWM is the kernel's own high-water mark of the process's resident set, so sampling it now and
 * then and keeping the last value read misses nothing but the final few milliseconds.
 */
export function sampleRss(pid: number, everyMs = 25): { stop(): number } {
	let peak = 0;
	const read = () => {
		try {
			const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) peak = Math.max(peak, Number(match[1]) * 1024);
		} catch {
			// the process is gone; keep the last value
		}
	};
	read();
	const timer = setInterval(read, everyMs);
	return {
		stop() {
			clearInterval(timer);
			return peak;
		},
	};
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export async function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** A long-running child whose output is kept (and optionally echoed) for later checks. */
export interface Daemon {
	child: ChildProcess;
	output(): string;
	stop(): Promise<void>;
}

export function startDaemon(command: string, args: string[], options: SpawnOptions & { echo?: boolean }): Daemon {
	const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
	const chunks: string[] = [];
	const keep = (chunk: Buffer) => {
		chunks.push(chunk.toString('utf8'));
		if (options.echo) process.stderr.write(chunk);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
	return {
		child,
		output: () => chunks.join(''),
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(killer);
		},
	};
}
