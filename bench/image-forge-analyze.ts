/**
 * Image Forge analyze benchmark. From the repository root, with Node 24:
 *
 *   node_modules/.bin/node --experimental-strip-types --expose-gc --no-warnings bench/image-forge-analyze.ts
 *
 * Flags: --images N (default 100), --runs N (default 10), --ms-per-image N (sandbox pacing, default 20),
 * --upload-mib N (size of each file in the upload row, default 1.5; 0 skips the row).
 *
 * The sandbox runs in a child process, so this process's CPU time and RSS are the node's alone.
 * The node is the TypeScript source run through n8n-core's real ExecuteContext (no build needed).
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

const userFolder = mkdtempSync(path.join(tmpdir(), 'image-forge-bench-'));
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_ENCRYPTION_KEY ??= 'bench-encryption-key';
process.env.N8N_LOG_LEVEL = 'error';

function flag(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	const value = at === -1 ? undefined : Number(process.argv[at + 1]);
	return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}
const IMAGES = Math.min(100, Math.max(1, Math.floor(flag('images', 100))));
const RUNS = Math.max(2, Math.floor(flag('runs', 10)));
const MS_PER_IMAGE = flag('ms-per-image', 20);
const UPLOAD_MIB = flag('upload-mib', 1.5);
const SECRET = 'sk-sandbox-key';

type Item = import('n8n-workflow').INodeExecutionData;
type Parameters = import('n8n-workflow').INodeParameters;

/** Loaded after the resolve hook is in place (static imports would be resolved before it). */
async function load() {
	return {
		...(await import('../nodes/ImageForge/ImageForge.node.ts')),
		...(await import('../nodes/ImageForge/sse.ts')),
		...(await import('../nodes/ImageForge/schemas.ts')),
		...(await import('../test/helpers/engine.ts')),
		...(await import('../sandbox/fixtures.ts')),
		request: (await import('undici')).request,
	};
}
let lib!: Awaited<ReturnType<typeof load>>;

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => bytes / 1024 / 1024;
const fmt = (n: number, digits = 1) => n.toFixed(digits);
function settledRss(): number {
	gc?.();
	gc?.();
	return process.memoryUsage().rss;
}

/** Samples RSS every 5 ms while `task` runs. */
async function withPeakRss<T>(task: () => Promise<T>): Promise<{ result: T; peak: number }> {
	let peak = process.memoryUsage().rss;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
	try {
		const result = await task();
		peak = Math.max(peak, process.memoryUsage().rss);
		return { result, peak };
	} finally {
		clearInterval(timer);
	}
}

async function startSandbox(): Promise<{ child: ChildProcess; baseUrl: string }> {
	const child = spawn(
		process.execPath,
		['--experimental-strip-types', '--no-warnings', 'sandbox/cli.ts', '--port', '0', '--forge-ms-per-image', String(MS_PER_IMAGE), '--credits', '10000000'],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
	);
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
	return { child, baseUrl: `${url}/imageforge` };
}

interface Timeline {
	start: number;
	firstResult?: number;
	complete?: number;
	results: number;
}

async function runNode(baseUrl: string, parameters: Parameters, input: Item[], timeline?: Timeline): Promise<Item[]> {
	const node = new lib.ImageForge();
	const context = await lib.executeContext(node, {
		parameters,
		input,
		credentials: { imageForgeApi: { apiKey: SECRET, baseUrl } },
	});
	const mark = (_message: string, meta?: { event?: unknown }) => {
		if (!timeline) return;
		if (meta?.event === 'result') {
			timeline.results++;
			timeline.firstResult ??= performance.now();
		}
		if (meta?.event === 'complete') timeline.complete = performance.now();
	};
	Object.defineProperty(context, 'logger', { value: { error: mark, warn: mark, info: mark, debug: mark } });
	const [output] = await node.execute.call(context);
	return output;
}

async function binaryItems(count: number, bytesFor: (index: number) => Buffer): Promise<Item[]> {
	const context = await lib.executeContext(new lib.ImageForge(), { parameters: {} });
	const items: Item[] = [];
	for (let index = 0; index < count; index++) {
		const data = await context.helpers.prepareBinaryData(bytesFor(index), `product-${index + 1}.png`, 'image/png');
		items.push({ json: {}, binary: { data } });
	}
	return items;
}

/** The same analyze stream read raw (no parsing): the sandbox's own send time and its exact chunks. */
async function rawStream(baseUrl: string, images: Item[]) {
	const sessionId = String(images[0].json.sessionId);
	const started = performance.now();
	const response = await lib.request(`${baseUrl}/v1/sessions/${sessionId}/analyze`, {
		method: 'POST',
		headers: { 'x-api-key': SECRET, 'content-type': 'application/json', accept: 'text/event-stream' },
		body: JSON.stringify({
			sessionId,
			images: images.map(({ json }) => ({ id: json.imageId, uploadPath: json.uploadPath, originalFilename: json.originalFilename })),
		}),
	});
	const headersAt = performance.now();
	const chunks: Buffer[] = [];
	let firstResultAt: number | undefined;
	for await (const chunk of response.body) {
		chunks.push(chunk as Buffer);
		if (firstResultAt === undefined && (chunk as Buffer).includes('event: result')) firstResultAt = performance.now();
	}
	const end = performance.now();
	return { chunks, sendMs: end - headersAt, totalMs: end - started, firstResultMs: (firstResultAt ?? end) - started };
}

function cpuMs(task: () => void): number {
	const before = process.cpuUsage();
	task();
	const used = process.cpuUsage(before);
	return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
	lib = await load();
	const rows: Array<[string, string]> = [];
	const verdicts: Array<[string, boolean]> = [];
	const { child, baseUrl } = await startSandbox();
	try {
		// Warm-up: module loading, JIT, the binary store, the connection pool.
		const warm = await runNode(baseUrl, { resource: 'session', operation: 'upload' }, await binaryItems(3, (i) => lib.designPng(40 + i, 30)));
		await runNode(baseUrl, { resource: 'image', operation: 'analyze' }, warm);

		const images = await runNode(
			baseUrl,
			{ resource: 'session', operation: 'upload' },
			await binaryItems(IMAGES, (i) => lib.designPng(64 + i, 48)),
		);

		// 1. The node's analyze: when the first result is parsed vs when "complete" arrives.
		const timeline: Timeline = { start: performance.now(), results: 0 };
		const cpuBefore = process.cpuUsage();
		const analyzed = await runNode(baseUrl, { resource: 'image', operation: 'analyze' }, images, timeline);
		const nodeEnd = performance.now();
		const nodeCpu = process.cpuUsage(cpuBefore);
		const okItems = analyzed.filter((item) => typeof item.json.title === 'string').length;
		const firstResultMs = (timeline.firstResult ?? nodeEnd) - timeline.start;
		const completeMs = (timeline.complete ?? nodeEnd) - timeline.start;
		const nodeMs = nodeEnd - timeline.start;

		// 2. The same stream read raw, then its exact chunks through the parser alone.
		const raw = await rawStream(baseUrl, images);
		const bytes = raw.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
		const repeats = 50;
		let events = 0;
		const parseOnly = median(
			Array.from({ length: repeats }, () =>
				cpuMs(() => {
					const parser = new lib.SseParser();
					events = 0;
					for (const chunk of raw.chunks) events += parser.push(chunk).length;
					events += parser.end().events.length;
				}),
			),
		);
		const parseAndValidate = median(
			Array.from({ length: repeats }, () =>
				cpuMs(() => {
					const parser = new lib.SseParser();
					for (const chunk of raw.chunks) {
						for (const event of parser.push(chunk)) {
							const payload = JSON.parse(event.data) as unknown;
							if (event.type === 'result') lib.analyzeResultEventSchema.parse(payload);
						}
					}
				}),
			),
		);

		// 3. Memory over repeated runs of the whole node.
		const rssBefore = settledRss();
		const rssAfterRun: number[] = [];
		let peak = rssBefore;
		for (let run = 0; run < RUNS; run++) {
			const measured = await withPeakRss(() => runNode(baseUrl, { resource: 'image', operation: 'analyze' }, images));
			if (measured.result.length !== IMAGES) throw new Error(`run ${run + 1} gave ${measured.result.length} items`);
			peak = Math.max(peak, measured.peak);
			rssAfterRun.push(settledRss());
		}
		const rssAfter = rssAfterRun[rssAfterRun.length - 1];
		// Growth between the second and the last run: the first run may still fill lazy caches.
		const drift = rssAfter - rssAfterRun[0];

		// 4. Upload of large files: one streamed multipart request.
		let uploadRow: [string, string] | undefined;
		let uploadGrowth = 0;
		let uploadTotal = 0;
		if (UPLOAD_MIB > 0) {
			const fileBytes = Math.round(UPLOAD_MIB * 1024 * 1024);
			const blob = lib.blobBytes(fileBytes, 7);
			const big = await binaryItems(IMAGES, () => blob);
			uploadTotal = fileBytes * IMAGES;
			const base = settledRss();
			const started = performance.now();
			const measured = await withPeakRss(() => runNode(baseUrl, { resource: 'session', operation: 'upload' }, big));
			uploadGrowth = measured.peak - base;
			uploadRow = [
				`Session → Upload ${IMAGES} × ${fmt(UPLOAD_MIB)} MiB (${fmt(mib(uploadTotal), 0)} MiB, one request): peak RSS growth`,
				`${fmt(mib(uploadGrowth))} MiB (${fmt((100 * uploadGrowth) / uploadTotal)}% of the bytes sent) in ${fmt(performance.now() - started, 0)} ms`,
			];
		}

		rows.push(
			['items out / results parsed', `${analyzed.length} items, ${okItems} with metadata, ${timeline.results} result events`],
			['sandbox send time (raw read, headers → last byte)', `${fmt(raw.sendMs, 0)} ms for ${fmt(bytes / 1024)} KiB, ${events} events, ${raw.chunks.length} chunks`],
			['raw read: first result bytes arrive', `${fmt(raw.firstResultMs, 0)} ms after the request`],
			['node: first result item parsed', `${fmt(firstResultMs, 0)} ms after execute() started`],
			['node: "complete" parsed', `${fmt(completeMs, 0)} ms after execute() started`],
			['node: execute() returned', `${fmt(nodeMs, 0)} ms`],
			['first result while the stream still ran', `${fmt(completeMs - firstResultMs, 0)} ms before "complete" (${fmt((100 * firstResultMs) / completeMs)}% into the stream)`],
			['SSE parser CPU, whole stream (median of 50)', `${fmt(parseOnly, 2)} ms = ${fmt((100 * parseOnly) / raw.sendMs, 3)}% of the send time`],
			['parser + JSON.parse + zod per event (median of 50)', `${fmt(parseAndValidate, 2)} ms = ${fmt((100 * parseAndValidate) / raw.sendMs, 3)}% of the send time`],
			['whole process CPU during the node run (n8n, HTTP, parse, items)', `${fmt((nodeCpu.user + nodeCpu.system) / 1000, 0)} ms = ${fmt((100 * (nodeCpu.user + nodeCpu.system)) / 1000 / nodeMs)}% of its wall time`],
			[`RSS before / after ${RUNS} more runs (${RUNS * IMAGES} images)`, `${fmt(mib(rssBefore))} / ${fmt(mib(rssAfter))} MiB (after-run RSS: ${rssAfterRun.map((rss) => fmt(mib(rss), 0)).join(', ')})`],
			['RSS drift from run 1 to run ' + RUNS + ' / peak during the runs', `${drift >= 0 ? '+' : ''}${fmt(mib(drift))} MiB / ${fmt(mib(peak))} MiB`],
		);
		if (uploadRow) rows.push(uploadRow);

		verdicts.push(
			['every image has its item', analyzed.length === IMAGES && okItems === IMAGES],
			['first result item parsed before "complete"', firstResultMs < completeMs && completeMs - firstResultMs > raw.sendMs / 2],
			['parse overhead under 5% of the send time', parseAndValidate < 0.05 * raw.sendMs],
			['memory flat (drift under 16 MiB over the runs)', drift < 16 * 1024 * 1024],
		);
		if (UPLOAD_MIB > 0) verdicts.push([`upload streamed (peak RSS growth under 64 MiB for ${fmt(mib(uploadTotal), 0)} MiB sent)`, uploadGrowth < 64 * 1024 * 1024]);
	} finally {
		child.kill('SIGTERM');
		rmSync(userFolder, { recursive: true, force: true });
	}

	const width = Math.max(...rows.map(([name]) => name.length));
	console.log(`\nImage Forge analyze benchmark: ${IMAGES} images per run, sandbox ${MS_PER_IMAGE} ms/image in a child process, Node ${process.version}${gc ? '' : ' (run with --expose-gc for steadier RSS)'}\n`);
	console.log(`${'measure'.padEnd(width)} | value`);
	console.log(`${'-'.repeat(width)}-|-${'-'.repeat(60)}`);
	for (const [name, value] of rows) console.log(`${name.padEnd(width)} | ${value}`);
	console.log('');
	for (const [what, ok] of verdicts) console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
	process.exitCode = verdicts.every(([, ok]) => ok) ? 0 : 1;
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
