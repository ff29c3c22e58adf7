/**
 * EyeQuant in an AI agent's hands (n8n calls a node as a tool under the name `<node>Tool`): the
 * Image Source an agent can supply by default, submit-and-wait in one call, and Simplify on by
 * default so the model reads scores, not the provider's whole answer and signed links.
 */
import type { INodeType } from 'n8n-workflow';

import { EyeQuant } from '../../../nodes/EyeQuant/EyeQuant.node';
import { openLedger, accountId } from '../../../nodes/shared/ledger';
import { SANDBOX_KEYS } from '../../../sandbox/server';
import { binaryBytes, runNode } from '../../helpers/engine';
import { sandboxRunOptions, useSandbox } from '../../helpers/sandbox';
import { useTempLedger } from '../trigger/helpers';
import { expectRejection, runEyeQuant, served } from './helpers';

useTempLedger();
const sandbox = useSandbox({ eyeQuantProcessingMs: 100 });

/** The node as n8n's AI Agent gets it: the same node type, named `eyeQuantTool` (n8n's convertNodeToAiTool). */
function asTool(node: INodeType): INodeType {
	const tool = Object.create(node) as INodeType;
	tool.description = { ...node.description, name: `${node.description.name}Tool`, displayName: `${node.description.displayName} Tool` };
	return tool;
}

const eyeQuantTool = asTool(new EyeQuant());

async function runTool(parameters: Record<string, unknown>) {
	const [output] = await runNode(eyeQuantTool, sandboxRunOptions(sandbox.current, 'eyeQuantApi', parameters as never));
	return output;
}

describe('EyeQuant as an AI agent’s tool', () => {
	it('Image Source defaults to Image URL for the tool (an agent cannot hand over a file); the canvas node keeps Binary File', async () => {
		const s = sandbox.current;
		const imageUrl = `${s.url}/files/design.png?width=64&height=40`;
		const [submitted] = await runTool({ resource: 'analysis', operation: 'create', imageUrl });
		expect(submitted.json).toMatchObject({ screenshotId: expect.any(String), status: 'pending' });
		// The same parameters on the canvas node look for a file, as existing workflows expect.
		const error = await expectRejection(runEyeQuant(s, { resource: 'analysis', operation: 'create', imageUrl }));
		expect(error.message).toMatch(/binary|data/i);
	});

	it('Create with Wait for the Result → Poll Until Done: one call submits, waits and returns the finished scores and maps; the job is recorded for the trigger', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [done] = await runTool({
			resource: 'analysis',
			operation: 'create',
			imageUrl: `${s.url}/files/design.png?width=64&height=40`,
			predictions: ['attention', 'clarity'],
			waitMode: 'poll',
			pollInterval: 0.05,
			simplify: false,
		});
		expect(done.json).toMatchObject({ status: 'success', clarityScore: expect.any(Number), submittedAt: expect.any(String) });
		expect(s.requests({ provider: 'eyeQuant', method: 'POST' })).toHaveLength(1);
		expect(await binaryBytes(done, 'attentionMap')).toEqual(await served(String(done.json.attentionMap)));
		const ledger = await openLedger();
		const account = accountId(s.baseUrls.eyeQuant, SANDBOX_KEYS.eyeQuant.apiKey);
		expect(await ledger.get('eyeQuant', account, String(done.json.screenshotId))).toBeDefined();
	});

	it('Simplify (on by default for the tool): no raw, no signed links; scores, ids and binary maps stay. The canvas node keeps raw by default.', async () => {
		const s = sandbox.current;
		const parameters = {
			resource: 'analysis',
			operation: 'create',
			imageSource: 'url',
			imageUrl: `${s.url}/files/design.png?width=64&height=40`,
			predictions: ['attention', 'clarity'],
			waitMode: 'poll',
			pollInterval: 0.05,
		};
		const [simple] = await runTool(parameters);
		expect(simple.json).toMatchObject({ status: 'success', screenshotId: expect.any(String), clarityScore: expect.any(Number) });
		expect(simple.json).not.toHaveProperty('raw');
		expect(JSON.stringify(simple.json)).not.toMatch(/X-Amz-|Signature=/i);
		expect(Object.keys(simple.binary ?? {})).toContain('attentionMap');
		const [full] = await runEyeQuant(s, parameters);
		expect(full.json).toHaveProperty('raw');
		expect(String(full.json.attentionMap)).toMatch(/X-Amz-Signature=/);
	});
});
