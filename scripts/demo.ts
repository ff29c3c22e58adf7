/**
 * `npm run demo`: no keys, no setup. Builds and packs this package, installs it into a throwaway
 * n8n (the pinned version, installed once into ~/.cache), starts the provider sandbox, runs every
 * example workflow headlessly, publishes the Visual AI Trigger example for its first poll, and
 * prints what came out. The archived images stay in demo-output/.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEFAULT_PORT, startSandbox } from '../sandbox/server.ts';
import { prepareInstance } from './lib/harness.ts';
import type { Instance } from './lib/harness.ts';
import type { Example } from './lib/examples.ts';
import { describeFailure, nodeItems } from './lib/n8n.ts';
import { isPortFree } from './lib/proc.ts';
import { findRepoRoot } from './lib/repo.ts';
import { N8nRest } from './lib/rest.ts';
import { summarize } from './lib/summary.ts';

/** Folders under demo-output/ that each demo run starts afresh (npm start keeps its own there). */
const DEMO_FOLDERS = ['eyequant-maps', 'visual-ai-archive'];
const TRIGGER_WAIT_MS = 90_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

function title(example: Example): string {
	return example.workflow.name.replace(/^Visual AI \d+ · /, '');
}

async function main(): Promise<number> {
	const started = performance.now();
	const root = findRepoRoot();
	const outputDir = path.join(root, 'demo-output');
	for (const folder of DEMO_FOLDERS) rmSync(path.join(outputDir, folder), { recursive: true, force: true });
	mkdirSync(outputDir, { recursive: true });
	const work = mkdtempSync(path.join(tmpdir(), 'visual-ai-demo-'));
	const userFolder = path.join(work, 'user');

	const sandbox = await startSandbox({ port: (await isPortFree(DEFAULT_PORT)) ? DEFAULT_PORT : 0 });
	let failures = 0;
	try {
		say(`n8n-nodes-visual-ai demo — provider sandbox on ${sandbox.url} (no real API keys needed)`);
		const instance = await prepareInstance({ root, userFolder, filesDir: outputDir, sandbox, progress });
		say(`n8n ${path.basename(instance.n8n.install.dir).replace('n8n-', '')} with the pack installed as a community package; running the examples:`);
		for (const example of instance.examples.filter((candidate) => !candidate.isTrigger)) {
			failures += await runExample(instance, example, { userFolder, outputDir, root });
		}
		const trigger = instance.examples.find((candidate) => candidate.isTrigger);
		if (trigger) failures += await runTrigger(instance, trigger, { outputDir, root });
	} finally {
		await sandbox.close();
		rmSync(work, { recursive: true, force: true });
	}
	say();
	say(failures === 0 ? `Done in ${((performance.now() - started) / 1000).toFixed(0)} s.` : `${failures} example(s) failed (see above).`);
	say(`Images: ${path.relative(root, outputDir)}/ · click around in the same n8n: npm start (http://localhost:5678)`);
	return failures === 0 ? 0 : 1;
}

async function runExample(instance: Instance, example: Example, where: { userFolder: string; outputDir: string; root: string }): Promise<number> {
	say();
	say(`▸ ${example.file.replace(/\.json$/, '')} — ${title(example)}`);
	const result = await instance.n8n.execute(example.workflow.id);
	if (result.execution?.status !== 'success') {
		say(`  FAILED: ${describeFailure(result)}`);
		return 1;
	}
	for (const line of summarize(example.workflow.id, { execution: result.execution, ...where })) say(`  ${line}`);
	return 0;
}

/** Publishes the trigger example in `n8n start`; n8n polls once when it publishes. */
async function runTrigger(instance: Instance, example: Example, where: { outputDir: string; root: string }): Promise<number> {
	say();
	say(`▸ ${example.file.replace(/\.json$/, '')} — ${title(example)}`);
	const server = await instance.n8n.start();
	try {
		const rest = new N8nRest(server.url, instance.n8n.install.dir);
		await rest.signIn();
		await rest.activate(example.workflow.id);
		const triggerNode = example.workflow.nodes.find((node) => node.type.endsWith('.visualAiTrigger'));
		const deadline = Date.now() + TRIGGER_WAIT_MS;
		for (;;) {
			const runs = await rest.finishedExecutions(example.workflow.id);
			const failed = runs.find((run) => run.execution.status !== 'success');
			if (failed) {
				say(`  FAILED: trigger execution ${failed.id}: ${JSON.stringify(failed.execution.data.resultData.error ?? failed.execution.status)}`);
				return 1;
			}
			const jobs = runs.flatMap((run) => nodeItems(run.execution, triggerNode?.name ?? ''));
			if (jobs.length > 0) {
				say(`  published in n8n start; its first poll emitted the ${jobs.length} finished job(s) the job ledger knew:`);
				for (const job of jobs) {
					const scores = job.json.clarityScore === undefined ? '' : `, clarity ${String(job.json.clarityScore)}, excitingness ${String(job.json.excitingnessScore)}`;
					say(`  ${String(job.json.provider)} ${String(job.json.jobId)}: ${String(job.json.status)}${scores}`);
				}
				say(`  files written by Write Files from Disk:`);
				for (const file of listFiles(path.join(where.outputDir, 'visual-ai-archive'))) say(`    ${path.relative(where.root, file)}`);
				return 0;
			}
			if (Date.now() > deadline) {
				say(`  FAILED: no execution of the trigger workflow after ${TRIGGER_WAIT_MS / 1000} s`);
				return 1;
			}
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	} finally {
		await server.stop();
	}
}

function listFiles(dir: string): string[] {
	try {
		return readdirSync(dir).flatMap((name) => {
			const full = path.join(dir, name);
			return statSync(full).isDirectory() ? listFiles(full) : [full];
		});
	} catch {
		return [];
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`\nThe demo could not run: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	},
);
