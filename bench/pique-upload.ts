/**
 * Pique upload benchmark: Evaluation → Upload of one large file from n8n's filesystem binary store,
 * in process (n8n-core's real ExecuteContext), against `curl -T` of the same file to a presigned URL
 * of the same sandbox. From the repository root:
 *
 *   node_modules/.bin/node --experimental-strip-types --no-warnings bench/pique-upload.ts
 *
 * Flags: --size-mib N (default 1024), --runs N (default 3; the table shows the median time and the
 * largest RSS growth), --contenders a,b (curl, floor, upload; default all).
 *
 * The sandbox runs in this process and hashes every byte it receives; every upload is checked to have
 * landed whole (size and SHA-256). The file is written once into
 * the filesystem binary store of a temporary n8n user folder (by a child process); every contender
 * then runs in a fresh child process, so its peak RSS is its own. "RSS growth" is the upload child's
 * peak RSS minus that of the same harness running an empty node over the same item. The floor is
 * what any Node streaming upload costs here: plain undici PUTs the same file from fs.createReadStream
 * (no n8n, no node code), in the same harness, measured the same way.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { registerSourceHooks } from '../scripts/lib/source-hooks.ts';
import { childResult, exec, formatMs, median, parseArgs } from './lib.ts';
import type { ChildResult as ProcessResult } from './lib.ts';

const MiB = 1024 * 1024;
const RSS_TARGET_MIB = 64;
/** The seed of the file's deterministic bytes (sandbox/fixtures.ts blobChunks). */
const SEED = 7;

/** What the parent hands every child. */
interface Job {
	userFolder: string;
	baseUrl: string;
	apiKey: string;
	judgeId: string;
	bytes: number;
	/** The binary data reference (IBinaryData) of the stored file, once it is written. */
	binary?: Record<string, unknown>;
	/** For the floor: the stored file and a presigned upload to PUT it to. */
	file?: string;
	presigned?: Presigned;
}

interface Presigned {
	job_id: string;
	upload_url: string;
	upload_headers: Record<string, string>;
}

interface ChildResult extends ProcessResult {
	jobId?: string;
	binary?: Record<string, unknown>;
}

interface Row {
	label: string;
	wallMs: number;
	peakRssMiB?: number;
	rssGrowthMiB?: number;
	/** The row the issue's target applies to. */
	target?: boolean;
	note?: string;
}

// ---------------------------------------------------------------------------------------------
// Parent

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (args.child) {
		await runChild(args.child, args.input ?? '');
		return;
	}
	const bytes = Math.round(Number(args['size-mib'] ?? 1024) * MiB);
	const runs = Math.max(1, Number(args.runs ?? 3));
	const wanted = new Set((args.contenders ?? 'curl,floor,upload').split(','));

	const { startSandbox, SANDBOX_KEYS, SANDBOX_PIQUE_JUDGES } = await import('../sandbox/server.ts');
	const sandbox = await startSandbox({ port: 0 });
	const userFolder = mkdtempSync(path.join(tmpdir(), 'pique-upload-bench-'));
	const job: Job = {
		userFolder,
		baseUrl: sandbox.baseUrls.pique,
		apiKey: SANDBOX_KEYS.pique.apiKey,
		judgeId: SANDBOX_PIQUE_JUDGES.video,
		bytes,
	};
	const { blobChunks } = await import('../sandbox/fixtures.ts');
	const hash = createHash('sha256');
	for (const chunk of blobChunks(bytes, SEED)) hash.update(chunk);
	const sha256 = hash.digest('hex');
	const landed = (jobId: string | undefined) => {
		const upload = jobId ? sandbox.uploads.get(jobId) : undefined;
		if (upload?.bytes !== bytes || upload.sha256 !== sha256) {
			throw new Error(`job ${jobId} received ${upload?.bytes} bytes (sha256 ${upload?.sha256}), expected ${bytes} (sha256 ${sha256})`);
		}
	};

	const rows: Row[] = [];
	try {
		process.stderr.write(`writing ${formatMiB(bytes / MiB)} into n8n's filesystem binary store...\n`);
		job.binary = (await child('prepare', job)).binary;
		const file = storedFile(userFolder, bytes);

		if (wanted.has('curl')) {
			const results: Array<{ wallMs: number; peakRssMiB?: number }> = [];
			for (let run = 0; run < runs; run++) {
				process.stderr.write(`curl -T, run ${run + 1} of ${runs}...\n`);
				const { jobId, result } = await curlUpload(job, file);
				landed(jobId);
				results.push(result);
			}
			rows.push({
				label: 'curl -T (the same stored file, presigned PUT)',
				wallMs: median(results.map((result) => result.wallMs)),
				peakRssMiB: maxOf(results.map((result) => result.peakRssMiB)),
			});
		}
		if (wanted.has('floor')) {
			const results: Array<ChildResult & { baselineMiB: number }> = [];
			for (let run = 0; run < runs; run++) {
				process.stderr.write(`floor (undici PUT of fs.createReadStream), run ${run + 1} of ${runs}...\n`);
				const baseline = await child('empty', job);
				const presigned = await presign(job);
				const floor = await child('floor', { ...job, file, presigned });
				landed(presigned.job_id);
				results.push({ ...floor, baselineMiB: baseline.peakRssMiB, cpuMs: floor.cpuMs - baseline.cpuMs });
			}
			rows.push(inProcessRow('floor: undici PUT of fs.createReadStream (no n8n)', results));
		}
		if (wanted.has('upload')) {
			const results: Array<ChildResult & { baselineMiB: number }> = [];
			for (let run = 0; run < runs; run++) {
				process.stderr.write(`Pique → Evaluation → Upload, run ${run + 1} of ${runs}...\n`);
				const baseline = await child('empty', job);
				const upload = await child('upload', job);
				landed(upload.jobId);
				results.push({ ...upload, baselineMiB: baseline.peakRssMiB, cpuMs: upload.cpuMs - baseline.cpuMs });
			}
			rows.push(inProcessRow('Pique → Evaluation → Upload (n8n-core in process)', results, true));
		}
	} finally {
		await sandbox.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
	printTable(rows, bytes, runs);
}

function inProcessRow(label: string, results: Array<ChildResult & { baselineMiB: number }>, target = false): Row {
	const growth = results.map((result) => result.peakRssMiB - result.baselineMiB);
	return {
		label,
		wallMs: median(results.map((result) => result.wallMs)),
		peakRssMiB: Math.max(...results.map((result) => result.peakRssMiB)),
		rssGrowthMiB: Math.max(...growth),
		target,
		note: `runs ${growth.map((value) => Math.round(value)).join(', ')} MiB; empty workflow ${Math.round(median(results.map((result) => result.baselineMiB)))} MiB; CPU over it ${Math.round(median(results.map((result) => result.cpuMs)))} ms`,
	};
}

async function presign(job: Job): Promise<Presigned> {
	const response = await fetch(`${job.baseUrl}/v1/evaluations/presigned-upload`, {
		method: 'POST',
		headers: { 'x-api-key': job.apiKey, 'content-type': 'application/json' },
		body: JSON.stringify({ judge_id: job.judgeId, content_type: 'video', filename: 'bench.mp4', file_size_bytes: job.bytes }),
	});
	if (!response.ok) throw new Error(`presigned-upload answered ${response.status}`);
	return (await response.json()) as Presigned;
}

/** The stored file's path: the one file of exactly that size in the user folder. */
function storedFile(folder: string, bytes: number): string {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir)) {
			const full = path.join(dir, entry);
			const stat = statSync(full);
			if (stat.isDirectory()) walk(full);
			else if (stat.size === bytes && !entry.endsWith('.metadata')) found.push(full);
		}
	};
	walk(folder);
	if (found.length !== 1) throw new Error(`expected one stored file of ${bytes} bytes, found ${found.length}`);
	return found[0];
}

/** Presigns like the node does, then lets curl PUT the stored file with the returned headers. */
async function curlUpload(job: Job, file: string): Promise<{ jobId: string; result: { wallMs: number; peakRssMiB?: number } }> {
	const presigned = await presign(job);
	const headers = Object.entries(presigned.upload_headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
	const started = performance.now();
	const result = await exec('/usr/bin/time', ['-f', '%M', 'curl', '-sS', '--fail', '-o', '/dev/null', '-H', 'Expect:', ...headers, '-T', file, presigned.upload_url]);
	const wallMs = performance.now() - started;
	if (result.code !== 0) throw new Error(`curl failed: ${result.stderr}`);
	const kb = Number(result.stderr.trim().split('\n').pop());
	return { jobId: presigned.job_id, result: { wallMs, peakRssMiB: Number.isFinite(kb) ? kb / 1024 : undefined } };
}

function printTable(rows: Row[], bytes: number, runs: number): void {
	const lines = [
		`Pique upload benchmark — Node ${process.version}, sandbox on 127.0.0.1, ${formatMiB(bytes / MiB)} file from n8n's filesystem binary store, median of ${runs} run(s)`,
		'',
		'| contender | wall time | throughput | peak RSS | RSS growth over empty workflow |',
		'|---|---:|---:|---:|---:|',
	];
	for (const row of rows) {
		lines.push(
			`| ${row.label} | ${formatMs(row.wallMs)} | ${Math.round(bytes / MiB / (row.wallMs / 1000))} MiB/s | ${formatMiB(row.peakRssMiB)} | ${formatMiB(row.rssGrowthMiB)}${row.note ? ` (${row.note})` : ''} |`,
		);
	}
	const upload = rows.find((row) => row.target);
	const verdict = upload?.rssGrowthMiB === undefined ? 'not measured' : upload.rssGrowthMiB <= RSS_TARGET_MIB ? 'PASS' : 'FAIL';
	lines.push('', `Target (issue 5): upload peak RSS growth <= ${RSS_TARGET_MIB} MiB over an empty workflow: ${verdict}`);
	process.stdout.write(`${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Children: write the file, run an empty node, or run the Pique node, in n8n-core's ExecuteContext

async function child(kind: 'prepare' | 'empty' | 'floor' | 'upload', job: Job): Promise<ChildResult> {
	const dir = mkdtempSync(path.join(tmpdir(), 'pique-upload-bench-child-'));
	const input = path.join(dir, 'job.json');
	writeFileSync(input, JSON.stringify(job));
	try {
		const result = await exec(
			process.execPath,
			['--experimental-strip-types', '--no-warnings', process.argv[1], '--child', kind, '--input', input],
			{
				...process.env,
				N8N_USER_FOLDER: job.userFolder,
				N8N_VISUAL_AI_LEDGER: path.join(dir, 'ledger.sqlite'),
				N8N_LOG_LEVEL: 'warn',
			},
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
	const job = JSON.parse(readFileSync(inputFile, 'utf8')) as Job;
	const engine = await import('../test/helpers/engine.ts');
	const { Pique } = await import('../nodes/Pique/Pique.node.ts');
	await engine.initBinaryData();
	const pique = new Pique();

	if (kind === 'prepare') {
		const { Readable } = await import('node:stream');
		const { blobChunks } = await import('../sandbox/fixtures.ts');
		const context = await engine.executeContext(pique, { parameters: {} });
		const started = performance.now();
		const binary = await context.helpers.prepareBinaryData(Readable.from(blobChunks(job.bytes, SEED)), 'bench.mp4', 'video/mp4');
		process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...childResult(performance.now() - started), binary })}\n`);
		return;
	}

	if (kind === 'floor') {
		const { createReadStream } = await import('node:fs');
		const { request } = await import('undici');
		const presigned = job.presigned as Presigned;
		const started = performance.now();
		const response = await request(presigned.upload_url, {
			method: 'PUT',
			headers: { ...presigned.upload_headers, 'content-length': String(job.bytes) },
			body: createReadStream(job.file as string),
		});
		await response.body.dump();
		if (response.statusCode !== 200) throw new Error(`the floor PUT answered ${response.statusCode}`);
		process.stdout.write(`BENCH_RESULT ${JSON.stringify(childResult(performance.now() - started))}\n`);
		return;
	}

	type Item = import('n8n-workflow').INodeExecutionData;
	const items: Item[] = [{ json: {}, binary: { data: job.binary as unknown as import('n8n-workflow').IBinaryData } }];
	const nodeType =
		kind === 'upload'
			? pique
			: {
					description: { ...pique.description, name: 'emptyNode' },
					execute: async function (this: { getInputData(): Item[] }) {
						return [this.getInputData()];
					},
				};
	const started = performance.now();
	const [output] = await engine.runNode(nodeType as typeof pique, {
		parameters: {
			resource: 'evaluation',
			operation: 'upload',
			judge: { __rl: true, mode: 'id', value: job.judgeId },
			options: { uploadTimeout: 600 },
		},
		credentials: { piqueApi: { apiKey: job.apiKey, environment: 'custom', baseUrl: job.baseUrl } },
		input: items,
	});
	const wallMs = performance.now() - started;
	const jobId = kind === 'upload' ? (output[0]?.json.jobId as string | undefined) : undefined;
	if (kind === 'upload' && (output[0]?.json.status !== 'pending' || output[0]?.json.fileSizeBytes !== job.bytes)) {
		throw new Error(`the upload did not go through: ${JSON.stringify(output[0]?.json)}`);
	}
	process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...childResult(wallMs), jobId })}\n`);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function maxOf(values: Array<number | undefined>): number | undefined {
	const known = values.filter((value): value is number => value !== undefined);
	return known.length ? Math.max(...known) : undefined;
}

function formatMiB(value: number | undefined): string {
	if (value === undefined) return '–';
	return value >= 1024 ? `${(value / 1024).toFixed(value % 1024 === 0 ? 0 : 1)} GiB` : `${Math.round(value)} MiB`;
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
