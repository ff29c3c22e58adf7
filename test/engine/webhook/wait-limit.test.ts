import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRunExecutionData } from 'n8n-workflow';
import type { INodeExecutionData, Logger } from 'n8n-workflow';

import { ImageIntelligence } from '../../../nodes/ImageIntelligence/ImageIntelligence.node';
import { Pique } from '../../../nodes/Pique/Pique.node';
import { openLedger } from '../../../nodes/shared/ledger';
import { WAIT_LIMIT_BACKSTOP_MS, WAIT_LIMIT_HEADER, isN8nServer, sweepWaitLimits } from '../../../nodes/shared/webhooks/wait-limit';
import { runNode } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import type { WebhookServer } from '../../helpers/webhook-server';
import { JUDGES, judge } from '../pique/helpers';
import { useTempLedger } from '../trigger/helpers';
import { useWebhookServers } from './helpers';

const sandboxRef = useSandbox({ piqueProcessingMs: 60_000, imageIntelligenceProcessingMs: 60_000 });
useTempLedger();
const startServer = useWebhookServers();
const pique = new Pique();
const imageIntelligence = new ImageIntelligence();
/** A limit of 0.6 s (the editor asks for whole minutes; the node takes any positive number). */
const LIMIT_MINUTES = 0.01;

const piqueCredentials = (sandbox: Sandbox) => ({ piqueApi: { ...sandboxCredentials(sandbox).piqueApi, webhookSecret: sandbox.config().webhookSecret } });

interface Waiting {
	server: WebhookServer;
	executionId: string;
	nodeId: string;
	submitted: INodeExecutionData[];
}

/** Pique Social Media in Wait mode behind a loopback "n8n" for its resume URL; the execution is waiting when this returns. */
async function waitForPique(
	videoUrls: string[],
	settings: { onWaitLimit?: string; refuse?: Parameters<typeof startServer>[1]['refuse'] } = {},
): Promise<Waiting> {
	const sandbox = sandboxRef.current;
	const executionId = `exec-limit-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
	const nodeId = 'pique-limit-node';
	const credentials = piqueCredentials(sandbox);
	const server = await startServer(pique, { credentials, executionId, nodeId, resumesOnce: true, refuse: settings.refuse });
	const [submitted] = await runNode(pique, {
		parameters: {
			resource: 'evaluation',
			operation: 'evaluateSocialMedia',
			judge: judge(JUDGES.video),
			videoUrls,
			waitMode: 'callback',
			waitLimitMinutes: LIMIT_MINUTES,
			...(settings.onWaitLimit ? { onWaitLimit: settings.onWaitLimit } : {}),
		},
		credentials,
		executionId,
		nodeId,
		webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
		runExecutionData: createRunExecutionData({ resumeToken: 'resume-token-limit' }),
	});
	return { server, executionId, nodeId, submitted };
}

async function pastTheLimit(): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, LIMIT_MINUTES * 60_000 + 50));
}

function readsOf(sandbox: Sandbox, jobIds: string[]): number {
	return sandbox.requests({ method: 'GET', pathPrefix: '/pique/v1/evaluations/' }).filter((request) => jobIds.some((id) => request.path.includes(id))).length;
}

describe('Wait mode: when the limit passes without a call, the node checks every job once and resumes', () => {
	it('"Check Once, Then Output Pending Jobs": the sweeper calls the resume URL, each job is read once, and running jobs come out with their status', async () => {
		const sandbox = sandboxRef.current;
		const { server, executionId, nodeId, submitted } = await waitForPique(['https://youtube.com/shorts/limit-1', 'https://youtube.com/shorts/limit-2'], { onWaitLimit: 'pending' });
		const jobIds = submitted.map((item) => String(item.json.jobId));

		// Before the limit a sweep claims nothing, and a call with the sweeper's header is not believed.
		expect((await sweepWaitLimits()).claimed).toEqual([]);
		const early = await fetch(`${server.origin}/webhook-waiting/${executionId}`, { method: 'POST', headers: { [WAIT_LIMIT_HEADER]: '1' }, body: '{}' });
		expect(early.status).toBe(200);
		expect(server.executions).toHaveLength(0);

		await pastTheLimit();
		const readsBefore = readsOf(sandbox, jobIds);
		const sweep = await sweepWaitLimits();
		expect(sweep.claimed.map((due) => due.executionId)).toEqual([executionId]);
		expect(sweep.outcomes[executionId]).toBe(200);
		expect(server.executions).toHaveLength(1);
		expect(readsOf(sandbox, jobIds) - readsBefore).toBe(2);
		expect(server.executions[0].map((item) => item.json)).toEqual(
			jobIds.map((jobId) => ({ jobId, status: expect.stringMatching(/^(pending|processing)$/), waitLimitReached: true, waitLimit: expect.any(String) })),
		);
		expect(server.executions[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		// The wait is over: the ledger forgets it and the next sweep has nothing to call.
		expect(await (await openLedger()).waitLimit(executionId, nodeId)).toBeUndefined();
		expect((await sweepWaitLimits(undefined, Date.now() + 10 * 60_000)).claimed).toEqual([]);
	});

	it('a job that finished but whose call was lost comes out with its result (the one GET finds it)', async () => {
		const sandbox = sandboxRef.current;
		// The receiver is down for Pique's own calls: every try fails, so no callback ever arrives.
		const { server, executionId, submitted } = await waitForPique(['https://youtube.com/shorts/lost-call-pass'], {
			refuse: (request: IncomingMessage) => request.headers[WAIT_LIMIT_HEADER] === undefined,
		});
		const jobId = String(submitted[0].json.jobId);
		sandbox.advanceTime(60_000);
		await sandbox.webhooksIdle();
		expect(sandbox.webhookDeliveries.filter((delivery) => delivery.jobId === jobId).length).toBeGreaterThan(0);
		expect(server.executions).toHaveLength(0);

		await pastTheLimit();
		expect((await sweepWaitLimits()).outcomes[executionId]).toBe(200);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json).toMatchObject({ jobId, status: 'completed', passed: true });
		expect(server.executions[0][0].json.waitLimitReached).toBeUndefined();
	});

	it('"Check Once, Then Output Errors" (the default): each running job becomes an error item (n8n routes it to the error output when the node has one)', async () => {
		const { server, executionId, submitted } = await waitForPique(['https://youtube.com/shorts/err-1', 'https://youtube.com/shorts/err-2']);
		const jobIds = submitted.map((item) => String(item.json.jobId));
		await pastTheLimit();
		expect((await sweepWaitLimits()).outcomes[executionId]).toBe(200);
		// One output: n8n's own error-output handling moves items with `error` to the node's error output.
		expect(server.outputs[0]).toHaveLength(1);
		const items = server.executions[0];
		expect(items).toHaveLength(2);
		for (const [index, item] of items.entries()) {
			expect(Object.keys(item.json)).toEqual(['error']);
			expect(String(item.json.error)).toMatch(new RegExp(`^Pique evaluation ${jobIds[index]} was still (pending|processing) when the wait limit passed at \\d{4}-`));
			expect(item.error?.message).toBe(item.json.error);
			expect(item.error?.description).toContain('Raise "Limit Wait Time"');
		}
	});

	it('Image Intelligence Create: the same at the limit', async () => {
		const sandbox = sandboxRef.current;
		const executionId = `exec-ii-limit-${Date.now()}`;
		const nodeId = 'ii-limit-node';
		const credentials = { imageIntelligenceApi: sandboxCredentials(sandbox).imageIntelligenceApi };
		const server = await startServer(imageIntelligence, { credentials, executionId, nodeId, resumesOnce: true });
		await runNode(imageIntelligence, {
			parameters: {
				resource: 'ask',
				operation: 'create',
				question: 'Is the garage door open?',
				imageSource: 'url',
				imageUrls: { image: [{ url: `${sandbox.url}/files/design.png?answer=yes` }] },
				waitMode: 'callback',
				waitLimitMinutes: LIMIT_MINUTES,
				onWaitLimit: 'pending',
			},
			credentials,
			executionId,
			nodeId,
			webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
		});
		await pastTheLimit();
		expect((await sweepWaitLimits()).outcomes[executionId]).toBe(200);
		expect(server.executions[0][0].json).toMatchObject({ waitLimitReached: true, status: expect.any(String) });
	});

	it('a resume URL that answers 404 (the execution was deleted) ends the wait; one that cannot be reached is tried again later', async () => {
		const ledger = await openLedger();
		const notFound = createServer((_request, response) => {
			response.writeHead(404, { 'content-type': 'application/json' });
			response.end('{"message":"The execution does not exist."}');
		});
		await new Promise<void>((resolve) => notFound.listen(0, '127.0.0.1', resolve));
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const closedPort = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		try {
			const waiter = (executionId: string) => ({ executionId, nodeId: 'n', provider: 'pique' as const, account: 'a' });
			const job = [{ outputIndex: 0, itemIndex: 0, jobId: 'x' }];
			const { port } = notFound.address() as AddressInfo;
			await ledger.recordWait(waiter('exec-deleted'), job, { deadline: Date.now() - 1, resumeUrl: `http://127.0.0.1:${port}/webhook-waiting/exec-deleted?signature=t`, onLimit: 'error' });
			await ledger.recordWait(waiter('exec-unreachable'), job, { deadline: Date.now() - 1, resumeUrl: `http://127.0.0.1:${closedPort}/webhook-waiting/exec-unreachable?signature=t`, onLimit: 'error' });
			const warnings: string[] = [];
			const logger = { warn: (message: string) => warnings.push(message), debug: () => undefined, info: () => undefined, error: () => undefined, verbose: () => undefined } as unknown as Logger;
			const sweep = await sweepWaitLimits(logger);
			expect(sweep.outcomes).toEqual({ 'exec-deleted': 404, 'exec-unreachable': 'ECONNREFUSED' });
			expect(await ledger.waitLimit('exec-deleted', 'n')).toBeUndefined();
			expect(await ledger.waitLimit('exec-unreachable', 'n')).toBeDefined();
			expect(warnings).toEqual([expect.stringContaining('execution exec-unreachable passed, but its resume URL')]);
			expect(warnings.join('\n')).not.toContain('signature=t');
			// Claimed: the next sweep within a minute leaves it alone, a later one calls again.
			expect((await sweepWaitLimits(logger)).claimed).toEqual([]);
			expect((await sweepWaitLimits(logger, Date.now() + 61_000)).claimed.map((due) => due.executionId)).toEqual(['exec-unreachable']);
			await ledger.endWait('exec-unreachable', 'n');
		} finally {
			await new Promise<void>((resolve) => notFound.close(() => resolve()));
		}
	});

	it('late in the backstop, a job that cannot be read becomes an error item and every other job is still read', async () => {
		const sandbox = sandboxRef.current;
		const { server, executionId, nodeId, submitted } = await waitForPique(['https://youtube.com/shorts/unreadable-first', 'https://youtube.com/shorts/readable-second'], { onWaitLimit: 'pending' });
		const [unreadable, readable] = submitted.map((item) => String(item.json.jobId));
		// The limit passed long enough ago (past half the backstop): the sweeper's calls before then got 503s.
		const ledger = await openLedger();
		const jobs = await ledger.waitingJobs(executionId, nodeId);
		const limit = (await ledger.waitLimit(executionId, nodeId))!;
		await ledger.recordWait({ executionId, nodeId, provider: 'pique', account: jobs[0].account }, jobs, { ...limit, deadline: Date.now() - WAIT_LIMIT_BACKSTOP_MS * 0.6 });
		// The first job is gone at Pique for good (404); the second reads fine.
		sandbox.setFaults([{ match: { method: 'GET', path: new RegExp(unreadable) }, fault: { type: 'status', status: 404 } }]);
		try {
			expect((await sweepWaitLimits()).outcomes[executionId]).toBe(200);
		} finally {
			sandbox.setFaults([]);
		}
		const items = server.executions[0];
		expect(items).toHaveLength(2);
		expect(String(items[0].json.error)).toContain(`Pique evaluation ${unreadable} could not be read`);
		expect(items[1].json).toEqual({ jobId: readable, status: expect.stringMatching(/^(pending|processing)$/), waitLimitReached: true, waitLimit: expect.any(String) });
	});

	it.each(['the limit', 'the last callback'])('an input item that failed at submission (Continue On Fail) keeps its error item, in its place, when the execution resumes at %s', async (resumedBy) => {
		const sandbox = sandboxRef.current;
		const executionId = `exec-limit-partial-${Date.now()}`;
		const nodeId = 'pique-partial-node';
		const credentials = piqueCredentials(sandbox);
		const server = await startServer(pique, { credentials, executionId, nodeId, resumesOnce: true });
		const [submitted] = await runNode(pique, {
			parameters: {
				resource: 'evaluation',
				operation: 'evaluateSocialMedia',
				judge: judge(JUDGES.video),
				urlSource: 'item',
				videoUrl: '={{ $json.url }}',
				waitMode: 'callback',
				waitLimitMinutes: resumedBy === 'the limit' ? LIMIT_MINUTES : 60,
				onWaitLimit: 'pending',
			},
			input: [{ json: { url: 'not a link' } }, { json: { url: 'https://youtube.com/shorts/partial-ok-pass' } }],
			continueOnFail: true,
			credentials,
			executionId,
			nodeId,
			webhookWaitingBaseUrl: `${server.origin}/webhook-waiting`,
			runExecutionData: createRunExecutionData({ resumeToken: 'resume-token-partial' }),
		});
		// Before the wait: the first input item's error item, then the job item.
		expect(submitted).toHaveLength(2);
		expect(submitted[0].json.error).toEqual(expect.stringContaining('not an http(s) video link'));

		if (resumedBy === 'the limit') {
			await pastTheLimit();
			expect((await sweepWaitLimits()).outcomes[executionId]).toBe(200);
		} else {
			sandbox.advanceTime(60_000);
			await sandbox.webhooksIdle();
		}
		// After: still one item per input item, the error item as it was (n8n replaced the node's output with these).
		const resumed = server.executions[0];
		expect(resumed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(resumed[0]).toEqual({ json: submitted[0].json, pairedItem: { item: 0 } });
		expect(resumed[1].json).toMatchObject(resumedBy === 'the limit' ? { waitLimitReached: true } : { status: 'completed', passed: true });
	});

	it('a wait whose backstop passed (n8n resumed the execution itself) is never called again, and such waits do not crowd out due ones', async () => {
		const ledger = await openLedger();
		// What answers the resume URL later: the execution went on and now waits at a Wait node "On Webhook Call"
		// (n8n's resume token is per execution), or its URL fails for good. Every POST resumes something.
		const posts: string[] = [];
		const later = createServer((request, response) => {
			posts.push(String(request.url));
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end('{"message":"Workflow was started"}');
		});
		await new Promise<void>((resolve) => later.listen(0, '127.0.0.1', resolve));
		const { port } = later.address() as AddressInfo;
		try {
			const job = [{ outputIndex: 0, itemIndex: 0, jobId: 'x' }];
			const waiter = (executionId: string) => ({ executionId, nodeId: 'n', provider: 'pique' as const, account: 'a' });
			const pastBackstop = Date.now() - WAIT_LIMIT_BACKSTOP_MS - 60_000;
			const stale = Array.from({ length: 20 }, (_, index) => `exec-stale-${index}`);
			for (const [index, executionId] of stale.entries()) {
				await ledger.recordWait(waiter(executionId), job, { deadline: pastBackstop - index, resumeUrl: `http://127.0.0.1:${port}/webhook-waiting/${executionId}?signature=t`, onLimit: 'error' });
			}
			await ledger.recordWait(waiter('exec-due-now'), job, { deadline: Date.now() - 1, resumeUrl: `http://127.0.0.1:${port}/webhook-waiting/exec-due-now?signature=t`, onLimit: 'error' });

			await sweepWaitLimits();
			expect(posts).toEqual(['/webhook-waiting/exec-due-now?signature=t']);
			for (const executionId of stale) expect(await ledger.waitLimit(executionId, 'n')).toBeUndefined();
		} finally {
			for (let index = 0; index < 20; index++) await ledger.endWait(`exec-stale-${index}`, 'n');
			await ledger.endWait('exec-due-now', 'n');
			await new Promise<void>((resolve) => later.close(() => resolve()));
		}
	});

	it('runs only in long-running n8n processes (start, worker, webhook), never in `n8n execute` or tests', () => {
		expect(isN8nServer(['/usr/bin/node', '/usr/local/bin/n8n'])).toBe(true);
		expect(isN8nServer(['/usr/bin/node', '/app/node_modules/n8n/bin/n8n', 'start'])).toBe(true);
		expect(isN8nServer(['/usr/bin/node', '/app/node_modules/n8n/bin/n8n', 'worker'])).toBe(true);
		expect(isN8nServer(['/usr/bin/node', '/app/node_modules/n8n/bin/n8n', 'webhook'])).toBe(true);
		expect(isN8nServer(['/usr/bin/node', '/app/node_modules/n8n/bin/n8n', 'execute', '--id', '1'])).toBe(false);
		expect(isN8nServer(process.argv)).toBe(false);
	});
});
