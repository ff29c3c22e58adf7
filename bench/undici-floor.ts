/**
 * The network floor without n8n, as a child of bench/n8n-archive.ts: a bare undici GET of every
 * URL piped to a file, `concurrency` at a time, in a small Node process of its own (the Node that
 * runs n8n). Usage: `node --experimental-strip-types undici-floor.ts <urls.json> <out dir> <concurrency>`.
 * Prints `{"ms": <download time>, "bytes": <total written>, "cpuMs": <CPU time of the process>}` on stdout.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { Agent, request } from 'undici';

async function main(): Promise<void> {
	const [urlsFile, outDir, concurrencyText] = process.argv.slice(2);
	const urls = JSON.parse(readFileSync(urlsFile, 'utf8')) as string[];
	const concurrency = Number(concurrencyText);
	const dispatcher = new Agent({ connections: 128 });
	let next = 0;
	let bytes = 0;
	const started = performance.now();
	async function worker(): Promise<void> {
		while (next < urls.length) {
			const index = next++;
			const response = await request(urls[index], { dispatcher });
			if (response.statusCode !== 200) throw new Error(`${urls[index]} answered ${response.statusCode}`);
			const file = path.join(outDir, `${index}.png`);
			const out = createWriteStream(file);
			await pipeline(response.body, out);
			bytes += out.bytesWritten;
		}
	}
	await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
	const ms = performance.now() - started;
	await dispatcher.close();
	const { user, system } = process.cpuUsage();
	process.stdout.write(JSON.stringify({ ms, bytes, cpuMs: (user + system) / 1000 }));
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
