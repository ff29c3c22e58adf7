/**
 * `npm run test:queue`: the pack in n8n's queue mode as on several hosts. Redis and PostgreSQL on
 * loopback (throw-away folders), n8n main and two `n8n worker` processes, each with its own user
 * folder and its own copy of the packed pack, no ledger setting (the ledger follows n8n onto
 * PostgreSQL by itself). Submits EyeQuant analyses and Pique uploads through executions that the
 * two workers share, kills a worker while it runs them and main while it polls, re-emits two
 * analyses, and checks from n8n's own executions that the published triggers emitted every
 * recorded job exactly once (re-emitted ones once more), maps archived in queue mode's binary mode.
 * Last, a Pique evaluation waits "Until Pique Calls Back" on a worker; no call comes, and at its
 * limit one of the three processes' sweepers resumes it through main, once.
 * Stops everything it started, also when it fails. Needs postgresql and redis-server (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import pg from 'pg';

import { startSandbox } from '../../sandbox/server.ts';
import type { Sandbox } from '../../sandbox/server.ts';
import { isPng } from '../../scripts/lib/binaries.ts';
import { sandboxCredentials } from '../../scripts/lib/examples.ts';
import { ensureN8n, nodeItems } from '../../scripts/lib/n8n.ts';
import type { Execution, Item, N8nInstall } from '../../scripts/lib/n8n.ts';
import { buildAndPack } from '../../scripts/lib/pack.ts';
import { runOk } from '../../scripts/lib/proc.ts';
import { findRepoRoot } from '../../scripts/lib/repo.ts';
import { N8nRest } from '../../scripts/lib/rest.ts';
import { hostOutput, killHost, prepareHost, startHost, startServices, stopHost } from './cluster.ts';
import type { Host, Services } from './cluster.ts';
import { startWaiting } from '../e2e/wait.ts';
import * as workflows from './workflows.ts';
import { IDS, NODES } from './workflows.ts';

const EYEQUANT_ANALYSES = 32;
const PIQUE_UPLOADS = 10;
const JUDGE = 'c0ffee00-0000-4000-8000-000000000001';

const root = findRepoRoot();
let sandbox: Sandbox | undefined;
let services: Services | undefined;
let install: N8nInstall | undefined;
const hosts: Host[] = [];
let rest: N8nRest | undefined;

function note(message: string): void {
	process.stderr.write(`  · ${message}\n`);
}

function ready() {
	const [main, worker1, worker2] = hosts;
	if (!sandbox || !services || !install || !rest || !main || !worker1 || !worker2) throw new Error('the set-up did not finish');
	return { sandbox, services, install, rest, main, worker1, worker2 };
}

async function cli(host: Host, args: string[]): Promise<void> {
	if (!install) throw new Error('n8n is not installed yet');
	await runOk(install.node, [install.bin, ...args], { cwd: path.join(host.userFolder, 'files'), env: host.env });
}

async function importWorkflow(host: Host, workflow: workflows.WorkflowFile): Promise<void> {
	const file = path.join(host.userFolder, `${workflow.id}.json`);
	writeFileSync(file, JSON.stringify(workflow));
	await cli(host, ['import:workflow', `--input=${file}`]);
}

/** Runs a workflow as the editor's "Execute workflow" does (offloaded to a worker) and waits for it. */
async function runOnWorkers(workflowId: string, count: number, parallel: number, afterStart?: (started: string[]) => Promise<void>) {
	const { rest } = ready();
	const started: string[] = [];
	const results: Array<{ id: string; execution?: Execution; error?: string }> = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			while (next < count) {
				next++;
				const id = await rest.runManually(workflowId, 'Start');
				started.push(id);
				if (afterStart) await afterStart(started);
				try {
					results.push({ id, execution: await rest.waitForExecution(id, 240_000) });
				} catch (error) {
					results.push({ id, error: (error as Error).message });
				}
			}
		}),
	);
	return results;
}

/** Execution ids each worker says it ran ("Worker started execution N"). */
function executionsRanBy(host: Host): Set<string> {
	return new Set([...hostOutput(host).matchAll(/Worker started execution (\d+)/g)].map((match) => match[1]));
}

/** The jobs the shared ledger recorded (PostgreSQL, schema visual_ai_ledger of n8n's database). */
async function ledgerJobs(provider: 'eyeQuant' | 'pique'): Promise<string[]> {
	const client = new pg.Client({ connectionString: ready().services.databaseUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ job_id: string }>('SELECT job_id FROM visual_ai_ledger.jobs WHERE provider = $1 ORDER BY job_id', [provider]);
		return rows.map((row) => row.job_id);
	} finally {
		await client.end();
	}
}

interface Emission {
	executionId: string;
	trigger: Item;
	archived?: Item;
}

/** Every item a published trigger emitted, from n8n's executions of its workflow. */
async function emissions(workflowId: string, triggerNode: string, archiveNode?: string): Promise<Emission[]> {
	const all: Emission[] = [];
	for (const { id, execution } of await ready().rest.finishedExecutions(workflowId)) {
		const trigger = nodeItems(execution, triggerNode);
		const archived = archiveNode ? nodeItems(execution, archiveNode) : [];
		trigger.forEach((item, index) => all.push({ executionId: id, trigger: item, archived: archived[index] }));
	}
	return all;
}

function countIds(list: Emission[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const { trigger } of list) counts.set(String(trigger.json.jobId), (counts.get(String(trigger.json.jobId)) ?? 0) + 1);
	return counts;
}

async function waitForEmissions(workflowId: string, triggerNode: string, expected: Map<string, number>, timeoutMs: number, archiveNode?: string) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await emissions(workflowId, triggerNode, archiveNode);
		const counts = countIds(list);
		if ([...expected].every(([id, times]) => (counts.get(id) ?? 0) >= times)) return list;
		if (Date.now() > deadline) {
			const missing = [...expected].filter(([id, times]) => (counts.get(id) ?? 0) < times).map(([id]) => id);
			assert.fail(`after ${timeoutMs / 1000} s ${workflowId} still lacks ${missing.length} job(s): ${missing.slice(0, 5).join(', ')}…`);
		}
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

describe('the pack in n8n queue mode, main and two workers as on separate hosts, ledger on PostgreSQL', { timeout: 25 * 60_000 }, () => {
	const submitted = { eyeQuant: [] as string[], pique: [] as string[] };

	before(async () => {
		sandbox = await startSandbox({ port: 0, eyeQuantProcessingMs: 500, piqueProcessingMs: 500 });
		services = await startServices();
		note(`sandbox ${sandbox.url}; PostgreSQL :${services.postgres.port}; Redis :${services.redisPort}; folders under ${services.work}`);
		install = await ensureN8n(root);
		const packDir = path.join(services.work, 'pack');
		mkdirSync(packDir, { recursive: true });
		const tarball = await buildAndPack(root, install, packDir);
		for (const [name, role] of [
			['main', 'main'],
			['worker-1', 'worker'],
			['worker-2', 'worker'],
		] as const) {
			hosts.push(await prepareHost(install, services, name, role, tarball));
		}
		const [main] = hosts;
		// As on separate hosts behind one address: every process builds resume URLs to main (webhooks run there).
		for (const host of hosts) host.env.WEBHOOK_URL = `http://127.0.0.1:${main.port}/`;
		const credentials = path.join(main.userFolder, 'credentials.json');
		writeFileSync(credentials, JSON.stringify(sandboxCredentials(sandbox)));
		await cli(main, ['import:credentials', `--input=${credentials}`]);
		for (const workflow of [
			workflows.submitEyeQuant(sandbox.url),
			workflows.submitPique(sandbox.url, JUDGE),
			workflows.eyeQuantTrigger(),
			workflows.piqueTrigger(),
			workflows.waitForPique(JUDGE),
		]) {
			await importWorkflow(main, workflow);
		}
		note('pack installed in 3 user folders; starting main and two workers');
		await Promise.all(hosts.map(async (host) => await startHost(install as N8nInstall, host)));
		rest = new N8nRest(`http://127.0.0.1:${main.port}`, install.dir);
		await rest.signIn();
	});

	after(async () => {
		for (const host of hosts) await stopHost(host).catch(() => undefined);
		await services?.stop();
		await sandbox?.close();
	});

	test(`${EYEQUANT_ANALYSES} EyeQuant analyses and ${PIQUE_UPLOADS} Pique uploads through executions on both workers; worker 1 SIGKILLed mid-run`, async () => {
		const { worker1, worker2, install } = ready();
		let killed = false;
		const eyeQuant = await runOnWorkers(IDS.submitEyeQuant, EYEQUANT_ANALYSES, 6, async (started) => {
			// Kill worker 1 while it runs executions (once it has started a few), then bring it back.
			if (killed || started.length < 8 || executionsRanBy(worker1).size < 2) return;
			killed = true;
			await killHost(worker1);
			note(`worker-1 SIGKILLed after ${started.length} submissions had started; restarting it`);
			await startHost(install, worker1);
		});
		const pique = await runOnWorkers(IDS.submitPique, PIQUE_UPLOADS, 4);
		assert.ok(killed, 'worker 1 was killed mid-run');
		for (const run of eyeQuant) if (run.execution?.status === 'success') submitted.eyeQuant.push(...nodeItems(run.execution, NODES.submitEyeQuant).map((item) => String(item.json.screenshotId)));
		for (const run of pique) if (run.execution?.status === 'success') submitted.pique.push(...nodeItems(run.execution, NODES.submitPique).map((item) => String(item.json.jobId)));
		const failed = [...eyeQuant, ...pique].filter((run) => run.execution?.status !== 'success');
		note(`${submitted.eyeQuant.length} analyses and ${submitted.pique.length} uploads succeeded; ${failed.length} execution(s) died with worker 1`);
		assert.ok(submitted.eyeQuant.length >= 30 - failed.length && submitted.eyeQuant.length >= 24, `analyses: ${submitted.eyeQuant.length}`);
		assert.equal(submitted.pique.length, PIQUE_UPLOADS);
		const ranBy1 = executionsRanBy(worker1);
		const ranBy2 = executionsRanBy(worker2);
		const succeeded = [...eyeQuant, ...pique].filter((run) => run.execution?.status === 'success').map((run) => run.id);
		assert.ok(succeeded.filter((id) => ranBy1.has(id)).length > 0, 'worker 1 ran some submissions');
		assert.ok(succeeded.filter((id) => ranBy2.has(id)).length > 0, 'worker 2 ran some submissions');
		note(`worker-1 ran ${succeeded.filter((id) => ranBy1.has(id)).length}, worker-2 ${succeeded.filter((id) => ranBy2.has(id)).length} of the successful submissions`);
		// Every job a successful execution returned is in the one ledger every host shares.
		const recorded = new Set(await ledgerJobs('eyeQuant'));
		for (const id of submitted.eyeQuant) assert.ok(recorded.has(id), `analysis ${id} is not in the ledger`);
		const recordedPique = new Set(await ledgerJobs('pique'));
		for (const id of submitted.pique) assert.ok(recordedPique.has(id), `upload ${id} is not in the ledger`);
	});

	test('published on main: the triggers emit every recorded job exactly once, maps archived in queue mode’s binary mode', async () => {
		const { rest } = ready();
		await rest.activate(IDS.eyeQuantTrigger);
		await rest.activate(IDS.piqueTrigger);
		const eyeQuantJobs = await ledgerJobs('eyeQuant');
		const piqueJobs = await ledgerJobs('pique');
		const list = await waitForEmissions(IDS.eyeQuantTrigger, NODES.eyeQuantTrigger, new Map(eyeQuantJobs.map((id) => [id, 1])), 180_000, NODES.archive);
		assert.deepEqual(Object.fromEntries(countIds(list)), Object.fromEntries(eyeQuantJobs.map((id) => [id, 1])));
		const piqueList = await waitForEmissions(IDS.piqueTrigger, NODES.piqueTrigger, new Map(piqueJobs.map((id) => [id, 1])), 180_000);
		assert.deepEqual(Object.fromEntries(countIds(piqueList)), Object.fromEntries(piqueJobs.map((id) => [id, 1])));
		const modes = new Set<string>();
		for (const { trigger, archived } of list) {
			assert.equal(trigger.json.status, 'success');
			const ref = archived?.binary?.attentionMap;
			assert.ok(ref?.id, `job ${String(trigger.json.jobId)}: no archived attention map`);
			modes.add(ref.id.split(':')[0]);
		}
		assert.deepEqual([...modes], ['database'], 'maps are in n8n’s database binary mode (queue mode’s default), readable by every host');
		const [first] = list;
		const bytes = await rest.binaryData(first.archived?.binary?.attentionMap.id ?? '');
		assert.ok(isPng(bytes), 'an archived map read back through n8n is a PNG');
		note(`${eyeQuantJobs.length} analyses and ${piqueJobs.length} evaluations emitted once each over ${new Set(list.map((one) => one.executionId)).size} + ${new Set(piqueList.map((one) => one.executionId)).size} trigger executions`);
	});

	test('main SIGKILLed while it polls: after its restart nothing is lost or emitted twice', async () => {
		const { sandbox, main, install } = ready();
		const fresh = await runOnWorkers(IDS.submitEyeQuant, 4, 4);
		const ids = fresh.flatMap((run) => (run.execution ? nodeItems(run.execution, NODES.submitEyeQuant).map((item) => String(item.json.screenshotId)) : []));
		assert.equal(ids.length, 4);
		// Slow status answers, so that the next scheduled poll is still running when main dies.
		sandbox.setFaults([{ match: { method: 'GET', path: /^\/eyequant\/v2\/analyses\/[^/]+$/ }, fault: { type: 'latency', ms: 2000 } }]);
		sandbox.clearLog();
		const deadline = Date.now() + 90_000;
		while (!sandbox.requests({ method: 'GET', pathPrefix: '/eyequant/v2/analyses/' }).some((entry) => ids.some((id) => entry.path.endsWith(id)))) {
			assert.ok(Date.now() < deadline, 'main did not poll within 90 s');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await killHost(main);
		note('main SIGKILLed in the middle of a poll; restarting it');
		sandbox.clearFaults();
		await startHost(install, main);
		await ready().rest.signIn();
		const expected = new Map((await ledgerJobs('eyeQuant')).map((id) => [id, 1]));
		const list = await waitForEmissions(IDS.eyeQuantTrigger, NODES.eyeQuantTrigger, expected, 180_000, NODES.archive);
		assert.deepEqual(Object.fromEntries(countIds(list)), Object.fromEntries(expected));
	});

	test('Job → Re-emit: the trigger emits the chosen analyses once more, and nothing else', async () => {
		const { main } = ready();
		const before = await emissions(IDS.eyeQuantTrigger, NODES.eyeQuantTrigger);
		const chosen = [...new Set(before.map((one) => String(one.trigger.json.jobId)))].slice(0, 2);
		await importWorkflow(main, workflows.reemit(chosen));
		const [run] = await runOnWorkers(IDS.reemit, 1, 1);
		if (run.execution?.status !== 'success') assert.fail(run.error ?? JSON.stringify(run.execution?.data.resultData.error));
		const [output] = nodeItems(run.execution, NODES.reemit);
		assert.deepEqual(output.json.reemitted, [...chosen].sort());
		const expected = new Map((await ledgerJobs('eyeQuant')).map((id) => [id, chosen.includes(id) ? 2 : 1]));
		const list = await waitForEmissions(IDS.eyeQuantTrigger, NODES.eyeQuantTrigger, expected, 150_000, NODES.archive);
		assert.deepEqual(Object.fromEntries(countIds(list)), Object.fromEntries(expected));
		for (const one of list.filter((entry) => chosen.includes(String(entry.trigger.json.jobId)))) assert.ok(one.archived?.binary?.attentionMap, 'a re-emitted analysis has its map again');
	});

	test('Wait mode across hosts: the execution waits, its limit passes without a call, one sweeper calls the resume URL, a worker goes on with the pending status', async () => {
		const { main, rest, sandbox, worker1, worker2 } = ready();
		// Pique holds the evaluation: no callback comes, the limit (1 minute) must pass.
		sandbox.configure({ piqueProcessingMs: 24 * 3_600_000 });
		try {
			const startedAt = Date.now();
			const executionId = await startWaiting(rest, `http://127.0.0.1:${main.port}`, { workflowId: IDS.waitForPique, path: workflows.WAIT_PATH, body: {} });
			note(`execution ${executionId} waits; its limit passes in a minute`);
			const execution = await rest.waitForExecution(executionId, 150_000);
			assert.equal(execution.status, 'success', JSON.stringify(execution.data.resultData.error ?? {}));
			const [item, ...more] = nodeItems(execution, 'After the wait');
			assert.equal(more.length, 0);
			assert.equal(item?.json.waitLimitReached, true, JSON.stringify(item?.json));
			assert.match(String(item.json.status), /^(pending|processing)$/);
			const stoppedAt = execution.stoppedAt ? Date.parse(execution.stoppedAt) : Date.now();
			assert.ok(stoppedAt - startedAt < 120_000, `resumed ${Math.round((stoppedAt - startedAt) / 1000)} s after the start: by a sweeper, not n8n's backstop`);
			// The three processes sweep the one ledger: one call reached the node (its webhook runs on main) and resumed it once.
			const resumed = hosts.flatMap((host) => [...hostOutput(host).matchAll(new RegExp(`${NODES.waitForPique}: the wait limit passed at`, 'g'))]);
			assert.equal(resumed.length, 1, `resumed ${resumed.length} time(s)`);
			assert.equal([...hostOutput(main).matchAll(/the wait limit passed at/g)].length, 1, 'on main');
			assert.ok(executionsRanBy(worker1).has(executionId) || executionsRanBy(worker2).has(executionId), 'a worker ran the execution');
		} finally {
			sandbox.configure({ piqueProcessingMs: 500 });
		}
	});
});
