import { randomUUID } from 'node:crypto';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { INodeExecutionData, INodeType } from 'n8n-workflow';

import type { NodeRunOptions } from '../../helpers/engine';
import type { Sandbox } from '../../helpers/sandbox';
import { startWebhookServer } from '../../helpers/webhook-server';
import type { WebhookServer, WebhookServerOptions } from '../../helpers/webhook-server';
import { runPique } from '../pique/helpers';
import { JUDGES, judge } from '../pique/helpers';

/** Starts a webhook trigger node behind a loopback server (see startWebhookServer), closed after the file's tests. */
export function useWebhookServers(): (
	nodeType: INodeType,
	options: Omit<NodeRunOptions, 'input' | 'parameters'> & Partial<Pick<NodeRunOptions, 'parameters'>> & Pick<WebhookServerOptions, 'resumesOnce' | 'refuse'>,
) => Promise<WebhookServer> {
	const servers: WebhookServer[] = [];
	afterAll(async () => {
		await Promise.all(servers.map(async (server) => await server.close()));
	});
	return async (nodeType, options) => {
		const server = await startWebhookServer(nodeType, {
			parameters: {},
			webhookId: randomUUID(),
			workflowId: `webhook-workflow-${randomUUID()}`,
			nodeId: randomUUID(),
			...options,
		});
		servers.push(server);
		return server;
	};
}

/** The warnings n8n's logger received while `work` ran (the logger every node context uses). */
export async function warningsDuring(work: () => Promise<void>): Promise<string[]> {
	const logger = Container.get(Logger);
	const spy = jest.spyOn(logger, 'warn');
	try {
		await work();
		return spy.mock.calls.map((call) => String(call[0]));
	} finally {
		spy.mockRestore();
	}
}

/** Pique evaluations of video URLs submitted through the Pique node (so the ledger records them), their job ids. */
export async function submitVideos(sandbox: Sandbox, urls: string[], webhookUrl?: string): Promise<string[]> {
	const output = await runPique(sandbox, {
		resource: 'evaluation',
		operation: 'evaluateSocialMedia',
		judge: judge(JUDGES.video),
		videoUrls: urls,
		options: webhookUrl ? { webhookUrl } : {},
	});
	return output.map((item) => String(item.json.jobId));
}

/** The Pique node's Get Result item for a job (what the trigger must emit, field for field). */
export async function piqueResultItem(sandbox: Sandbox, jobId: string): Promise<INodeExecutionData> {
	const [item] = await runPique(sandbox, { resource: 'evaluation', operation: 'getResult', jobId });
	return item;
}

/** Waits until every Pique job is finished at the sandbox. */
export async function untilPiqueFinished(sandbox: Sandbox, jobIds: string[]): Promise<void> {
	for (;;) {
		const items = await Promise.all(jobIds.map(async (jobId) => await piqueResultItem(sandbox, jobId)));
		if (items.every((item) => item.json.status === 'completed' || item.json.status === 'failed')) return;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

/** The receiver's answers to the webhooks the sandbox sent on its own for a job, once it sent one and none is in flight. */
export async function ownDeliveries(sandbox: Sandbox, jobId: string): Promise<Array<number | undefined>> {
	const deadline = Date.now() + 5_000;
	while (!sandbox.webhookDeliveries.some((delivery) => delivery.jobId === jobId) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	await sandbox.webhooksIdle();
	return sandbox.webhookDeliveries.filter((delivery) => delivery.jobId === jobId).map((delivery) => delivery.status);
}
