/**
 * One of several processes registering jobs in one ledger at the same time (test/unit/ledger-processes.test.ts).
 * Usage: node --experimental-strip-types --no-warnings test/ledger-workers/register.ts <name> <count> <shared>
 * Waits for a line on stdin so that every process starts together, then registers `count` jobs of
 * its own and `shared` jobs every process registers, one register call (one transaction) each.
 * Prints one JSON line: how many it registered, how many of those the ledger counted as new, the
 * errors it saw, and its time.
 */
import { registerSourceHooks } from '../../scripts/lib/source-hooks.ts';

async function main(): Promise<void> {
	registerSourceHooks();
	const { openLedger, closeLedgers } = await import('../../nodes/shared/ledger/index.ts');

	const [name, countText, sharedText] = process.argv.slice(2);
	const count = Number(countText);
	const shared = Number(sharedText);

	process.stdout.write('READY\n');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

	const errors: string[] = [];
	let added = 0;
	const ledger = await openLedger();
	const started = performance.now();
	const step = Math.max(1, Math.floor(count / Math.max(1, shared)));
	for (let index = 0; index < count; index++) {
		const jobs = [{ provider: 'eyeQuant' as const, account: 'multi-process-account', jobId: `${name}-${index}` }];
		if (index % step === 0 && index / step < shared) jobs.push({ ...jobs[0], jobId: `shared-${index / step}` });
		try {
			added += await ledger.register(jobs);
		} catch (error) {
			errors.push(error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error));
		}
	}
	await closeLedgers();
	process.stdout.write(`${JSON.stringify({ name, registered: count, added, errors, ms: Math.round(performance.now() - started) })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
