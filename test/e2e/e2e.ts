/**
 * `npm run test:e2e`: this package, packed and installed as a community package, inside a real n8n
 * (the pinned version, cached outside the repo), against the provider sandbox.
 *
 *   1. n8n found in the cache (installed once), `npm run build`, `npm pack`, `npm install <tgz>` in a
 *      temporary user folder's .n8n/nodes, the sandbox credentials and every example imported;
 *   2. every example that starts by hand run with `n8n execute --id … --rawOutput` and checked;
 *   3. `n8n start`: the editor's node and credential lists, the log, "Test credential" with a right and
 *      a wrong key, and the Visual AI Trigger example published until its executions show the jobs.
 * Every n8n process runs with n8n's SSRF protection on (the sandbox's address allowed; see ./ssrf.ts).
 *
 * Keeps the temporary folder when something failed (its path is printed), removes it otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { startSandbox } from '../../sandbox/server.ts';
import type { Sandbox } from '../../sandbox/server.ts';
import { loadExamples, SANDBOX_CREDENTIALS, sandboxCredentials } from '../../scripts/lib/examples.ts';
import { prepareInstance } from '../../scripts/lib/harness.ts';
import type { Instance } from '../../scripts/lib/harness.ts';
import { packProblems } from '../../scripts/lib/log-check.ts';
import { describeFailure, nodeItems } from '../../scripts/lib/n8n.ts';
import type { Execution, N8nServer } from '../../scripts/lib/n8n.ts';
import { PACK_CREDENTIAL_TYPES, PACK_NODE_TYPES, PACKAGE_NAME } from '../../scripts/lib/pack.ts';
import { findRepoRoot } from '../../scripts/lib/repo.ts';
import { N8nRest } from '../../scripts/lib/rest.ts';
import { runAgentScenario } from './agent.ts';
import { CHECKS } from './checks.ts';
import { runSsrfScenario, SSRF_POLICY } from './ssrf.ts';
import { assertPiqueItems, PIQUE_TRIGGER_WORKFLOW, piqueEmissions, runTriggerScenario, waitForPiqueJobs } from './trigger.ts';
import { assertLimitOutcome, assertScores, finishAndResume, startLimitExecution, startWaitingExecution } from './wait.ts';
import { EXPECTED_WEBHOOK_WARNINGS, runWebhookScenario } from './webhooks.ts';

// n8n's SSRF protection on for every n8n process below (they inherit this environment).
Object.assign(process.env, SSRF_POLICY);

const root = findRepoRoot();
const examples = loadExamples(root);
const MAP_BYTES = 1024 * 1024;
const PIQUE_PROCESSING_MS = 1500;

const work = mkdtempSync(path.join(tmpdir(), 'visual-ai-e2e-'));
const userFolder = path.join(work, 'user');
const filesDir = path.join(work, 'files');
let sandbox: Sandbox | undefined;
let instance: Instance | undefined;
let failed = false;
/** Everything n8n printed, for the log check. */
const n8nOutput: string[] = [];
/** Jobs the examples submitted (and registered with the ledger) before n8n start. */
const eyeQuantJobs: string[] = [];
const piqueJobs: string[] = [];

/** The triggers must emit every job an example submitted: collect their ids. */
function recordSubmittedJobs(execution: Execution): void {
	for (const item of nodeItems(execution, 'Score the design')) eyeQuantJobs.push(String(item.json.screenshotId));
	for (const item of nodeItems(execution, 'Upload to the judge')) piqueJobs.push(String(item.json.jobId));
}

function note(message: string): void {
	process.stderr.write(`  · ${message}\n`);
}

function current(): { sandbox: Sandbox; instance: Instance } {
	if (!sandbox || !instance) throw new Error('the setup did not finish');
	return { sandbox, instance };
}

describe(`${PACKAGE_NAME} inside a real n8n`, { timeout: 20 * 60_000 }, () => {
	afterEach((t) => {
		if ('passed' in t && !t.passed) failed = true;
	});

	before(async () => {
		failed = true;
		sandbox = await startSandbox({ port: 0, mapBytes: MAP_BYTES, eyeQuantProcessingMs: 1000, piqueProcessingMs: PIQUE_PROCESSING_MS });
		note(`sandbox on ${sandbox.url}; n8n user folder ${userFolder}`);
		instance = await prepareInstance({ root, userFolder, filesDir, sandbox, progress: note });
		// Workflows of the e2e alone (not examples): the Visual AI Trigger on Pique, the two webhook triggers, the AI Agent with the EyeQuant tool.
		await instance.n8n.cli(['import:workflow', '--separate', `--input=${path.join(root, 'test', 'e2e', 'workflows')}`]);
		note(
			`setup: ${Object.entries(instance.timings)
				.map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
				.join(', ')}`,
		);
		failed = false;
	});

	after(async () => {
		await sandbox?.close();
		if (failed) note(`kept for a look: ${work}`);
		else rmSync(work, { recursive: true, force: true });
	});

	test('the tarball installed into .n8n/nodes with its runtime dependencies (undici, zod) and no second n8n-workflow', () => {
		const { instance } = current();
		const modules = path.join(userFolder, '.n8n', 'nodes', 'node_modules');
		const installed = readdirSync(modules);
		assert.ok(installed.includes('undici') && installed.includes('zod'), `node_modules has ${installed.join(', ')}`);
		assert.ok(!installed.includes('n8n-workflow'));
		const version = (name: string) =>
			(JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8')) as { version: string }).version;
		assert.match(version('zod'), /^3\.25\./, 'zod must be the 3.25 line n8n-workflow declares as its peer');
		assert.ok(readdirSync(path.join(instance.packageDir, 'dist')).includes('nodes'));
	});

	for (const example of examples.filter((candidate) => !candidate.isTrigger)) {
		test(`example ${example.file}: n8n execute succeeds and every node delivers what it promises`, async (t) => {
			const { sandbox, instance } = current();
			const check = CHECKS[example.workflow.id];
			assert.ok(check, `test/e2e/checks.ts has no check for ${example.file} (${example.workflow.id})`);
			const result = await instance.n8n.execute(example.workflow.id);
			n8nOutput.push(result.stdout, result.stderr);
			t.diagnostic(`n8n execute: ${(result.wallMs / 1000).toFixed(1)} s, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
			assert.equal(result.execution?.status, 'success', describeFailure(result));
			assert.equal(result.code, 0, describeFailure(result));
			await check({ execution: result.execution, sandbox, userFolder, mapBytes: MAP_BYTES });
			recordSubmittedJobs(result.execution);
		});
	}

	test('an AI Agent (scripted OpenAI-compatible model on loopback) calls the EyeQuant tool once and answers with its finished score', async () => {
		const { sandbox, instance } = current();
		// The tool's analysis is recorded for the trigger like any other: the EyeQuant Trigger must emit it too.
		eyeQuantJobs.push(await runAgentScenario(instance, sandbox, work, note));
	});

	test("n8n's SSRF protection: Archive Outputs archives the sandbox link and refuses another loopback address on the item", async (t) => {
		const { sandbox, instance } = current();
		const refusal = await runSsrfScenario({ instance, sandbox, work, output: n8nOutput });
		t.diagnostic(refusal);
	});

	describe('n8n start', () => {
		let server: N8nServer | undefined;
		let rest: N8nRest | undefined;
		let piqueTriggerPublishedAt = Date.now();

		before(async () => {
			const { instance } = current();
			server = await instance.n8n.start();
			rest = new N8nRest(server.url, instance.n8n.install.dir);
			await rest.signIn();
		});

		after(async () => {
			await server?.stop();
		});

		const api = () => {
			if (!rest || !server) throw new Error('n8n start did not come up');
			return { rest, server };
		};

		test(`the editor lists the ${PACK_NODE_TYPES.length} nodes and the 4 credentials of the pack`, async () => {
			const { rest } = api();
			const nodes = (await rest.nodeTypes()).map((type) => type.name).filter((name) => name.startsWith(`${PACKAGE_NAME}.`));
			for (const name of PACK_NODE_TYPES) assert.ok(nodes.includes(name), `${name} is not loaded; loaded: ${nodes.join(', ')}`);
			const credentials = (await rest.credentialTypes()).map((type) => type.name);
			for (const name of PACK_CREDENTIAL_TYPES) assert.ok(credentials.includes(name), `credential type ${name} is not loaded`);
		});

		for (const type of Object.keys(SANDBOX_CREDENTIALS)) {
			test(`Test credential: ${type} accepts the sandbox key and refuses a wrong one`, async () => {
				const { rest } = api();
				const { sandbox } = current();
				const right = sandboxCredentials(sandbox).find((candidate) => candidate.type === type);
				assert.ok(right);
				const ok = await rest.testCredential(right);
				assert.equal(ok.status, 'OK', ok.message);
				const secretField = type === 'imageIntelligenceApi' ? 'clientSecret' : 'apiKey';
				const wrongSecret = 'not-the-right-key-123';
				const refused = await rest.testCredential({ ...right, data: { ...right.data, [secretField]: wrongSecret } });
				assert.equal(refused.status, 'Error', `a wrong ${secretField} passed the test`);
				assert.ok(!refused.message.includes(wrongSecret), 'the message must not repeat the key');
				// A helpful message names the provider and says what to do, not just "Unauthorized".
				assert.match(refused.message, /(EyeQuant|Pique|Image Forge|Image Intelligence) .*(again|Activate)/, refused.message);
			});
		}

		test('every example also runs from the editor ("Execute workflow": manual mode, n8n\'s default expression engine)', async () => {
			const { rest } = api();
			for (const example of examples.filter((candidate) => !candidate.isTrigger)) {
				const execution = await rest.waitForExecution(await rest.runManually(example.workflow.id, 'Start'));
				assert.equal(execution.status, 'success', `${example.file}: ${JSON.stringify(execution.data.resultData.error ?? {})}`);
				const ends = example.workflow.nodes.filter(
					(node) => !node.type.endsWith('.stickyNote') && !(node.name in example.workflow.connections),
				);
				const reached = ends.filter((node) => nodeItems(execution, node.name).length > 0);
				assert.ok(reached.length > 0, `${example.file}: no end node (${ends.map((node) => node.name).join(', ')}) produced items`);
				recordSubmittedJobs(execution);
			}
		});

		test('the Visual AI Trigger (an existing workflow\'s node) on Pique, published, emits the evaluations example 3 submitted', async () => {
			const { rest } = api();
			assert.ok(piqueJobs.length > 0, 'example 3 did not submit an evaluation');
			await rest.activate(PIQUE_TRIGGER_WORKFLOW);
			piqueTriggerPublishedAt = Date.now();
			assertPiqueItems(await waitForPiqueJobs(rest, piqueJobs, 60_000), piqueJobs);
		});

		const triggerExample = examples.find((example) => example.workflow.nodes.some((node) => node.type.endsWith('.eyeQuantTrigger')));
		test('the EyeQuant Trigger example, published, emits each finished job once, archived and written to disk', async () => {
			const { rest, server } = api();
			const { sandbox, instance } = current();
			assert.ok(triggerExample, 'examples/ has no workflow that starts with a polling trigger of the pack');
			await runTriggerScenario({
				rest,
				server,
				sandbox,
				instance,
				example: triggerExample,
				filesDir,
				userFolder,
				mapBytes: MAP_BYTES,
				note,
				n8nOutput,
				earlierJobs: eyeQuantJobs,
			});
		});

		test('the webhook triggers, published, take the sandbox\'s deliveries: one execution per job, forged → 401, retried → no second execution', async () => {
			const { rest, server } = api();
			const { sandbox } = current();
			await runWebhookScenario({ rest, server, sandbox, note });
		});

		let limitExecution: { executionId: string; startedAt: number } | undefined;

		test('Pique "wait until it calls back": the execution waits, survives an n8n restart, and resumes with the scores on the callback', async () => {
			const { sandbox, instance } = current();
			const before = api();
			const executionId = await startWaitingExecution(before.rest, before.server, sandbox);
			// A second waiting execution whose provider never calls: its limit (1 min) passes while n8n is down.
			limitExecution = await startLimitExecution(before.rest, before.server, sandbox);
			note(`executions ${executionId} and ${limitExecution.executionId} are waiting; stopping n8n until the limit of the second has passed`);
			n8nOutput.push(before.server.log());
			await before.server.stop();
			const downUntil = limitExecution.startedAt + 65_000;
			if (Date.now() < downUntil) await new Promise((resolve) => setTimeout(resolve, downUntil - Date.now()));
			server = await instance.n8n.start();
			rest = new N8nRest(server.url, instance.n8n.install.dir);
			await rest.signIn();
			const execution = await finishAndResume(rest, sandbox, executionId, PIQUE_PROCESSING_MS);
			// The Pique node recorded the evaluation in the ledger: the Pique trigger emits it too, once.
			piqueJobs.push(await assertScores(sandbox, execution));
		});

		test('a minute of scheduled polls later, the Pique trigger has emitted each evaluation still exactly once', async () => {
			const { rest } = api();
			// n8n polls every minute: past 62 s at least one scheduled poll ran after the first.
			const wait = piqueTriggerPublishedAt + 62_000 - Date.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			// The evaluation of the wait test finished moments ago: the next scheduled poll (≤ 1 min) emits it.
			await waitForPiqueJobs(rest, piqueJobs, 70_000);
			assertPiqueItems(await piqueEmissions(rest), piqueJobs);
		});

		test('when the wait limit passes without a call (while n8n was down), the pack reads the job once and the execution goes on with an error item on the error output', async () => {
			const { rest } = api();
			const { sandbox } = current();
			assert.ok(limitExecution, 'the limit execution was started by the wait test');
			try {
				await assertLimitOutcome(rest, sandbox, limitExecution);
			} finally {
				sandbox.configure({ imageIntelligenceProcessingMs: 1000 });
			}
		});

		test('n8n printed no warning or error about the pack (load, executions, editor)', () => {
			const { server } = api();
			// The forged and foreign deliveries of the webhook test are refused with a warning on purpose.
			const problems = packProblems([...n8nOutput, server.log()].join('\n')).filter((line) => !EXPECTED_WEBHOOK_WARNINGS.test(line));
			assert.deepEqual(problems, [], `n8n said:\n${problems.join('\n')}`);
			assert.ok(!server.log().includes('Failed to load package'), 'a package failed to load');
		});
	});
});
