/** This package as a user gets it: built, packed, and installed into an n8n user folder's nodes/. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { N8nInstall } from './n8n.ts';
import { runOk } from './proc.ts';
import { INSTALL_FLAGS } from './install-command.ts';

export const PACKAGE_NAME = 'n8n-nodes-visual-ai';

/** What n8n must list once the pack is loaded (node types get the package name as prefix). */
export const PACK_NODE_TYPES = [
	'eyeQuant',
	'imageIntelligence',
	'pique',
	'imageForge',
	'eyeQuantTrigger',
	'piqueTrigger',
	'visualAiTrigger',
	'archiveOutputs',
	'piqueWebhookTrigger',
	'imageIntelligenceTrigger',
].map((name) => `${PACKAGE_NAME}.${name}`);
export const PACK_CREDENTIAL_TYPES = ['eyeQuantApi', 'imageIntelligenceApi', 'piqueApi', 'imageForgeApi'];

/** npm run on Node 24: the cached n8n's Node first on PATH, so no engine warning and no Node 20. */
function npmEnv(install: N8nInstall): NodeJS.ProcessEnv {
	return { ...process.env, PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH ?? ''}` };
}

/** `npm run build` then `npm pack`; returns the .tgz path. */
export async function buildAndPack(root: string, install: N8nInstall, destination: string): Promise<string> {
	mkdirSync(destination, { recursive: true });
	const env = npmEnv(install);
	await runOk('npm', ['run', 'build', '--silent'], { cwd: root, env });
	// The build just ran; prepack would only run it again.
	const packed = await runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
		cwd: root,
		env,
	});
	const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
	return path.join(destination, info.filename);
}

/**
 * Installs the tarball the way n8n's own community-package installer does (Settings → Community
 * Nodes): into `<userFolder>/.n8n/nodes`, a folder with its own package.json, without install
 * scripts and without the peer dependency n8n-workflow (n8n provides its own copy; a second one
 * in nodes/node_modules would be a different class identity for NodeApiError & co.).
 */
export async function installPack(install: N8nInstall, userFolder: string, tarball: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`,
	);
	await runOk(
		'npm',
		['install', tarball, ...INSTALL_FLAGS, '--no-audit', '--no-fund', '--loglevel=error'],
		{ cwd: nodesDir, env: npmEnv(install) },
	);
	const installed = readdirSync(path.join(nodesDir, 'node_modules'));
	for (const name of [PACKAGE_NAME, 'undici', 'zod']) {
		if (!installed.includes(name)) throw new Error(`npm install of the pack did not install ${name} into ${nodesDir}`);
	}
	if (installed.includes('n8n-workflow')) throw new Error('npm installed a second n8n-workflow next to the pack');
	return path.join(nodesDir, 'node_modules', PACKAGE_NAME);
}

