/**
 * Would a download thread bring Archive Outputs under n8n's store floor? (issue 17)
 * `node --experimental-strip-types bench/store-threads.ts [--runs 3] [--mib 1024] [--heap-mb 150]`
 *
 * Each contender is a child Node process with a live heap of about `--heap-mb` MB, like n8n's, that
 * puts the same bytes through `fs.promises.writeFile(path, stream)`, as n8n's filesystem store does
 * (one awaited write per chunk):
 * - `file`: the bytes read from a local file (n8n's Read Files from Disk: the store floor);
 * - `main`: downloaded with undici on the same thread, the socket's chunks handed on as they came
 *   (what Archive Outputs does, nodes/shared/download.ts);
 * - `worker`: downloaded with undici in a worker thread whose socket chunks are *transferred* (not
 *   copied) to the main thread, 64 chunks in flight at most: the network's parsing leaves the main
 *   thread and no byte is copied.
 * The server is a third process serving the file over loopback. Prints medians of wall time, CPU
 * time (all threads) and peak RSS growth over the process's start, and each against `file`.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { request } from 'undici';

import { findRepoRoot } from '../scripts/lib/repo.ts';

const MODES = ['file', 'main', 'worker'] as const;
type Mode = (typeof MODES)[number];
interface Sample {
	ms: number;
	cpuMs: number;
	rssGrowthMiB: number;
}
const IN_FLIGHT = 64;
const SCRIPT = path.join(findRepoRoot(), 'bench', 'store-threads.ts');

function option(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index < 0 ? fallback : Number(process.argv[index + 1]);
}

/** The worker: GET the URL, hand every body chunk's memory to the main thread, at most IN_FLIGHT unacknowledged. */
async function downloadInWorker(url: string): Promise<void> {
	const port = parentPort;
	if (!port) throw new Error('not a worker');
	const { body } = await request(url);
	let queued: Buffer[] = [];
	let inFlight = 0;
	let flushing = false;
	// Transferred after the parser returned: it may still look at the socket's buffer while it runs.
	const flush = () => {
		flushing = false;
		const chunks = queued.map((chunk) => (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : Buffer.from(chunk)));
		queued = [];
		inFlight += chunks.length;
		port.postMessage({ chunks: chunks.map((chunk) => chunk.buffer) }, chunks.map((chunk) => chunk.buffer as ArrayBuffer));
		if (inFlight >= IN_FLIGHT) body.pause();
	};
	port.on('message', (done: number) => {
		inFlight -= done;
		if (inFlight < IN_FLIGHT) body.resume();
	});
	body.on('data', (chunk: Buffer) => {
		queued.push(chunk);
		if (!flushing) {
			flushing = true;
			queueMicrotask(flush);
		}
	});
	await new Promise<void>((resolve, reject) => {
		body.once('end', resolve);
		body.once('error', reject);
	});
	if (queued.length > 0) flush();
	port.postMessage({ end: true });
}

function fromWorker(url: string): { stream: Readable; worker: Worker } {
	const worker = new Worker(SCRIPT, { workerData: { url }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
	let consumed = 0;
	const stream = new Readable({
		objectMode: true,
		highWaterMark: IN_FLIGHT,
		read() {
			if (consumed > 0) worker.postMessage(consumed);
			consumed = 0;
		},
	});
	worker.on('message', (message: { chunks?: ArrayBuffer[]; end?: boolean }) => {
		if (message.end) stream.push(null);
		for (const buffer of message.chunks ?? []) {
			consumed++;
			stream.push(Buffer.from(buffer));
		}
	});
	worker.on('error', (error) => stream.destroy(error));
	return { stream, worker };
}

function fromMainThread(url: string): Readable {
	const stream = new Readable({ objectMode: true, highWaterMark: 32, read: () => void body?.resume() });
	let body: Readable | undefined;
	void request(url).then((response) => {
		body = response.body;
		body.on('data', (chunk: Buffer) => {
			if (!stream.push(chunk)) body?.pause();
		});
		body.once('end', () => stream.push(null));
		body.once('error', (error) => stream.destroy(error));
	}, (error: Error) => stream.destroy(error));
	return stream;
}

async function child(mode: Mode, source: string, url: string, out: string, heapMb: number): Promise<Sample> {
	// About heapMb MB of live objects (n8n's heap is ~150 MB): every full GC has to mark them.
	const ballast: Array<{ index: number; text: string; list: number[] }> = [];
	for (let index = 0; index < heapMb * 10_000; index++) ballast.push({ index, text: `x${index}`, list: [index] });
	const rssAtStart = process.memoryUsage().rss;
	let peak = rssAtStart;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	const cpuAtStart = process.cpuUsage();
	const started = performance.now();
	let worker: Worker | undefined;
	if (mode === 'file') await writeFile(out, createReadStream(source));
	else if (mode === 'main') await writeFile(out, fromMainThread(url));
	else {
		const download = fromWorker(url);
		worker = download.worker;
		await writeFile(out, download.stream);
	}
	const ms = performance.now() - started;
	const cpu = process.cpuUsage(cpuAtStart);
	clearInterval(sampler);
	await worker?.terminate();
	if (ballast.length === 0) throw new Error('unreachable');
	return { ms, cpuMs: (cpu.user + cpu.system) / 1000, rssGrowthMiB: (peak - rssAtStart) / 2 ** 20 };
}

async function runChild(args: string[]): Promise<Sample> {
	const proc = spawn(process.execPath, [...process.execArgv, SCRIPT, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
	let stdout = '';
	proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
	if (code !== 0) throw new Error(`child ${args[0]} exited with ${code}`);
	return JSON.parse(stdout) as Sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function parent(): Promise<void> {
	const runs = option('runs', 3);
	const mib = option('mib', 1024);
	const heapMb = option('heap-mb', 150);
	const dir = mkdtempSync(path.join(tmpdir(), 'visual-ai-threads-'));
	const source = path.join(dir, 'source.bin');
	const block = Buffer.alloc(1024 * 1024);
	for (let index = 0; index < block.length; index++) block[index] = (index * 2654435761) >>> 24;
	writeFileSync(source, Buffer.alloc(0));
	for (let index = 0; index < mib; index++) writeFileSync(source, block, { flag: 'a' });
	const server = createServer((_request, response) => {
		response.writeHead(200, { 'content-length': mib * 1024 * 1024, 'content-type': 'application/octet-stream' });
		createReadStream(source, { highWaterMark: 1024 * 1024 }).pipe(response);
	});
	// The server runs in this process; the contenders each in a child of their own.
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/source.bin`;
	const samples: Record<Mode, Sample[]> = { file: [], main: [], worker: [] };
	try {
		for (let round = 0; round < runs; round++) {
			for (const mode of MODES) samples[mode].push(await runChild([mode, source, url, path.join(dir, `out-${mode}.bin`), String(heapMb)]));
		}
	} finally {
		server.close();
		rmSync(dir, { recursive: true, force: true });
	}
	const floor = median(samples.file.map((sample) => sample.ms));
	const lines = [
		`${mib} MiB through fs.promises.writeFile(stream) with a ${heapMb} MB live heap, median of ${runs}`,
		'',
		'| contender | wall | × file | CPU time | peak RSS growth |',
		'|---|---:|---:|---:|---:|',
		...MODES.map((mode) => {
			const ms = median(samples[mode].map((sample) => sample.ms));
			return `| ${mode} | ${(ms / 1000).toFixed(2)} s | ${(ms / floor).toFixed(2)}× | ${(median(samples[mode].map((sample) => sample.cpuMs)) / 1000).toFixed(2)} s | ${median(samples[mode].map((sample) => sample.rssGrowthMiB)).toFixed(0)} MiB |`;
		}),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
	if (!isMainThread) return await downloadInWorker((workerData as { url: string }).url);
	if (process.argv[2] !== '--child') return await parent();
	const [, , , mode, source, url, out, heapMb] = process.argv;
	process.stdout.write(JSON.stringify(await child(mode as Mode, source, url, out, Number(heapMb))));
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
