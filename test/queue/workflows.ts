/** The workflows of the queue-mode run (test/queue/queue.ts), built for one sandbox. */
import { SANDBOX_CREDENTIALS } from '../../scripts/lib/examples.ts';
import type { WorkflowJson } from '../../scripts/lib/examples.ts';

export type WorkflowFile = WorkflowJson;

const EYEQUANT = { eyeQuantApi: SANDBOX_CREDENTIALS.eyeQuantApi };
const PIQUE = { piqueApi: SANDBOX_CREDENTIALS.piqueApi };
const PACK = 'n8n-nodes-visual-ai';

export const IDS = {
	submitEyeQuant: 'vaiQueueSubmitEq',
	submitPique: 'vaiQueueSubmitPq',
	eyeQuantTrigger: 'vaiQueueTrigEyeQ',
	piqueTrigger: 'vaiQueueTrigPiqu',
	reemit: 'vaiQueueReemitEq',
	waitForPique: 'vaiQueueWaitPiqu',
} as const;

export const NODES = {
	submitEyeQuant: 'Score the design',
	submitPique: 'Upload to the judge',
	eyeQuantTrigger: 'When an analysis finishes',
	archive: 'Archive the maps',
	piqueTrigger: 'When an evaluation finishes',
	reemit: 'Re-emit',
	waitForPique: 'Score and wait',
} as const;

/** The path of the Webhook node that starts the Wait mode workflow. */
export const WAIT_PATH = 'queue-pique-wait';

/** The node id of the EyeQuant trigger: with the workflow id, the trigger node the ledger knows. */
export const EYEQUANT_TRIGGER_NODE_ID = '0b7e0000-0000-4000-8000-0000000000e1';

function node(name: string, type: string, parameters: Record<string, unknown>, index: number, extra: Record<string, unknown> = {}) {
	return {
		id: index === 1 && name === NODES.eyeQuantTrigger ? EYEQUANT_TRIGGER_NODE_ID : `0b7e0000-0000-4000-8000-${String(index).padStart(12, '0')}`,
		name,
		type,
		typeVersion: 1,
		position: [index * 220, 0],
		parameters,
		...extra,
	};
}

function chain(id: string, name: string, nodes: Array<ReturnType<typeof node>>): WorkflowJson {
	const connections: Record<string, unknown> = {};
	for (let index = 0; index < nodes.length - 1; index++) {
		connections[nodes[index].name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {}, active: false, tags: [] } as unknown as WorkflowJson;
}

const manual = (index: number) => node('Start', 'n8n-nodes-base.manualTrigger', {}, index);

/** Manual Trigger → EyeQuant Analysis → Create (a small design from the sandbox; attention map and clarity score). */
export function submitEyeQuant(sandboxUrl: string): WorkflowJson {
	return chain(IDS.submitEyeQuant, 'queue · submit an EyeQuant analysis', [
		manual(0),
		node(
			NODES.submitEyeQuant,
			`${PACK}.eyeQuant`,
			{
				resource: 'analysis',
				operation: 'create',
				imageSource: 'url',
				imageUrl: `${sandboxUrl}/files/design.png?width=320&height=200`,
				medium: 'desktopWeb',
				predictions: ['attention', 'clarity'],
				attentionOutputs: ['attentionMap'],
				clarityOutputs: ['score'],
				options: {},
			},
			1,
			{ credentials: EYEQUANT },
		),
	]);
}

/** Manual Trigger → HTTP Request (a clip from the sandbox) → Pique Evaluation → Upload. */
export function submitPique(sandboxUrl: string, judgeId: string): WorkflowJson {
	return chain(IDS.submitPique, 'queue · upload to a Pique judge', [
		manual(0),
		{
			...node('Download the video', 'n8n-nodes-base.httpRequest', { url: `${sandboxUrl}/files/clip.mp4`, options: { response: { response: { responseFormat: 'file' } } } }, 1),
			typeVersion: 4.2,
		},
		node(
			NODES.submitPique,
			`${PACK}.pique`,
			{
				resource: 'evaluation',
				operation: 'upload',
				judge: { __rl: true, mode: 'list', value: judgeId, cachedResultName: 'Social Video Hook' },
				binaryPropertyName: 'data',
				contentType: 'auto',
				options: {},
			},
			2,
			{ credentials: PIQUE },
		),
	]);
}

/** Visual AI Trigger (EyeQuant, every minute) → Archive Outputs (the attention map into n8n's binary data). */
export function eyeQuantTrigger(): WorkflowJson {
	return chain(IDS.eyeQuantTrigger, 'queue · EyeQuant trigger, maps archived', [
		node(NODES.eyeQuantTrigger, `${PACK}.visualAiTrigger`, { pollTimes: { item: [{ mode: 'everyMinute' }] }, provider: 'eyeQuant', options: { downloadOutputs: false } }, 1, {
			credentials: EYEQUANT,
		}),
		node(NODES.archive, `${PACK}.archiveOutputs`, { source: 'paths', paths: 'attentionMap', options: {} }, 2),
	]);
}

/** Visual AI Trigger (Pique, every minute) → No Operation. */
export function piqueTrigger(): WorkflowJson {
	return chain(IDS.piqueTrigger, 'queue · Pique trigger', [
		node(NODES.piqueTrigger, `${PACK}.visualAiTrigger`, { pollTimes: { item: [{ mode: 'everyMinute' }] }, provider: 'pique', options: {} }, 1, {
			credentials: PIQUE,
		}),
		node('Received', 'n8n-nodes-base.noOp', {}, 2),
	]);
}

/** Manual Trigger → EyeQuant Job → Re-emit of the given screenshot ids, to the EyeQuant trigger node. */
export function reemit(jobIds: string[]): WorkflowJson {
	return chain(IDS.reemit, 'queue · re-emit EyeQuant analyses', [
		manual(0),
		node(
			NODES.reemit,
			`${PACK}.eyeQuant`,
			{ resource: 'job', operation: 'reemit', triggerNode: `${IDS.eyeQuantTrigger}:${EYEQUANT_TRIGGER_NODE_ID}`, select: 'ids', jobIds: jobIds.join(', ') },
			1,
			{ credentials: EYEQUANT },
		),
	]);
}

/**
 * Webhook → Pique Evaluate Social Media Videos waiting "Until Pique Calls Back" (limit 1 minute, then
 * the pending status) → No Operation: published on main, run by a worker, resumed through main.
 */
export function waitForPique(judgeId: string): WorkflowJson {
	return chain(IDS.waitForPique, 'queue · Pique waits for its callback', [
		node('Start by webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: WAIT_PATH, responseMode: 'onReceived', options: {} }, 0, {
			typeVersion: 2,
			webhookId: '0b7e0000-0000-4000-8000-00000000a17e',
		}),
		node(
			NODES.waitForPique,
			`${PACK}.pique`,
			{
				resource: 'evaluation',
				operation: 'evaluateSocialMedia',
				judge: { __rl: true, mode: 'id', value: judgeId },
				videoUrls: ['https://youtube.com/shorts/queue-wait'],
				waitMode: 'callback',
				waitLimitMinutes: 1,
				onWaitLimit: 'pending',
				options: {},
			},
			1,
			{ credentials: PIQUE },
		),
		node('After the wait', 'n8n-nodes-base.noOp', {}, 2),
	]);
}
