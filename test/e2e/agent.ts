/**
 * n8n's AI Agent really uses the pack's tools: a workflow (test/e2e/workflows/agent-eyequant.json)
 * with the AI Agent node, its chat model an OpenAI credential whose base URL is a scripted model on
 * loopback, and the EyeQuant node as its tool. Turn 1 the model calls the tool with an image URL and
 * "wait for completion"; turn 2 it answers quoting the clarity score the tool returned.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../sandbox/server.ts';
import type { Instance } from '../../scripts/lib/harness.ts';
import { describeFailure, nodeItems } from '../../scripts/lib/n8n.ts';
import { messageText, startScriptedModel } from './model-server.ts';
import type { ChatRequest, ScriptedAnswer } from './model-server.ts';

export const AGENT_WORKFLOW = 'vaiE2eAgentEyeQt';
const MODEL_CREDENTIAL = { id: 'vaiE2eScriptModl', name: 'Scripted model (loopback)', type: 'openAiApi' };

/** The last tool result the model was shown, as text. */
function toolResult(request: ChatRequest): string {
	const message = [...request.messages].reverse().find((candidate) => candidate.role === 'tool');
	return message ? messageText(message) : '';
}

/** Runs the scenario; returns the screenshot id of the analysis the tool submitted (recorded in the ledger, so the EyeQuant Trigger emits it too, with the same maps as example 1's). */
export async function runAgentScenario(instance: Instance, sandbox: Sandbox, work: string, note: (line: string) => void): Promise<string> {
	// Dimensions no example uses, so the sandbox's log shows the one download the tool made for the model.
	const imageUrl = `${sandbox.url}/files/design.png?width=321&height=123`;
	const model = await startScriptedModel((request, turn): ScriptedAnswer => {
		if (turn === 1) {
			const tool = request.tools?.find((candidate) => /eyequant/i.test(candidate.function.name));
			if (!tool) throw new Error(`the agent offered no EyeQuant tool: ${JSON.stringify(request.tools?.map((t) => t.function.name))}`);
			return { toolCalls: [{ name: tool.function.name, arguments: { imageUrl, waitMode: 'poll' } }] };
		}
		const score = /"clarityScore":\s*(\d+(?:\.\d+)?)/.exec(toolResult(request))?.[1];
		return { content: score ? `The design's clarity score is ${score}.` : 'The tool gave me no clarity score.' };
	});
	try {
		const credentials = path.join(work, 'scripted-model-credential.json');
		writeFileSync(credentials, JSON.stringify([{ ...MODEL_CREDENTIAL, data: { apiKey: 'sk-scripted-model', url: model.baseUrl } }]));
		await instance.n8n.cli(['import:credentials', `--input=${credentials}`]);
		const before = sandbox.requests({ method: 'POST', provider: 'eyeQuant' }).length;
		const result = await instance.n8n.execute(AGENT_WORKFLOW);
		assert.equal(result.execution?.status, 'success', describeFailure(result));
		const runData = result.execution.data.resultData.runData;

		// The tool ran once, with the arguments the model chose.
		assert.equal(runData.EyeQuant?.length, 1, `the EyeQuant tool ran ${runData.EyeQuant?.length ?? 0} times`);
		const downloads = sandbox.requests({ provider: 'files' }).filter((entry) => entry.query.width === '321');
		assert.equal(downloads.length, 1, 'the tool fetched the image URL the model gave, once');
		assert.equal(sandbox.requests({ method: 'POST', provider: 'eyeQuant' }).length - before, 1, 'one analysis submitted');

		// The model was shown the finished scores (Wait for the Result → Poll Until Done), simplified: no raw, no signed links.
		assert.equal(model.requests.length, 2, `the model was asked ${model.requests.length} times`);
		const shown = toolResult(model.requests[1]);
		assert.match(shown, /"status":\s*"success"/, `the tool result the model saw: ${shown.slice(0, 400)}`);
		assert.match(shown, /"clarityScore":\s*\d+/);
		assert.doesNotMatch(shown, /"raw"/, 'Simplify (default for tools) leaves out raw');
		assert.doesNotMatch(shown, /X-Amz-Signature/i, 'Simplify leaves out signed links');

		// The agent's answer carries the score.
		const score = /"clarityScore":\s*(\d+(?:\.\d+)?)/.exec(shown)?.[1];
		const [answer] = nodeItems(result.execution, 'AI Agent');
		assert.equal(answer?.json.output, `The design's clarity score is ${score}.`);
		note(`AI Agent: 2 model turns, 1 EyeQuant tool call; answer: ${String(answer?.json.output)}`);
		const screenshotId = /"screenshotId":\s*"([^"]+)"/.exec(shown)?.[1];
		assert.ok(screenshotId, 'the tool result has the screenshot id');
		return screenshotId;
	} finally {
		await model.close();
	}
}
