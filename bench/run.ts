/**
 * `npm run bench [-- --runs N --scenario one-gib,many-mib]`: Archive Outputs inside the real n8n
 * against its floors — n8n's Read Files from Disk node reading the same bytes from local disk (what
 * n8n's binary store costs), a bare undici download to a file and curl (the network) — and against
 * n8n's HTTP Request node (bench/n8n-archive.ts). Prints a Markdown table and the targets (issue 17).
 * Takes a few minutes and about 2 GiB of free disk space.
 *
 * For debugging and profiling: `--contenders archive,readFiles` runs only those (and the empty
 * workflow); `--scale 0.0625` shrinks the scenarios (64 MiB, 12 × 1 MiB); `--node-options "…"` is
 * added to NODE_OPTIONS for every `n8n execute` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; Node
 * refuses `--trace-gc` there, so for a GC trace `--require` a file that calls
 * `v8.setFlagsFromString('--trace-gc')`: its lines land in stdout before the execution JSON).
 * The other benchmarks in bench/ run on their own (see the header of each file).
 */
import { CONTENDER_IDS, benchArchiveInN8n } from './n8n-archive.ts';
import type { ContenderId, ScenarioId } from './n8n-archive.ts';

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
	const contenders = option('contenders')?.split(',').map((id) => id.trim());
	for (const id of contenders ?? []) {
		if (!(CONTENDER_IDS as string[]).includes(id)) throw new Error(`unknown --contenders ${id} (${CONTENDER_IDS.join(', ')})`);
	}
	const scale = Number(option('scale') ?? 1);
	if (!(scale > 0 && scale <= 1)) throw new Error('--scale wants a number in (0, 1]');
	const table = await benchArchiveInN8n({
		runs,
		scenarios: scenarios as ScenarioId[],
		contenders: contenders as ContenderId[] | undefined,
		scale,
		nodeOptions: option('node-options'),
	});
	process.stdout.write(`\n${table}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
