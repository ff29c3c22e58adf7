/**
 * One of several processes registering jobs in one ledger at the same time (test/unit/ledger-processes.test.ts).
 * Usage: node --experimental-strip-types --no-warnings test/ledger-workers/register.ts <name> <count> <shared>
 * Waits for a line on stdin so that every process starts together, then registers `count` jobs of
 * its own and `shared` jobs every process registers, one registerJobs call (one transaction) each.
 * Prints one JSON line: how many it registered, the errors it saw, and its time.
 */
import { registerSourceHooks } from './hooks.ts';

async function main(): Promise<void> {
	registerSourceHooks();
	const { registerJobs, closeLedgers } = await import('../../nodes/shared/ledger/index.ts');

	const [name, countText, sharedText] = process.argv.slice(2);
	const count = Number(countText);
	const shared = Number(sharedText);
	const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;

	process.stdout.write('READY\n');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

	const errors: string[] = [];
	const started = performance.now();
	const step = Math.max(1, Math.floor(count / Math.max(1, shared)));
	for (let index = 0; index < count; index++) {
		const jobs = [{ jobId: `${name}-${index}` }];
		if (index % step === 0 && index / step < shared) jobs.push({ jobId: `shared-${index / step}` });
		try {
			await registerJobs({ logger }, 'eyeQuant', 'multi-process-account', jobs);
		} catch (error) {
			errors.push(error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error));
		}
	}
	await closeLedgers();
	process.stdout.write(`${JSON.stringify({ name, registered: count, errors, ms: Math.round(performance.now() - started) })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
