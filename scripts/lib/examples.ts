/**
 * The example workflows (examples/*.json) and the sandbox credentials they refer to by id and name.
 * The examples are written against `npm run sandbox` on its default port, so a user can import them
 * into any n8n; the harness only swaps that origin when its sandbox listens elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { SANDBOX_KEYS, SANDBOX_WEBHOOK_SECRET } from '../../sandbox/server.ts';
import type { Sandbox } from '../../sandbox/server.ts';

/** The sandbox origin written in the examples (the sandbox CLI's default port). */
export const EXAMPLES_SANDBOX_ORIGIN = 'http://127.0.0.1:4010';

/** Folders (under n8n's working folder) the examples write into; Write Files from Disk makes none. */
export const EXAMPLE_OUTPUT_FOLDERS = ['visual-ai-archive'];

/** Credential ids and names the examples use; import:credentials creates them with these ids. */
export const SANDBOX_CREDENTIALS = {
	eyeQuantApi: { id: 'vaiSandboxEyeQnt', name: 'EyeQuant (sandbox)' },
	imageIntelligenceApi: { id: 'vaiSandboxImgInt', name: 'Image Intelligence (sandbox)' },
	piqueApi: { id: 'vaiSandboxPique1', name: 'Pique (sandbox)' },
	imageForgeApi: { id: 'vaiSandboxImgFrg', name: 'Image Forge (sandbox)' },
} as const;

export type CredentialType = keyof typeof SANDBOX_CREDENTIALS;

export interface ImportedCredential {
	id: string;
	name: string;
	type: CredentialType;
	data: Record<string, string>;
}

/** The four credentials, filled in for this sandbox, in the shape `n8n import:credentials` reads. */
export function sandboxCredentials(sandbox: Pick<Sandbox, 'baseUrls'>): ImportedCredential[] {
	const data: Record<CredentialType, Record<string, string>> = {
		eyeQuantApi: { apiKey: SANDBOX_KEYS.eyeQuant.apiKey, baseUrl: sandbox.baseUrls.eyeQuant },
		imageIntelligenceApi: {
			clientId: SANDBOX_KEYS.imageIntelligence.clientId,
			clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret,
			baseUrl: sandbox.baseUrls.imageIntelligence,
		},
		piqueApi: { apiKey: SANDBOX_KEYS.pique.apiKey, environment: 'custom', baseUrl: sandbox.baseUrls.pique, webhookSecret: SANDBOX_WEBHOOK_SECRET },
		imageForgeApi: { apiKey: SANDBOX_KEYS.imageForge.apiKey, baseUrl: sandbox.baseUrls.imageForge },
	};
	return (Object.keys(SANDBOX_CREDENTIALS) as CredentialType[]).map((type) => ({
		...SANDBOX_CREDENTIALS[type],
		type,
		data: data[type],
	}));
}

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Example {
	/** File name in examples/, e.g. `1-eyequant-score-and-archive.json`. */
	file: string;
	workflow: WorkflowJson;
	/** Starts with a trigger of the pack (polling or webhook): runs only in `n8n start`, published. */
	isTrigger: boolean;
}

/** The pack's trigger nodes: an example that starts with one cannot run with `n8n execute`. */
const PACK_TRIGGERS = ['visualAiTrigger', 'eyeQuantTrigger', 'piqueTrigger', 'piqueWebhookTrigger', 'imageIntelligenceTrigger'];

export function loadExamples(root: string): Example[] {
	const dir = path.join(root, 'examples');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
		.map((file) => {
			const workflow = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson;
			const isTrigger = workflow.nodes.some((node) => PACK_TRIGGERS.some((trigger) => node.type.endsWith(`.${trigger}`)));
			return { file, workflow, isTrigger };
		});
}

/** The workflow with the examples' sandbox origin replaced by this sandbox's (nothing else changes). */
export function forSandbox(workflow: WorkflowJson, sandboxUrl: string): WorkflowJson {
	if (sandboxUrl === EXAMPLES_SANDBOX_ORIGIN) return workflow;
	return JSON.parse(JSON.stringify(workflow).split(EXAMPLES_SANDBOX_ORIGIN).join(sandboxUrl)) as WorkflowJson;
}
