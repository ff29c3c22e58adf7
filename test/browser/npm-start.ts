/**
 * `npm start` as a user runs it, for the browser test: the n8n it starts, the sandbox beside it,
 * and a stop that sends SIGTERM to the npm process only and then checks that everything it had
 * started (the shell, scripts/start.ts, n8n and its task runners, the sandbox's port) is gone.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

import { isPortFree } from '../../scripts/lib/proc.ts';

export interface NpmStart {
	npm: ChildProcess;
	editorUrl: string;
	sandboxUrl: string;
	/** Example workflow URLs by their name ("Visual AI 1 · …"). */
	examples: Map<string, string>;
	output(): string;
}

/** Runs `npm start` in `root` with its n8n on `port` and its files in `outputDir`; resolves once the editor is up. */
export async function npmStart(root: string, port: number, outputDir: string, timeoutMs = 600_000): Promise<NpmStart> {
	const npm = spawn('npm', ['start'], {
		cwd: root,
		env: { ...process.env, N8N_PORT: String(port), START_OUTPUT_DIR: outputDir },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let text = '';
	const keep = (chunk: Buffer) => {
		text += chunk.toString('utf8');
	};
	npm.stdout?.on('data', keep);
	npm.stderr?.on('data', keep);
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`npm start did not come up in ${timeoutMs / 1000} s:\n${text.slice(-3000)}`)), timeoutMs);
		const check = () => {
			if (!text.includes('Ctrl+C stops n8n')) return;
			clearTimeout(timer);
			npm.stdout?.off('data', check);
			resolve();
		};
		npm.stdout?.on('data', check);
		npm.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm start exited (${code}) before the editor was up:\n${text.slice(-3000)}`));
		});
	});
	const sandboxUrl = /provider sandbox: (http:\/\/\S+)/.exec(text)?.[1];
	if (!sandboxUrl) throw new Error(`npm start printed no sandbox URL:\n${text}`);
	const examples = new Map<string, string>();
	for (const match of text.matchAll(/^\s+(http:\/\/\S+\/workflow\/\S+)\s+(.+)$/gm)) examples.set(match[2].trim(), match[1]);
	return { npm, editorUrl: `http://localhost:${port}`, sandboxUrl, examples, output: () => text };
}

/** Every process below `pid` (children, grandchildren, …), from /proc. */
export function descendants(pid: number): number[] {
	const parentOf = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const walk = (parent: number) => {
		for (const [child, ppid] of parentOf) {
			if (ppid === parent && !found.includes(child)) {
				found.push(child);
				walk(child);
			}
		}
	};
	walk(pid);
	return found;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * SIGTERM to the npm process, as a service manager or `kill <pid>` would send it; then waits for
 * every process it had started and for the n8n and sandbox ports. Returns what is still running
 * after `timeoutMs` (empty when all stopped) and kills those, so that nothing is left behind.
 */
export async function stopNpmStart(started: NpmStart, ports: number[], timeoutMs = 60_000): Promise<string[]> {
	const pid = started.npm.pid;
	if (pid === undefined) return [];
	const tree = descendants(pid);
	started.npm.kill('SIGTERM');
	const deadline = Date.now() + timeoutMs;
	let left: string[] = [];
	while (Date.now() < deadline) {
		const processes = tree.filter(alive).map((child) => `process ${child}`);
		const busy: string[] = [];
		for (const port of ports) if (!(await isPortFree(port))) busy.push(`port ${port}`);
		left = [...processes, ...busy];
		if (left.length === 0) return [];
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	for (const child of tree.filter(alive)) process.kill(child, 'SIGKILL');
	return left;
}
