/**
 * The e2e runs n8n with its SSRF protection on, as a careful operator would: the private, loopback
 * and link-local ranges blocked (`default`), the sandbox's address allowed. Archive Outputs then
 * gets a link to the sandbox and one to an "internal service" on another loopback address: the
 * first is archived, the second refused on the item, and the internal service sees no request.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../sandbox/server.ts';
import type { Instance } from '../../scripts/lib/harness.ts';
import { describeFailure, nodeItems } from '../../scripts/lib/n8n.ts';

/** n8n's own variables (read by every n8n process the e2e starts; they inherit this environment). */
export const SSRF_POLICY = {
	N8N_SSRF_PROTECTION_ENABLED: 'true',
	N8N_SSRF_BLOCKED_IP_RANGES: 'default',
	N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32',
};

const BLOCKED_ADDRESS = '127.0.0.2';
const WORKFLOW_ID = 'vaiE2eSsrfArchv';

/** A server on a blocked loopback address that counts the requests reaching it. */
export async function startInternalService(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
	const requests: string[] = [];
	const server = createServer((req, res) => {
		requests.push(req.url ?? '/');
		res.writeHead(200, { 'content-type': 'text/plain' });
		res.end('internal secret\n');
	});
	await new Promise<void>((resolve) => server.listen(0, BLOCKED_ADDRESS, resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${BLOCKED_ADDRESS}:${port}`,
		requests,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

function workflow(sandboxUrl: string, internalUrl: string): object {
	const outputs = { design: `${sandboxUrl}/files/design.png`, internal: `${internalUrl}/latest/meta-data/credentials` };
	return {
		id: WORKFLOW_ID,
		name: 'e2e · Archive Outputs under n8n SSRF protection',
		active: false,
		connections: {
			Start: { main: [[{ node: 'Links', type: 'main', index: 0 }]] },
			Links: { main: [[{ node: 'Archive', type: 'main', index: 0 }]] },
		},
		nodes: [
			{ id: '6f1e8a0c-00e2-4c1a-9d51-000000000f01', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '6f1e8a0c-00e2-4c1a-9d51-000000000f02',
				name: 'Links',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ outputs }), options: {} },
			},
			{
				id: '6f1e8a0c-00e2-4c1a-9d51-000000000f03',
				name: 'Archive',
				type: 'n8n-nodes-visual-ai.archiveOutputs',
				typeVersion: 1,
				position: [440, 0],
				onError: 'continueRegularOutput',
				parameters: {},
			},
		],
		settings: { executionOrder: 'v1' },
	};
}

/** Imports and runs the workflow with `n8n execute`; checks the archived file, the refusal on the item, and zero requests inside. */
export async function runSsrfScenario(input: { instance: Instance; sandbox: Sandbox; work: string; output: string[] }): Promise<string> {
	const internal = await startInternalService();
	try {
		const dir = path.join(input.work, 'ssrf-workflow');
		mkdirSync(dir, { recursive: true });
		const file = path.join(dir, 'ssrf.json');
		writeFileSync(file, JSON.stringify(workflow(input.sandbox.url, internal.url), null, 2));
		await input.instance.n8n.cli(['import:workflow', `--input=${file}`]);
		const result = await input.instance.n8n.execute(WORKFLOW_ID);
		input.output.push(result.stdout, result.stderr);
		assert.equal(result.execution?.status, 'success', describeFailure(result));
		const [item] = nodeItems(result.execution, 'Archive');
		assert.ok(item, 'Archive Outputs gave no item');
		assert.deepEqual(Object.keys(item.binary ?? {}), ['design'], 'the sandbox link (allowed) is archived, nothing else');
		const failed = item.json.failedUrls as Array<{ field: string; error: string }> | undefined;
		assert.equal(failed?.length, 1, JSON.stringify(item.json));
		assert.equal(failed[0].field, 'outputs.internal');
		assert.match(failed[0].error, /^n8n's SSRF protection refused outputs\.internal \(http:\/\/127\.0\.0\.2:\d+\/latest\/meta-data\/credentials\): /);
		assert.match(String(item.json.errorDescription), /^The target 127\.0\.0\.2 is not allowed\. .*N8N_SSRF_ALLOWED_IP_RANGES/);
		assert.deepEqual(internal.requests, [], 'a request reached the blocked address');
		return failed[0].error;
	} finally {
		await internal.close();
	}
}
