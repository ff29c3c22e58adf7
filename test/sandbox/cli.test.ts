import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run sandbox` runs sandbox/cli.ts natively with Node 24 type stripping; this checks that the
 * files stay erasable TypeScript with .ts imports and that the CLI prints what it promises.
 */
const ROOT = join(__dirname, '..', '..');
const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node')) ? join(ROOT, 'node_modules', '.bin', 'node') : process.execPath;

it('starts with --port 0 under type stripping, prints URLs and keys, answers, and stops on SIGTERM', async () => {
	const child = spawn(NODE, ['--experimental-strip-types', '--no-warnings', 'sandbox/cli.ts', '--port', '0'], {
		cwd: ROOT,
		env: { ...process.env, SANDBOX_PORT: '' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	child.stderr.on('data', (c: Buffer) => (err += c.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	try {
		const deadline = Date.now() + 15_000;
		while (!/Ctrl\+C/.test(out)) {
			if (Date.now() > deadline || child.exitCode !== null) throw new Error(`CLI did not start: ${out}\n${err}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
		expect(url).toBeDefined();
		expect(out).toContain(`${url}/eyequant/v2`);
		expect(out).toContain(`${url}/imageintelligence/v2`);
		expect(out).toContain(`${url}/pique`);
		expect(out).toContain(`${url}/imageforge`);
		for (const key of ['eq-sandbox-key', 'ii-sandbox-client', 'ii-sandbox-secret', 'pq_sandbox_key', 'sk-sandbox-key']) expect(out).toContain(key);
		const denied = await fetch(`${url}/eyequant/v2/analyses/x`);
		expect(denied.status).toBe(401);
		const judges = await fetch(`${url}/pique/v1/judges?limit=1`, { headers: { 'x-api-key': 'pq_sandbox_key' } });
		expect(((await judges.json()) as { total: number }).total).toBe(3);
	} finally {
		child.kill('SIGTERM');
	}
	expect(await exited).toBe(0);
	expect(err).toBe('');
});
