/**
 * The sweeper's tick (sweepIfLedgerExists) as n8n's long-running processes run it every 15 s: it
 * sweeps only once the ledger exists, and must never make one. Each test loads the module afresh
 * (its "ledger seen" and "look again at" state is per process).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { freshDatabase, freshLedgerLocation, testBackend } from '../../helpers/ledger-backend';

type LedgerModule = typeof import('../../../nodes/shared/ledger');
type WaitLimitModule = typeof import('../../../nodes/shared/webhooks/wait-limit');

const before = process.env.N8N_VISUAL_AI_LEDGER;
afterEach(() => {
	if (before === undefined) delete process.env.N8N_VISUAL_AI_LEDGER;
	else process.env.N8N_VISUAL_AI_LEDGER = before;
});

async function freshModules(): Promise<{ ledger: LedgerModule; waitLimit: WaitLimitModule }> {
	let modules: { ledger: LedgerModule; waitLimit: WaitLimitModule } | undefined;
	await jest.isolateModulesAsync(async () => {
		modules = {
			ledger: await import('../../../nodes/shared/ledger'),
			waitLimit: await import('../../../nodes/shared/webhooks/wait-limit'),
		};
	});
	return modules!;
}

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

test('a tick with no ledger yet makes none (installing the pack creates no ledger)', async () => {
	const { ledger, waitLimit } = await freshModules();
	const file = path.join(mkdtempSync(path.join(tmpdir(), 'sweeper-')), 'ledger.sqlite');
	process.env.N8N_VISUAL_AI_LEDGER = file;
	await waitLimit.sweepIfLedgerExists();
	expect(existsSync(file)).toBe(false);
	expect(existsSync(path.dirname(file))).toBe(true);
	if (testBackend() === 'postgres') {
		const url = await freshDatabase();
		process.env.N8N_VISUAL_AI_LEDGER = url;
		const again = await freshModules();
		await again.waitLimit.sweepIfLedgerExists();
		const client = new Client({ connectionString: url });
		await client.connect();
		try {
			const { rows } = await client.query("SELECT count(*)::int AS schemas FROM pg_namespace WHERE nspname = 'visual_ai_ledger'");
			expect(rows).toEqual([{ schemas: 0 }]);
		} finally {
			await client.end();
		}
		await again.ledger.closeLedgers();
	}
	await ledger.closeLedgers();
});

test('a ledger database that cannot be reached when the sweeper looks is looked for again at the next tick, not ten minutes later', async () => {
	const { ledger, waitLimit } = await freshModules();
	const posts: string[] = [];
	const n8n = createServer((request, response) => {
		posts.push(String(request.url));
		response.writeHead(409, { 'content-type': 'application/json' });
		response.end('{"message":"The execution has finished already"}');
	});
	await new Promise<void>((resolve) => n8n.listen(0, '127.0.0.1', resolve));
	try {
		// n8n starts while the ledger's PostgreSQL is down (a restart of the database, containers started together).
		process.env.N8N_VISUAL_AI_LEDGER = `postgres://postgres@127.0.0.1:${await closedPort()}/ledger`;
		await waitLimit.sweepIfLedgerExists();

		// The database is back (here: the settings reach a ledger), holding a wait whose limit just passed.
		const location = await freshLedgerLocation();
		const opened = await ledger.openLedger(location);
		const { port } = n8n.address() as AddressInfo;
		await opened.recordWait({ executionId: 'exec-db-back', nodeId: 'n', provider: 'pique', account: 'a' }, [{ outputIndex: 0, itemIndex: 0, jobId: 'x' }], {
			deadline: Date.now() - 1,
			resumeUrl: `http://127.0.0.1:${port}/webhook-waiting/exec-db-back?signature=t`,
			onLimit: 'error',
		});
		await ledger.closeLedgers();
		process.env.N8N_VISUAL_AI_LEDGER = location;

		// The next tick (15 s later) must sweep: n8n's backstop fires 30 minutes after the limit.
		await waitLimit.sweepIfLedgerExists();
		expect(posts).toEqual(['/webhook-waiting/exec-db-back?signature=t']);
	} finally {
		await ledger.closeLedgers();
		await new Promise<void>((resolve) => n8n.close(() => resolve()));
	}
});
