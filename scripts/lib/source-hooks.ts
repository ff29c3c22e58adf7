/**
 * Lets a process run the pack's TypeScript sources directly (Node 24 type stripping), for the
 * benchmarks (bench/) and the test worker processes (test/ledger-workers/): the sources import
 * without extensions (tsc builds them), so `./x` resolves to `./x.ts` or `./x/index.ts`; and
 * n8n-core is CommonJS, so every importer gets n8n-workflow's CommonJS build, as inside n8n.
 * Call before the first (dynamic) import of a node source.
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

export function registerSourceHooks(): void {
	registerHooks({
		resolve(specifier, context, nextResolve) {
			if (specifier === 'n8n-workflow' || specifier.startsWith('n8n-workflow/')) {
				return nextResolve(specifier, { ...context, conditions: ['node', 'require', 'default'] });
			}
			const relative = specifier.startsWith('./') || specifier.startsWith('../');
			if (relative && context.parentURL?.endsWith('.ts') && !/\.[cm]?[jt]s$|\.json$/.test(specifier)) {
				const base = new URL(specifier, context.parentURL).href;
				for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
					if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate, context);
				}
			}
			return nextResolve(specifier, context);
		},
	});
}
