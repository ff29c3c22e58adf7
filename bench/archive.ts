/**
 * Archive Outputs benchmark: the node in process (n8n-core's real ExecuteContext, filesystem
 * binary data) against `curl -o` of the same sandbox files. From the repository root:
 *
 *   node_modules/.bin/node --experimental-strip-types --no-warnings bench/archive.ts
 *
 * Flags: --runs N (default 3; the table shows the median time and the largest RSS growth),
 * --scenario one-gib|many-mib (default both), --contenders a,b (ids below; default all).
 *
 * Scenarios (issue 4): one EyeQuant map of 1 GiB; 200 EyeQuant maps of 1 MiB. The sandbox runs in
 * this process; every contender runs in a fresh child process, so its peak RSS is its own. "RSS
 * growth" is the archive child's peak RSS minus that of the same harness running an empty node
 * over the same items (n8n's "empty workflow").
 *
 * Adding a contender (e.g. n8n's HTTP Request node inside a real n8n): write one more
 * `Contender` — an id, a label and `run(scenario)` returning wall time and, if known, RSS — and
 * add it to CONTENDERS. Targets that compare against it go into TARGETS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { registerSourceHooks } from '../scripts/lib/source-hooks.ts';
import { childResult, exec, formatMs, median, parseArgs } from './lib.ts';
import type { ChildResult } from './lib.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface Scenario {
	id: 'one-gib' | 'many-mib';
	title: string;
	urls: string[];
	bytesEach: number;
}

export interface Measurement {
	/** Median wall time of the work itself (the node's execute, or the curl process). */
	wallMs: number;
	/** Largest peak RSS seen, MiB (whole process). */
	peakRssMiB?: number;
	/** Largest peak RSS over the empty-workflow baseline, MiB (in-process contenders). */
	rssGrowthMiB?: number;
	note?: string;
}

export interface Contender {
	id: string;
	label: string;
	run(scenario: Scenario, runs: number): Promise<Measurement>;
}

// ---------------------------------------------------------------------------------------------
// Contenders

const curlSequential: Contender = {
	id: 'curl',
	label: 'curl -o (one process, one file after another)',
	run: async (scenario, runs) => await repeat(runs, async () => await curl(scenario, [])),
};

const curlParallel: Contender = {
	id: 'curl-parallel',
	label: 'curl -o --parallel --parallel-max 8',
	run: async (scenario, runs) => await repeat(runs, async () => await curl(scenario, ['--parallel', '--parallel-max', '8'])),
};

const archiveInProcess: Contender = {
	id: 'archive',
	label: 'Archive Outputs (n8n-core in process, concurrency 8)',
	run: async (scenario, runs) => {
		const results: Array<{ wallMs: number; peakRssMiB: number; rssGrowthMiB: number; baselineMiB: number; cpuMs: number }> = [];
		for (let run = 0; run < runs; run++) {
			const baseline = await child('empty', scenario);
			const archive = await child('archive', scenario);
			results.push({
				wallMs: archive.wallMs,
				peakRssMiB: archive.peakRssMiB,
				baselineMiB: baseline.peakRssMiB,
				rssGrowthMiB: archive.peakRssMiB - baseline.peakRssMiB,
				cpuMs: archive.cpuMs - baseline.cpuMs,
			});
		}
		return {
			wallMs: median(results.map((result) => result.wallMs)),
			peakRssMiB: Math.max(...results.map((result) => result.peakRssMiB)),
			rssGrowthMiB: Math.max(...results.map((result) => result.rssGrowthMiB)),
			note: `empty workflow ${Math.round(median(results.map((result) => result.baselineMiB)))} MiB; CPU over it ${Math.round(median(results.map((result) => result.cpuMs)))} ms`,
		};
	},
};

/** What any Node streaming download costs here: undici reads the same URLs and drops the bytes. */
const undiciFloor: Contender = {
	id: 'floor',
	label: 'floor: undici read to nowhere (no n8n, no disk), concurrency 8',
	run: async (scenario, runs) => {
		const results: Array<{ wallMs: number; peakRssMiB: number; rssGrowthMiB: number }> = [];
		for (let run = 0; run < runs; run++) {
			const baseline = await child('empty', scenario);
			const floor = await child('floor', scenario);
			results.push({ ...floor, rssGrowthMiB: floor.peakRssMiB - baseline.peakRssMiB });
		}
		return {
			wallMs: median(results.map((result) => result.wallMs)),
			peakRssMiB: Math.max(...results.map((result) => result.peakRssMiB)),
			rssGrowthMiB: Math.max(...results.map((result) => result.rssGrowthMiB)),
		};
	},
};

export const CONTENDERS: Contender[] = [curlSequential, curlParallel, undiciFloor, archiveInProcess];

/** Issue 4's targets: [scenario, description, check(table) → pass]. */
const TARGETS: Array<{ scenario: Scenario['id']; text: string; check: (row: Map<string, Measurement>) => boolean | undefined }> = [
	{
		scenario: 'one-gib',
		text: 'archive time <= 1.25 x curl -o',
		check: (row) => ratio(row.get('archive')?.wallMs, row.get('curl')?.wallMs, (a, b) => a <= 1.25 * b),
	},
	{
		scenario: 'one-gib',
		text: 'archive peak RSS growth <= 64 MiB over an empty workflow',
		check: (row) => below(row.get('archive')?.rssGrowthMiB, 64),
	},
	{
		scenario: 'many-mib',
		text: "archive >= 3x faster than n8n's HTTP Request node (3.2 s in ../shared/N8N.md), i.e. <= 1067 ms",
		check: (row) => below(row.get('archive')?.wallMs, 3200 / 3),
	},
	{
		scenario: 'many-mib',
		text: 'archive peak RSS growth <= 64 MiB over an empty workflow',
		check: (row) => below(row.get('archive')?.rssGrowthMiB, 64),
	},
];

// ---------------------------------------------------------------------------------------------
// Parent: sandbox, scenarios, table

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (args.child) {
		await runChild(args.child, args.input ?? '');
		return;
	}
	const runs = Number(args.runs ?? 3);
	const wanted = new Set((args.contenders ?? CONTENDERS.map((contender) => contender.id).join(',')).split(','));
	const contenders = CONTENDERS.filter((contender) => wanted.has(contender.id));
	const scenarioIds = (args.scenario ?? 'one-gib,many-mib').split(',') as Array<Scenario['id']>;

	const { startSandbox, SANDBOX_KEYS } = await import('../sandbox/server.ts');
	const { designPng } = await import('../sandbox/fixtures.ts');
	const sandbox = await startSandbox({ port: 0, eyeQuantProcessingMs: 0 });
	const auth = { authorization: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}`, 'content-type': 'application/json' };
	const image = designPng().toString('base64');
	const mapUrls = async (count: number): Promise<string[]> => {
		const urls: string[] = [];
		for (let index = 0; index < count; index++) {
			const created = await fetch(`${sandbox.baseUrls.eyeQuant}/analyses`, {
				method: 'POST',
				headers: auth,
				body: JSON.stringify({ input: { type: 'image', content: image, medium: 'desktopWeb', title: `bench ${index}` } }),
			});
			const { id } = (await created.json()) as { id: string };
			const analysis = await fetch(`${sandbox.baseUrls.eyeQuant}/analyses/${id}`, { headers: auth });
			const body = (await analysis.json()) as { outputs: { attention: { attentionMap: string } } };
			urls.push(body.outputs.attention.attentionMap);
		}
		return urls;
	};

	const table: Array<{ scenario: Scenario; results: Map<string, Measurement> }> = [];
	try {
		for (const id of scenarioIds) {
			const scenario: Scenario =
				id === 'one-gib'
					? { id, title: '1 x 1 GiB map', urls: await mapUrls(1), bytesEach: GiB }
					: { id, title: '200 x 1 MiB maps', urls: await mapUrls(200), bytesEach: MiB };
			sandbox.configure({ mapBytes: scenario.bytesEach });
			process.stderr.write(`${scenario.title}: warming up the sandbox (first read of each map)...\n`);
			await warmUp(scenario.urls);
			const results = new Map<string, Measurement>();
			for (const contender of contenders) {
				process.stderr.write(`${scenario.title}: ${contender.label} x ${runs}...\n`);
				results.set(contender.id, await contender.run(scenario, runs));
			}
			table.push({ scenario, results });
		}
	} finally {
		await sandbox.close();
	}
	printTable(table, contenders, runs);
}

async function warmUp(urls: string[]): Promise<void> {
	for (const url of urls) {
		const response = await fetch(url);
		if (!response.ok || !response.body) throw new Error(`${url.replace(/\?.*/, '')} answered ${response.status}`);
		for await (const chunk of response.body) void chunk;
	}
}

function printTable(table: Array<{ scenario: Scenario; results: Map<string, Measurement> }>, contenders: Contender[], runs: number): void {
	const lines = [
		`Archive Outputs benchmark — Node ${process.version}, sandbox on 127.0.0.1, median of ${runs} run(s)`,
		'',
		'| scenario | contender | wall time | peak RSS | RSS growth over empty workflow |',
		'|---|---|---:|---:|---:|',
	];
	for (const { scenario, results } of table) {
		for (const contender of contenders) {
			const result = results.get(contender.id);
			if (!result) continue;
			lines.push(
				`| ${scenario.title} | ${contender.label} | ${formatMs(result.wallMs)} | ${formatMiB(result.peakRssMiB)} | ${formatMiB(result.rssGrowthMiB)}${result.note ? ` (${result.note})` : ''} |`,
			);
		}
	}
	lines.push('', 'Targets (issue 4):');
	for (const target of TARGETS) {
		const row = table.find((entry) => entry.scenario.id === target.scenario);
		if (!row) continue;
		const verdict = target.check(row.results);
		lines.push(`- ${row.scenario.title}: ${target.text}: ${verdict === undefined ? 'not measured' : verdict ? 'PASS' : 'FAIL'}`);
	}
	process.stdout.write(`${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// curl

async function curl(scenario: Scenario, extra: string[]): Promise<Measurement> {
	const dir = mkdtempSync(path.join(tmpdir(), 'archive-bench-curl-'));
	const config = path.join(dir, 'urls.curl');
	writeFileSync(
		config,
		scenario.urls.map((url, index) => `url = "${url}"\noutput = "${path.join(dir, `${index}.png`)}"\n`).join(''),
	);
	try {
		const started = performance.now();
		const result = await exec('/usr/bin/time', ['-f', '%M', 'curl', '-sS', '--fail', ...extra, '-K', config]);
		const wallMs = performance.now() - started;
		if (result.code !== 0) throw new Error(`curl failed: ${result.stderr}`);
		const kb = Number(result.stderr.trim().split('\n').pop());
		return { wallMs, peakRssMiB: Number.isFinite(kb) ? kb / 1024 : undefined };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function repeat(runs: number, once: () => Promise<Measurement>): Promise<Measurement> {
	const results: Measurement[] = [];
	for (let run = 0; run < runs; run++) results.push(await once());
	const rss = results.map((result) => result.peakRssMiB).filter((value): value is number => value !== undefined);
	return { wallMs: median(results.map((result) => result.wallMs)), peakRssMiB: rss.length ? Math.max(...rss) : undefined };
}

// ---------------------------------------------------------------------------------------------
// Children: the node (or an empty node) in n8n-core's ExecuteContext

async function child(kind: 'archive' | 'empty' | 'floor', scenario: Scenario): Promise<ChildResult> {
	const dir = mkdtempSync(path.join(tmpdir(), 'archive-bench-child-'));
	const input = path.join(dir, 'scenario.json');
	writeFileSync(input, JSON.stringify(scenario));
	try {
		const result = await exec(
			process.execPath,
			['--experimental-strip-types', '--no-warnings', process.argv[1], '--child', kind, '--input', input],
			{ ...process.env, N8N_USER_FOLDER: dir, N8N_LOG_LEVEL: 'warn' },
		);
		const line = result.stdout.split('\n').find((entry) => entry.startsWith('BENCH_RESULT '));
		if (result.code !== 0 || !line) throw new Error(`the ${kind} child failed:\n${result.stderr}\n${result.stdout}`);
		return JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildResult;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function runChild(kind: string, inputFile: string): Promise<void> {
	registerSourceHooks();
	const scenario = JSON.parse(readFileSync(inputFile, 'utf8')) as Scenario;
	const engine = await import('../test/helpers/engine.ts');
	const { ArchiveOutputs } = await import('../nodes/ArchiveOutputs/ArchiveOutputs.node.ts');
	const { createLimiter } = await import('../nodes/ArchiveOutputs/limiter.ts');
	await engine.initBinaryData();
	const items = scenario.urls.map((url) => ({ json: { outputs: { attention: { attentionMap: url } } } }));
	const archive = new ArchiveOutputs();
	const nodeType =
		kind === 'archive'
			? archive
			: {
					description: { ...archive.description, name: 'emptyNode' },
					execute: async function (this: { getInputData(): typeof items }) {
						return [this.getInputData()];
					},
				};
	if (kind === 'floor') {
		const { request } = await import('undici');
		const limit = createLimiter(8);
		const started = performance.now();
		await Promise.all(
			scenario.urls.map(async (url) =>
				await limit(async () => {
					const response = await request(url);
					for await (const chunk of response.body) void chunk;
				}),
			),
		);
		process.stdout.write(`BENCH_RESULT ${JSON.stringify(childResult(performance.now() - started))}\n`);
		return;
	}
	const started = performance.now();
	const [output] = await engine.runNode(nodeType as typeof archive, { parameters: {}, input: items });
	const wallMs = performance.now() - started;
	if (kind === 'archive') {
		for (const item of output) {
			const bytes = item.binary?.attention_attentionMap?.bytes;
			if (bytes !== scenario.bytesEach) throw new Error(`an archived map has ${bytes} bytes, expected ${scenario.bytesEach}`);
		}
	}
	process.stdout.write(`BENCH_RESULT ${JSON.stringify(childResult(wallMs))}\n`);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function ratio(a: number | undefined, b: number | undefined, test: (a: number, b: number) => boolean): boolean | undefined {
	return a === undefined || b === undefined ? undefined : test(a, b);
}

function below(value: number | undefined, limit: number): boolean | undefined {
	return value === undefined ? undefined : value <= limit;
}

function formatMiB(value: number | undefined): string {
	return value === undefined ? '–' : `${Math.round(value)} MiB`;
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
