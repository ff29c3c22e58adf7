import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INodeExecutionData, INodeType } from 'n8n-workflow';

import { webhookContext } from './engine';
import type { NodeRunOptions } from './engine';

export interface WebhookAnswer {
	status: number;
	/** Whether the node handed n8n items, i.e. n8n would have started an execution. */
	started: boolean;
}

export interface WebhookServer {
	/** The URL the provider is given (like n8n's Production URL of the node). */
	url: string;
	/** http://127.0.0.1:<port>: every path on it reaches the node (e.g. a resume URL under /webhook-waiting). */
	origin: string;
	/** The items of every execution the node started, in order (its first output). */
	executions: INodeExecutionData[][];
	/** Every output of every execution the node started (a node with an error output has two). */
	outputs: INodeExecutionData[][][];
	answers: WebhookAnswer[];
	close(): Promise<void>;
}

/** The node's run options, and how the server plays n8n. */
export interface WebhookServerOptions extends Omit<NodeRunOptions, 'input'> {
	/**
	 * A waiting execution's resume URL: once the node resumed it, n8n answers every later call
	 * 409 (the execution is running or finished) without running the node again.
	 */
	resumesOnce?: boolean;
	/** Answers 500 to a request this says yes to without running the node (a receiver that is down). */
	refuse?: (request: IncomingMessage) => boolean;
}

/**
 * A loopback HTTP server that does for one webhook trigger node what n8n's webhook handler does:
 * reads the raw body, builds a real n8n-core WebhookContext, calls the node's `webhook()`, and
 * either leaves the answer to the node (`noWebhookResponse`) or answers 200 at once and "starts an
 * execution" with the node's items (responseMode onReceived), which the test can count.
 */
export async function startWebhookServer(nodeType: INodeType, options: WebhookServerOptions): Promise<WebhookServer> {
	const executions: INodeExecutionData[][] = [];
	const outputs: INodeExecutionData[][][] = [];
	const answers: WebhookAnswer[] = [];
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			request.rawBody = Buffer.concat(chunks);
			void (async () => {
				let started = false;
				if (options.refuse?.(request)) {
					response.writeHead(500, { 'content-type': 'application/json' });
					response.end(JSON.stringify({ message: 'down for the test' }));
					answers.push({ status: 500, started });
					return;
				}
				if (options.resumesOnce && executions.length > 0) {
					response.writeHead(409, { 'content-type': 'application/json' });
					response.end(JSON.stringify({ message: 'The execution has finished already' }));
					answers.push({ status: 409, started });
					return;
				}
				try {
					const context = await webhookContext(nodeType, { ...options, request, response });
					if (!nodeType.webhook) throw new Error('not a webhook node');
					const result = await nodeType.webhook.call(context);
					if (result.workflowData && options.resumesOnce && executions.length > 0) {
						// n8n resumes a waiting execution once (a second resume finds it running).
						response.writeHead(409, { 'content-type': 'application/json' });
						response.end(JSON.stringify({ message: 'The execution is running already' }));
						answers.push({ status: 409, started });
						return;
					}
					if (result.workflowData) {
						started = true;
						executions.push(result.workflowData[0]);
						outputs.push(result.workflowData);
					}
					if (!result.noWebhookResponse) {
						response.writeHead(200, { 'content-type': 'application/json' });
						response.end(JSON.stringify({ message: started ? 'Workflow was started' : 'Webhook call received' }));
					}
				} catch (error) {
					if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
					response.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
				}
				answers.push({ status: response.statusCode, started });
			})();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/${options.webhookId ?? 'hook'}/webhook`,
		origin: `http://127.0.0.1:${port}`,
		executions,
		outputs,
		answers,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
