/**
 * `npm run bench [-- --runs N --scenario one-gib,many-mib]`: Archive Outputs against n8n's HTTP
 * Request node inside the real n8n, with curl as the floor (bench/n8n-archive.ts). Prints a
 * Markdown table and the targets. Takes a few minutes and about 1 GiB of free disk space.
 * The other benchmarks in bench/ run on their own (see the header of each file).
 */
import { benchArchiveInN8n } from './n8n-archive.ts';

function option(name: string): string | undefined {
	const args = process.argv.slice(2);
	const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
	if (index < 0) return undefined;
	const [, inline] = args[index].split('=', 2);
	return inline ?? args[index + 1];
}

async function main(): Promise<void> {
	const runs = Number(option('runs') ?? 3);
	if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs wants a whole number ≥ 1');
	const scenarios = (option('scenario') ?? 'one-gib,many-mib').split(',').map((id) => id.trim());
	for (const id of scenarios) {
		if (id !== 'one-gib' && id !== 'many-mib') throw new Error(`unknown --scenario ${id} (one-gib, many-mib)`);
	}
	const table = await benchArchiveInN8n({ runs, scenarios: scenarios as Array<'one-gib' | 'many-mib'> });
	process.stdout.write(`\n${table}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
