/**
 * Runs one poll of the Visual AI Trigger in its own process, in a real n8n-core PollContext, so a
 * test can stop the process between polls or kill it in the middle of one (test/engine/trigger/durability.test.ts).
 * Usage: node --experimental-strip-types --no-warnings test/ledger-workers/poll.ts <request.json>
 * request: { parameters, credentials, staticData, nodeId, workflowId }. Environment: N8N_VISUAL_AI_LEDGER,
 * N8N_USER_FOLDER. Prints `POLLING` when the poll starts and, if it ends, one line `RESULT {json}`
 * with the emitted items' JSON (binary property names only) and the static data n8n would commit.
 */
import { readFileSync } from 'node:fs';

import { registerSourceHooks } from '../../scripts/lib/source-hooks.ts';

async function main(): Promise<void> {
	registerSourceHooks();
	const { pollContext } = await import('../helpers/engine.ts');
	const { VisualAiTrigger } = await import('../../nodes/VisualAiTrigger/VisualAiTrigger.node.ts');
	const { closeLedgers } = await import('../../nodes/shared/ledger/index.ts');

	const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
	const trigger = new VisualAiTrigger();
	const context = await pollContext(trigger, { ...request, mode: 'trigger', nodeName: 'Visual AI Trigger' });
	process.stdout.write('POLLING\n');
	const result = await trigger.poll.call(context);
	const items = (result?.[0] ?? []).map((item) => ({ json: item.json, binary: Object.keys(item.binary ?? {}) }));
	await closeLedgers();
	process.stdout.write(`RESULT ${JSON.stringify({ emitted: result !== null, items, staticData: request.staticData })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`poll failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
