/**
 * `npm start`: the demo's n8n to click around in. The pack installed as a community package, the
 * provider sandbox running beside it, the four sandbox credentials and the example workflows
 * imported, the editor on http://localhost:5678 (N8N_PORT to change it). The n8n user folder is
 * demo-output/n8n-user/, so workflows you edit survive a restart; the examples are imported only
 * when missing there. Ctrl+C stops n8n and the sandbox, and so does SIGTERM to this process or to the
 * `npm start` that ran it (npm passes the signal to its shell, which dies without passing it on, so
 * this process also stops when its parent goes away). START_OUTPUT_DIR replaces demo-output/ (tests).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_PORT, startSandbox } from '../sandbox/server.ts';
import { EXAMPLES_SANDBOX_ORIGIN } from './lib/examples.ts';
import { prepareInstance } from './lib/harness.ts';
import { isPortFree } from './lib/proc.ts';
import { findRepoRoot } from './lib/repo.ts';
import { DEMO_OWNER, N8nRest } from './lib/rest.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

async function main(): Promise<void> {
	const root = findRepoRoot();
	const outputDir = process.env.START_OUTPUT_DIR ? path.resolve(process.env.START_OUTPUT_DIR) : path.join(root, 'demo-output');
	const userFolder = path.join(outputDir, 'n8n-user');
	mkdirSync(userFolder, { recursive: true });
	const port = Number(process.env.N8N_PORT ?? 5678);
	if (!(await isPortFree(port))) {
		throw new Error(`port ${port} is taken (another n8n?). Stop it, or run N8N_PORT=5679 npm start`);
	}

	const sandbox = await startSandbox({ port: (await isPortFree(DEFAULT_PORT)) ? DEFAULT_PORT : 0 });
	const instance = await prepareInstance({ root, userFolder, filesDir: outputDir, sandbox, port, keepExistingWorkflows: true, progress });
	progress('n8n start');
	const server = await instance.n8n.start();
	const logFile = path.join(outputDir, 'n8n-start.log');
	const saveLog = () => writeFileSync(logFile, server.log());
	const rest = new N8nRest(server.url, instance.n8n.install.dir);
	await rest.signIn();

	say();
	say(`n8n is running with n8n-nodes-visual-ai: http://localhost:${port}`);
	say(`  log in as ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`);
	say(`  provider sandbox: ${sandbox.url} (credentials "EyeQuant (sandbox)", "Pique (sandbox)", ... point at it)`);
	say('  example workflows:');
	for (const example of instance.examples) say(`    http://localhost:${port}/workflow/${example.workflow.id}  ${example.workflow.name}`);
	say(`  files written by workflows land in ${path.relative(root, outputDir)}/; n8n's log: ${path.relative(root, logFile)}`);
	if (sandbox.url !== EXAMPLES_SANDBOX_ORIGIN) {
		say(`  note: port ${DEFAULT_PORT} was taken, so the sandbox is on ${sandbox.url}; the credentials point there, but`);
		say(`  example workflows imported in an earlier run still fetch their sample files from ${EXAMPLES_SANDBOX_ORIGIN}`);
	}
	say('Ctrl+C stops n8n and the sandbox.');

	let stopping = false;
	const stop = async (why = '') => {
		if (stopping) return;
		stopping = true;
		say(`\nstopping n8n and the sandbox…${why ? ` (${why})` : ''}`);
		await server.stop();
		saveLog();
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
	process.on('SIGHUP', () => void stop('the terminal closed'));
	// `npm start` stopped with SIGTERM: npm hands it to `sh -c`, which dies without passing it on,
	// and this process is re-parented. A new parent means whoever started us is gone.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) void stop('the process that started it ended');
	}, 500).unref();
	server.daemon.child.once('exit', (code) => {
		if (stopping) return;
		saveLog();
		process.stderr.write(`n8n stopped by itself (exit ${code}); see ${logFile}\n`);
		void sandbox.close().then(() => process.exit(1));
	});
	setInterval(saveLog, 5000).unref();
}

main().catch((error: unknown) => {
	process.stderr.write(`\nnpm start could not start n8n: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
