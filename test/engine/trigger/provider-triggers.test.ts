/**
 * The EyeQuant Trigger and the Pique Trigger: one node type per provider over the one polling core,
 * listed in n8n's node panel with their action nodes; the Visual AI Trigger keeps working beside them.
 */
import { BINARY_ENCODING } from 'n8n-workflow';
import type { INodeProperties } from 'n8n-workflow';

import { EyeQuant } from '../../../nodes/EyeQuant/EyeQuant.node';
import { Pique } from '../../../nodes/Pique/Pique.node';
import { ledgerLocation } from '../../../nodes/shared/ledger';
import { fakeMp4 } from '../../../sandbox/fixtures';
import { SANDBOX_PIQUE_JUDGES } from '../../../sandbox/server';
import { binaryBytes, runNode } from '../../helpers/engine';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { served } from '../eyequant/helpers';
import { TRIGGER_TYPES, TriggerNode, counts, deliveries, ledgerDump, pollOnce, sleepMs, submitAnalyses, useTempLedger } from './helpers';

useTempLedger();
const sandbox = useSandbox({ hourMs: 600_000, eyeQuantProcessingMs: 150, piqueProcessingMs: 150 });

function optionNames(properties: INodeProperties[]): string[] {
	const options = properties.find((property) => property.name === 'options')?.options ?? [];
	return options.map((option) => ('name' in option ? option.name : '')).sort();
}

describe('one trigger per provider', () => {
	// First in this file: the ledger has no finished job yet, so the newest one is this one.
	it('Fetch Test Event, for an analysis no poll has seen finished yet: the first test event records the time, and later ones show the same', async () => {
		const [id] = await submitAnalyses(sandbox.current, 1);
		await sleepMs(400); // finished at the sandbox, never polled
		const [first] = (await pollOnce(sandbox.current, { type: 'eyeQuant', nodeId: 'never-polled' }, {}, 'manual')) ?? [];
		expect(first.json.jobId).toBe(id);
		await sleepMs(30);
		const [again] = (await pollOnce(sandbox.current, { type: 'eyeQuant', nodeId: 'never-polled' }, {}, 'manual')) ?? [];
		expect(again.json.completedAt).toBe(first.json.completedAt);
		const node = new TriggerNode(() => sandbox.current, { type: 'eyeQuant', nodeId: 'never-polled' });
		await node.pollUntil(() => node.jobIds().includes(id));
		expect(node.emitted.find((item) => item.json.jobId === id)?.json.completedAt).toBe(first.json.completedAt);
	});

	it('each is named after its action node + "Trigger" (how n8n’s node panel lists a trigger with its app), with its own credential and no Provider to pick', () => {
		const actions = { eyeQuant: new EyeQuant().description, pique: new Pique().description };
		for (const provider of ['eyeQuant', 'pique'] as const) {
			const description = TRIGGER_TYPES[provider].description;
			// n8n's editor merges a trigger into the node whose name is the trigger's with "Trigger" removed.
			expect(description.name.replace('Trigger', '')).toBe(actions[provider].name);
			expect(description.displayName).toBe(`${actions[provider].displayName} Trigger`);
			expect(description.group).toEqual(['trigger']);
			expect(description.hidden).toBeUndefined();
			expect(description.credentials).toEqual([{ name: actions[provider].credentials?.[0].name, required: true }]);
			expect(description.properties.map((property) => property.name)).not.toContain('provider');
			expect(description.icon).toEqual(actions[provider].icon);
		}
		expect(optionNames(TRIGGER_TYPES.eyeQuant.description.properties)).toContain('downloadOutputs');
		expect(optionNames(TRIGGER_TYPES.pique.description.properties)).not.toContain('downloadOutputs');
		expect(optionNames(TRIGGER_TYPES.pique.description.properties)).not.toContain('mapTimeout');
		// The Visual AI Trigger stays loadable for existing workflows, out of the node panel.
		expect(TRIGGER_TYPES.visualAi.description.hidden).toBe(true);
		expect(TRIGGER_TYPES.visualAi.description.name).toBe('visualAiTrigger');
	});

	it('EyeQuant Trigger: each analysis once with its maps; the same ledger consumer (workflow id + node id) as a Visual AI Trigger node would have', async () => {
		const ids = await submitAnalyses(sandbox.current, 3);
		const node = new TriggerNode(() => sandbox.current, { type: 'eyeQuant', nodeId: 'eq-node' });
		await node.pollUntil(() => ids.every((id) => node.jobIds().includes(id)));
		for (const id of ids) expect(counts(node.jobIds()).get(id)).toBe(1);
		for (const item of node.emitted) {
			expect(item.json).toMatchObject({ provider: 'eyeQuant', status: 'success', clarityScore: expect.any(Number) });
			expect(await binaryBytes(item, 'attentionMap')).toEqual(await served(String(item.json.attentionMap)));
		}
		expect((await deliveries('trigger-workflow:eq-node')).map((row) => row.job_id).sort()).toEqual([...node.jobIds()].sort());
		// A Visual AI Trigger on the same node id is the same consumer: it has nothing left to emit.
		expect(await new TriggerNode(() => sandbox.current, { nodeId: 'eq-node' }).poll()).toBeNull();
	});

	it('Pique Trigger: each uploaded evaluation once', async () => {
		const items = ['a.mp4', 'b.mp4'].map((fileName) => ({
			json: {},
			binary: { data: { data: fakeMp4(2048).toString(BINARY_ENCODING), mimeType: 'video/mp4', fileName } },
		}));
		const [uploaded] = await runNode(new Pique(), {
			parameters: { resource: 'evaluation', operation: 'upload', judge: { __rl: true, mode: 'id', value: SANDBOX_PIQUE_JUDGES.video } },
			credentials: { piqueApi: sandboxCredentials(sandbox.current).piqueApi },
			input: items,
		});
		const ids = uploaded.map((item) => String(item.json.jobId));
		const node = new TriggerNode(() => sandbox.current, { type: 'pique', nodeId: 'pq-node' });
		await node.pollUntil(() => ids.every((id) => node.jobIds().includes(id)));
		for (const id of ids) expect(counts(node.jobIds()).get(id)).toBe(1);
		for (const item of node.emitted) expect(item.json).toMatchObject({ provider: 'pique', status: 'completed', overallScore: expect.any(Number) });
	});
});

describe('Fetch Test Event', () => {
	it('EyeQuant’s completedAt is when the pack first saw the analysis finished (the ledger’s time), not when the button was pressed', async () => {
		const [id] = await submitAnalyses(sandbox.current, 1);
		const node = new TriggerNode(() => sandbox.current, { type: 'eyeQuant', nodeId: 'first-seen' });
		await node.pollUntil(() => node.jobIds().includes(id));
		const seen = String(node.emitted.find((item) => item.json.jobId === id)?.json.completedAt);
		await sleepMs(30);
		const before = await ledgerDump();
		const [shown] = (await pollOnce(sandbox.current, { type: 'eyeQuant', nodeId: 'first-seen' }, {}, 'manual')) ?? [];
		expect(shown.json).toMatchObject({ jobId: id, completedAt: seen });
		expect(await ledgerDump()).toBe(before);
	});

	it('with no job recorded yet, says what to do without showing where the ledger file is on the server', async () => {
		const credentials = { eyeQuantApi: { apiKey: 'a-key-with-no-jobs', baseUrl: sandbox.current.baseUrls.eyeQuant } };
		const error = await pollOnce(sandbox.current, { type: 'eyeQuant', credentials }, {}, 'manual').then(
			() => undefined,
			(reason: Error & { description?: string }) => reason,
		);
		expect(error?.message).toBe('No finished EyeQuant analysis to show yet');
		expect(error?.description).toMatch(/EyeQuant → Analysis → Create/);
		const shown = `${error?.message} ${error?.description}`;
		expect(shown).not.toContain(ledgerLocation());
		expect(shown).not.toMatch(/\.sqlite|\/tmp\//);
	});
});
