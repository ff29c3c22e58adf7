/**
 * Visual AI Trigger poll benchmark (issue 6). From the repository root, with Node 24:
 *
 *   node_modules/.bin/node --experimental-strip-types --no-warnings bench/trigger-poll.ts
 *
 * Flags: --jobs N (default 10000), --latency-ms N (sandbox latency per API answer, default 50),
 * --concurrency a,b (default 20,50), --scenario pending,finished (default both).
 *
 * 10,000 EyeQuant analyses in the job ledger; the sandbox (in a child process, so its CPU is not
 * this process's) answers every API call after 50 ms. One poll of the trigger — the TypeScript
 * source in n8n-core's real PollContext, no build needed — with Max Jobs per Poll = jobs:
 * - pending: every analysis is still processing: the poll checks them all and emits nothing;
 * - finished: every analysis has finished (Download Outputs off): the poll emits all of them, so the
 *   ledger also stages one delivery per job.
 * Measured: the poll's wall time against jobs × latency / concurrency × 1.2 (concurrency really
 * overlaps), GETs per job (at most one), and the time spent inside the ledger (every call on the
 * ledger object, which works synchronously on node:sqlite) against 5% of the poll's time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { registerSourceHooks } from '../scripts/lib/source-hooks.ts';
import { ROOT } from './lib.ts';

registerSourceHooks();

const work = mkdtempSync(path.join(tmpdir(), 'trigger-bench-'));
process.env.N8N_USER_FOLDER = work;
process.env.N8N_VISUAL_AI_LEDGER = path.join(work, 'ledger.sqlite');
process.env.N8N_LOG_LEVEL = 'error';

async function load() {
	return {
		engine: await import('../test/helpers/engine.ts'),
		VisualAiTrigger: (await import('../nodes/VisualAiTrigger/VisualAiTrigger.node.ts')).VisualAiTrigger,
		ledger: await import('../nodes/shared/ledger/index.ts'),
		designPng: (await import('../sandbox/fixtures.ts')).designPng,
	};
}
let lib: Awaited<ReturnType<typeof load>>;

const EYEQUANT_KEY = 'eq-sandbox-key';

function option(name: string, fallback: string): string {
	const args = process.argv.slice(2);
	const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
	if (index < 0) return fallback;
	const [, inline] = args[index].split('=', 2);
	return inline ?? args[index + 1];
}

const JOBS = Number(option('jobs', '10000'));
const LATENCY_MS = Number(option('latency-ms', '50'));
const CONCURRENCIES = option('concurrency', '20,50').split(',').map(Number);
const SCENARIOS = option('scenario', 'pending,finished').split(',') as Array<'pending' | 'finished'>;

interface Row {
	scenario: string;
	concurrency: number;
	wallMs: number;
	targetMs: number;
	emitted: number;
	gets: number;
	distinctGets: number;
	ledgerMs: number;
	ledgerCalls: Record<string, number>;
}

async function startSandbox(): Promise<{ child: ChildProcess; url: string }> {
	// Analyses stay pending for a day unless the clock is advanced.
	const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', 'sandbox/cli.ts', '--port', '0', '--eyequant-ms', '86400000'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const found = /listening on (http:\/\/\S+)/.exec(out);
			if (found) resolve(found[1]);
		});
		child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening`)));
	});
	child.stdout?.resume();
	return { child, url };
}

async function control(url: string, method: string, pathname: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${url}/__sandbox/${pathname}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
	if (!response.ok) throw new Error(`${method} /__sandbox/${pathname} answered ${response.status}`);
	const text = await response.text();
	return text ? JSON.parse(text) : undefined;
}

/** Submits `count` analyses straight to the sandbox (no latency yet) and returns their ids. */
async function submit(baseUrl: string, count: number): Promise<string[]> {
	const body = JSON.stringify({ input: { type: 'image', medium: 'desktopWeb', content: lib.designPng(64, 40).toString('base64') } });
	const ids: string[] = [];
	let next = 0;
	const worker = async () => {
		while (next < count) {
			next++;
			const response = await fetch(`${baseUrl}/analyses`, {
				method: 'POST',
				headers: { authorization: `Bearer ${EYEQUANT_KEY}`, 'content-type': 'application/json' },
				body,
			});
			ids.push(((await response.json()) as { id: string }).id);
		}
	};
	await Promise.all(Array.from({ length: 32 }, worker));
	return ids;
}

/** Wraps every method of the ledger object so that the time spent inside it is summed. */
function timeLedger(ledger: object): { total: () => number; calls: Record<string, number>; reset: () => void } {
	let total = 0;
	const calls: Record<string, number> = {};
	const target = ledger as Record<string, unknown>;
	for (const name of ['register', 'undelivered', 'newest', 'recordChecks', 'recordDeliveries', 'beginPoll', 'stageBatch', 'endPoll', 'get']) {
		const original = target[name] as (...args: unknown[]) => Promise<unknown>;
		target[name] = async (...args: unknown[]) => {
			const started = performance.now();
			try {
				return await original.apply(ledger, args);
			} finally {
				const spent = performance.now() - started;
				total += spent;
				calls[name] = (calls[name] ?? 0) + spent;
			}
		};
	}
	return {
		total: () => total,
		calls,
		reset: () => {
			total = 0;
			for (const name of Object.keys(calls)) delete calls[name];
		},
	};
}

async function pollOnce(baseUrl: string, nodeId: string, concurrency: number): Promise<{ wallMs: number; emitted: number }> {
	const trigger = new lib.VisualAiTrigger();
	const context = await lib.engine.pollContext(trigger, {
		parameters: { provider: 'eyeQuant', options: { concurrency, maxJobsPerPoll: JOBS, downloadOutputs: false } },
		credentials: { eyeQuantApi: { apiKey: EYEQUANT_KEY, baseUrl } },
		staticData: {},
		nodeId,
		workflowId: 'bench',
	});
	const started = performance.now();
	const result = await trigger.poll.call(context);
	return { wallMs: performance.now() - started, emitted: result?.[0]?.length ?? 0 };
}

function fmt(value: number, digits = 0): string {
	return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
	lib = await load();
	const { child, url } = await startSandbox();
	const baseUrl = `${url}/eyequant/v2`;
	const rows: Row[] = [];
	try {
		await lib.engine.initBinaryData();
		const setupStarted = performance.now();
		const ids = await submit(baseUrl, JOBS);
		const account = lib.ledger.accountId(baseUrl, EYEQUANT_KEY);
		const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;
		await lib.ledger.registerJobs({ logger }, 'eyeQuant', account, ids.map((jobId) => ({ jobId })));
		const timing = timeLedger(await lib.ledger.openLedger());
		console.log(`set-up: ${fmt(JOBS)} analyses submitted and registered in ${fmt((performance.now() - setupStarted) / 1000, 1)} s`);
		await control(url, 'PATCH', 'config', { latencyMs: LATENCY_MS });

		for (const scenario of SCENARIOS) {
			if (scenario === 'finished') await control(url, 'POST', 'advance', { ms: 86_400_000 });
			for (const concurrency of CONCURRENCIES) {
				await control(url, 'DELETE', 'log');
				timing.reset();
				// A new trigger node each time: every job is undelivered to it.
				const { wallMs, emitted } = await pollOnce(baseUrl, `${scenario}-${concurrency}`, concurrency);
				const log = (await control(url, 'GET', 'log?provider=eyeQuant&method=GET')) as Array<{ path: string }>;
				rows.push({
					scenario,
					concurrency,
					wallMs,
					targetMs: ((JOBS * LATENCY_MS) / concurrency) * 1.2,
					emitted,
					gets: log.length,
					distinctGets: new Set(log.map((entry) => entry.path)).size,
					ledgerMs: timing.total(),
					ledgerCalls: { ...timing.calls },
				});
				const row = rows[rows.length - 1];
				console.log(`${scenario}, concurrency ${concurrency}: ${fmt(wallMs)} ms, ${row.gets} GETs, ledger ${fmt(row.ledgerMs)} ms`);
			}
		}
	} finally {
		child.kill();
		await lib.ledger.closeLedgers();
		rmSync(work, { recursive: true, force: true });
	}

	const lines = [
		`Visual AI Trigger, one poll of ${fmt(JOBS)} ledger jobs, sandbox latency ${LATENCY_MS} ms per API call (sandbox in a child process), Node ${process.version}`,
		'',
		'| scenario | concurrency | poll wall time | target (jobs × latency / concurrency × 1.2) | emitted | GETs per job | ledger time | ledger share (target < 5%) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...rows.map(
			(row) =>
				`| ${row.scenario} | ${row.concurrency} | ${fmt(row.wallMs / 1000, 2)} s | ${fmt(row.targetMs / 1000, 2)} s ${row.wallMs <= row.targetMs ? 'ok' : 'MISSED'} | ${fmt(row.emitted)} | ${fmt(row.gets / JOBS, 3)} (${fmt(row.distinctGets)} distinct) ${row.gets <= JOBS && row.distinctGets === row.gets ? 'ok' : 'MISSED'} | ${fmt(row.ledgerMs)} ms | ${fmt((100 * row.ledgerMs) / row.wallMs, 2)}% ${row.ledgerMs < 0.05 * row.wallMs ? 'ok' : 'MISSED'} |`,
		),
		'',
		'Ledger time by call (ms):',
		...rows.map(
			(row) =>
				`- ${row.scenario}, concurrency ${row.concurrency}: ${Object.entries(row.ledgerCalls)
					.map(([name, ms]) => `${name} ${fmt(ms, 1)}`)
					.join(', ')}`,
		),
	];
	process.stdout.write(`\n${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
