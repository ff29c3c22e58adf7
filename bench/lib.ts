/** What several benchmarks in bench/ share: child processes, arguments, statistics (loading the node sources: scripts/lib/source-hooks.ts). */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** Every benchmark runs as bench/<name>.ts from the repository root. */
export const ROOT = path.resolve(path.dirname(process.argv[1]), '..');

/** A child process's wall time, peak RSS and CPU time, as a benchmark child reports them. */
export interface ChildResult {
	wallMs: number;
	peakRssMiB: number;
	/** User + system CPU time of the whole child process. */
	cpuMs: number;
}

export function childResult(wallMs: number): ChildResult {
	const usage = process.resourceUsage();
	return { wallMs, peakRssMiB: usage.maxRSS / 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
}

export function exec(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const proc = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		proc.on('error', reject);
		proc.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
	});
}

/** `--name value` and `--name=value` pairs. */
export function parseArgs(argv: string[]): Record<string, string | undefined> {
	const args: Record<string, string | undefined> = {};
	for (let index = 0; index < argv.length; index++) {
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[index]);
		if (!match) continue;
		args[match[1]] = match[2] ?? argv[++index];
	}
	return args;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function formatMs(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
