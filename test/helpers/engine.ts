import { mkdtempSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core reads its folders from the environment when its services are first built.
const userFolder = mkdtempSync(path.join(tmpdir(), 'visual-ai-engine-'));
process.env.N8N_USER_FOLDER ??= userFolder;
process.env.N8N_ENCRYPTION_KEY ??= 'engine-test-encryption-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_LOG_LEVEL ??= 'warn';

import { Container } from '@n8n/di';
import { BinaryDataService, ExecuteContext, HookContext, PollContext, WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteData,
	IHookFunctions,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IPollFunctions,
	IRunExecutionData,
	IWebhookData,
	IWebhookFunctions,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow, createEmptyRunExecutionData } from 'n8n-workflow';

let binaryReady: Promise<void> | undefined;

/** n8n's binary data service in filesystem mode on a temp folder, as in production. */
export async function initBinaryData(): Promise<BinaryDataService> {
	const service = Container.get(BinaryDataService);
	binaryReady ??= service.init();
	await binaryReady;
	return service;
}

export type CredentialStore = Record<string, ICredentialDataDecryptedObject>;

function credentialsHelper(store: CredentialStore) {
	return {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		authenticate: async (_credentials: unknown, _type: string, options: IDataObject) => options,
		preAuthentication: async () => undefined,
		runPreAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used in engine tests');
		},
		getDecrypted: async (_additional: unknown, _details: unknown, type: string) => {
			const data = store[type];
			if (!data) throw new Error(`No test credentials of type ${type}`);
			return { ...data };
		},
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async () => undefined,
		getCredentialsProperties: () => [],
	};
}

export interface NodeRunOptions {
	parameters: INodeParameters;
	credentials?: CredentialStore;
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	abortSignal?: AbortSignal;
	mode?: WorkflowExecuteMode;
	workflowId?: string;
	executionId?: string;
	nodeName?: string;
	nodeId?: string;
	typeVersion?: number;
	/** The workflow's time zone setting (n8n's default zone when absent). */
	timezone?: string;
	/** The node's webhookId (the random part of a webhook node's URL). */
	webhookId?: string;
	/** Where n8n's waiting webhooks live ($execution.resumeUrl = this + "/" + execution id). */
	webhookWaitingBaseUrl?: string;
	/** The execution's run data (a test reads `waitTill` from it after putExecutionToWait). */
	runExecutionData?: IRunExecutionData;
}

interface BuiltWorkflow {
	workflow: Workflow;
	node: INode;
	additionalData: IWorkflowExecuteAdditionalData;
}

function buildWorkflow(nodeType: INodeType, options: NodeRunOptions): BuiltWorkflow {
	const typeName = `test.${nodeType.description.name}`;
	const version = options.typeVersion ?? (Array.isArray(nodeType.description.version)
		? Math.max(...nodeType.description.version)
		: nodeType.description.version);
	const credentialRefs: INodeCredentials = {};
	for (const type of Object.keys(options.credentials ?? {})) credentialRefs[type] = { id: `${type}-id`, name: type };
	const node: INode = {
		id: options.nodeId ?? 'node-under-test',
		name: options.nodeName ?? nodeType.description.displayName,
		type: typeName,
		typeVersion: version,
		position: [0, 0],
		parameters: options.parameters,
		credentials: credentialRefs,
		...(options.webhookId ? { webhookId: options.webhookId } : {}),
		continueOnFail: options.continueOnFail,
		onError: options.continueOnFail ? 'continueRegularOutput' : 'stopWorkflow',
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({
		id: options.workflowId ?? 'engine-test-workflow',
		name: 'engine test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		...(options.timezone ? { settings: { timezone: options.timezone } } : {}),
	});
	const additionalData = {
		credentialsHelper: credentialsHelper(options.credentials ?? {}),
		executionId: options.executionId ?? `exec-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
		restApiUrl: 'http://127.0.0.1:1/rest',
		instanceBaseUrl: 'http://127.0.0.1:1/',
		webhookBaseUrl: 'http://127.0.0.1:1/webhook',
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl ?? 'http://127.0.0.1:1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:1/form-waiting',
		variables: {},
		currentNodeParameters: options.parameters,
	} as unknown as IWorkflowExecuteAdditionalData;
	return { workflow, node, additionalData };
}

/** Runs a node's `execute` in n8n-core's real ExecuteContext, the way WorkflowExecute does. */
export async function runNode(nodeType: INodeType, options: NodeRunOptions): Promise<INodeExecutionData[][]> {
	const context = await executeContext(nodeType, options);
	if (!nodeType.execute) throw new Error(`${nodeType.description.name} has no execute method`);
	const result = await nodeType.execute.call(context);
	return (result ?? []) as INodeExecutionData[][];
}

export async function executeContext(nodeType: INodeType, options: NodeRunOptions): Promise<ExecuteContext> {
	await initBinaryData();
	const { workflow, node, additionalData } = buildWorkflow(nodeType, options);
	const input = options.input ?? [{ json: {} }];
	const executeData: IExecuteData = { node, data: { main: [input] }, source: null };
	return new ExecuteContext(
		workflow,
		node,
		additionalData,
		options.mode ?? 'manual',
		options.runExecutionData ?? createEmptyRunExecutionData(),
		0,
		input,
		{ main: [input] },
		executeData,
		[],
		options.abortSignal,
	);
}

export interface PollRunOptions extends Omit<NodeRunOptions, 'input' | 'continueOnFail' | 'abortSignal'> {
	/** Static data of the workflow, kept by the caller between polls as n8n keeps it in its database. */
	staticData?: IDataObject;
	activation?: 'init' | 'create' | 'update' | 'activate' | 'manual' | 'leadershipChange';
}

/** A real n8n-core PollContext for one trigger node; call `nodeType.poll.call(context)`. */
export async function pollContext(nodeType: INodeType, options: PollRunOptions): Promise<IPollFunctions> {
	await initBinaryData();
	const { workflow, node, additionalData } = buildWorkflow(nodeType, options);
	if (options.staticData) workflow.staticData = options.staticData as Workflow['staticData'];
	return new PollContext(workflow, node, additionalData, options.mode ?? 'trigger', options.activation ?? 'activate');
}

export interface WebhookRunOptions extends Omit<NodeRunOptions, 'input' | 'continueOnFail' | 'abortSignal'> {
	request: IncomingMessage;
	response: ServerResponse;
}

/**
 * A real n8n-core WebhookContext for one trigger node and one HTTP request, as n8n's webhook
 * handler builds it; call `nodeType.webhook.call(context)`. The request must carry `rawBody`.
 */
export async function webhookContext(nodeType: INodeType, options: WebhookRunOptions): Promise<IWebhookFunctions> {
	await initBinaryData();
	const { workflow, node, additionalData } = buildWorkflow(nodeType, options);
	additionalData.httpRequest = options.request as IWorkflowExecuteAdditionalData['httpRequest'];
	additionalData.httpResponse = options.response as IWorkflowExecuteAdditionalData['httpResponse'];
	const description = nodeType.description.webhooks?.[0];
	if (!description) throw new Error(`${nodeType.description.name} has no webhook`);
	const webhookData: IWebhookData = {
		httpMethod: description.httpMethod as IWebhookData['httpMethod'],
		node: node.name,
		path: String(description.path),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: options.mode === 'manual',
	};
	return new WebhookContext(workflow, node, additionalData, options.mode ?? 'webhook', webhookData, [], null);
}

/** A real n8n-core HookContext, as n8n builds it to run a webhook node's `webhookMethods` when a workflow is published. */
export async function hookContext(nodeType: INodeType, options: Omit<NodeRunOptions, 'input' | 'continueOnFail' | 'abortSignal'>): Promise<IHookFunctions> {
	const { workflow, node, additionalData } = buildWorkflow(nodeType, options);
	return new HookContext(workflow, node, additionalData, options.mode ?? 'trigger', 'activate');
}

/** Reads a binary property's bytes the way a downstream node would. */
export async function binaryBytes(item: INodeExecutionData, property: string): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property ${property}`);
	const service = await initBinaryData();
	return await service.getAsBuffer(binary);
}
