/**
 * One n8n instance with this pack installed as a community package, the sandbox credentials and the
 * example workflows imported: what the e2e test, the demo and `npm start` all begin with.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../sandbox/server.ts';
import { EXAMPLE_OUTPUT_FOLDERS, forSandbox, loadExamples, sandboxCredentials } from './examples.ts';
import type { Example } from './examples.ts';
import { ensureN8n, n8n } from './n8n.ts';
import type { N8n } from './n8n.ts';
import { buildAndPack, installPack } from './pack.ts';
import { freePort } from './proc.ts';

export interface InstanceOptions {
	root: string;
	/** N8N_USER_FOLDER; created when missing. */
	userFolder: string;
	/** n8n's working folder and the only one its file nodes may touch. */
	filesDir: string;
	sandbox: Sandbox;
	/** Editor port for `n8n start` (default: a free one). */
	port?: number;
	/** Import only the examples that are not in the database yet (keeps a user's edits). */
	keepExistingWorkflows?: boolean;
	progress?: (message: string) => void;
}

export interface Instance {
	n8n: N8n;
	examples: Example[];
	/** Where the pack was installed: <userFolder>/.n8n/nodes/node_modules/n8n-nodes-visual-ai */
	packageDir: string;
	timings: Record<string, number>;
}

export async function prepareInstance(options: InstanceOptions): Promise<Instance> {
	const say = options.progress ?? (() => undefined);
	const timings: Record<string, number> = {};
	const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
		const started = performance.now();
		try {
			return await work();
		} finally {
			timings[label] = performance.now() - started;
		}
	};
	mkdirSync(options.userFolder, { recursive: true });
	mkdirSync(options.filesDir, { recursive: true });
	for (const folder of EXAMPLE_OUTPUT_FOLDERS) mkdirSync(path.join(options.filesDir, folder), { recursive: true });

	say(`n8n: finding n8n (installing it once into the cache if needed)`);
	const install = await timed('ensure n8n', () => ensureN8n(options.root));

	say('pack: npm run build + npm pack');
	const packDir = path.join(options.userFolder, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	const tarball = await timed('build + pack', () => buildAndPack(options.root, install, packDir));

	say(`pack: npm install ${path.basename(tarball)} into ${path.join(options.userFolder, '.n8n', 'nodes')}`);
	const packageDir = await timed('install pack', () => installPack(install, options.userFolder, tarball));

	const instance = n8n(install, {
		userFolder: options.userFolder,
		filesDir: options.filesDir,
		port: options.port ?? (await freePort()),
		brokerPort: await freePort(),
	});

	const importDir = path.join(options.userFolder, 'import');
	rmSync(importDir, { recursive: true, force: true });
	mkdirSync(path.join(importDir, 'workflows'), { recursive: true });

	say('n8n: import:credentials (the sandbox base URLs and keys)');
	const credentialsFile = path.join(importDir, 'credentials.json');
	writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials(options.sandbox), null, 2));
	await timed('import credentials', () => instance.cli(['import:credentials', `--input=${credentialsFile}`]));

	const examples = loadExamples(options.root).map((example) => ({
		...example,
		workflow: forSandbox(example.workflow, options.sandbox.url),
	}));
	const existing = options.keepExistingWorkflows ? await workflowIds(instance) : new Set<string>();
	const toImport = examples.filter((example) => !existing.has(example.workflow.id));
	if (toImport.length > 0) {
		say(`n8n: import:workflow ${toImport.map((example) => example.file).join(', ')}`);
		for (const example of toImport) {
			writeFileSync(path.join(importDir, 'workflows', example.file), JSON.stringify(example.workflow, null, 2));
		}
		await timed('import workflows', () =>
			instance.cli(['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`]),
		);
	}
	return { n8n: instance, examples, packageDir, timings };
}

async function workflowIds(instance: N8n): Promise<Set<string>> {
	if (!existsSync(path.join(instance.home.userFolder, '.n8n', 'database.sqlite'))) return new Set();
	const listed = await instance.cli(['list:workflow']);
	return new Set(
		listed.stdout
			.split('\n')
			.map((line) => /^([A-Za-z0-9]{1,21})\|/.exec(line.trim())?.[1])
			.filter((id): id is string => Boolean(id)),
	);
}

/** The version of the pack in the tarball that was installed. */
export function installedVersion(packageDir: string): string {
	return (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}
