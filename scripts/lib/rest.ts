/** The bits of n8n's internal REST API (what the editor uses) the harness needs, with a session cookie. */
import { createRequire } from 'node:module';
import path from 'node:path';

import type { Execution } from './n8n.ts';

export const DEMO_OWNER = {
	email: 'demo@visual-ai.local',
	firstName: 'Visual',
	lastName: 'AI',
	password: 'VisualAi-demo-1',
};

export class RestError extends Error {
	readonly status: number;
	readonly body: string;
	constructor(method: string, url: string, status: number, body: string) {
		super(`${method} ${url} answered ${status}: ${body.slice(0, 500)}`);
		this.status = status;
		this.body = body;
	}
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export class N8nRest {
	readonly url: string;
	private cookie = '';
	/** n8n's own `flatted` (execution data is stored and served in that format). */
	private readonly flatted: { parse(text: string): unknown };

	constructor(url: string, n8nInstallDir: string) {
		this.url = url;
		const requireFromN8n = createRequire(path.join(n8nInstallDir, 'node_modules', 'n8n', 'package.json'));
		this.flatted = requireFromN8n('flatted') as { parse(text: string): unknown };
	}

	async request<T>(method: string, route: string, body?: unknown): Promise<T> {
		const url = `${this.url}${route}`;
		const response = await fetch(url, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
				// n8n checks that browser requests come from its own origin.
				'browser-id': 'visual-ai-harness',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie().find((entry) => entry.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await response.text();
		if (!response.ok) throw new RestError(method, route, response.status, text);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** Sets up the instance owner on a fresh instance, or logs in when that was done before. */
	async signIn(owner = DEMO_OWNER): Promise<void> {
		const settings = await this.request<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>('GET', '/rest/settings');
		if (settings.userManagement?.showSetupOnFirstLoad !== false) {
			await this.request('POST', '/rest/owner/setup', owner);
			return;
		}
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
	}

	async nodeTypes(): Promise<Array<{ name: string; version: number | number[] }>> {
		const response = await fetch(`${this.url}/types/nodes.json`, { headers: { cookie: this.cookie } });
		if (!response.ok) throw new RestError('GET', '/types/nodes.json', response.status, await response.text());
		return (await response.json()) as Array<{ name: string; version: number | number[] }>;
	}

	async credentialTypes(): Promise<Array<{ name: string }>> {
		const response = await fetch(`${this.url}/types/credentials.json`, { headers: { cookie: this.cookie } });
		if (!response.ok) throw new RestError('GET', '/types/credentials.json', response.status, await response.text());
		return (await response.json()) as Array<{ name: string }>;
	}

	/** What the editor's "Test credential" button does, with the stored credential's data overridden. */
	async testCredential(credential: { id: string; name: string; type: string; data: Record<string, unknown> }): Promise<CredentialTestResult> {
		return await this.request<CredentialTestResult>('POST', '/rest/credentials/test', { credentials: credential });
	}

	async activate(workflowId: string): Promise<void> {
		const workflow = await this.request<{ versionId: string }>('GET', `/rest/workflows/${workflowId}`);
		await this.request('POST', `/rest/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
	}

	/** What the editor's "Execute workflow" button does: a manual run from the named trigger node. */
	async runManually(workflowId: string, triggerNode: string): Promise<string> {
		const started = await this.request<{ executionId?: string }>('POST', `/rest/workflows/${workflowId}/run`, {
			triggerToStartFrom: { name: triggerNode },
		});
		if (!started.executionId) throw new Error(`n8n did not start workflow ${workflowId}: ${JSON.stringify(started)}`);
		return started.executionId;
	}

	/** Waits until an execution is no longer running, then returns it with its data. */
	async waitForExecution(id: string, timeoutMs = 120_000): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await this.execution(id);
			if (!['new', 'running', 'waiting'].includes(execution.status)) return execution;
			if (Date.now() > deadline) throw new Error(`execution ${id} still ${execution.status} after ${timeoutMs / 1000} s`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}

	/** The bytes of a binary-data id, as the editor downloads them (any binary data mode). */
	async binaryData(id: string): Promise<Buffer> {
		const route = `/rest/binary-data?id=${encodeURIComponent(id)}&action=download`;
		const response = await fetch(`${this.url}${route}`, { headers: { cookie: this.cookie, 'browser-id': 'visual-ai-harness' } });
		if (!response.ok) throw new RestError('GET', route, response.status, await response.text());
		return Buffer.from(await response.arrayBuffer());
	}

	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
		return page.results;
	}

	async execution(id: string): Promise<Execution> {
		const raw = await this.request<{ status: string; data: string }>('GET', `/rest/executions/${id}`);
		return { ...raw, data: this.flatted.parse(raw.data) } as Execution;
	}

	/** Every finished execution of a workflow with its data, oldest first. */
	async finishedExecutions(workflowId: string): Promise<Array<{ id: string; execution: Execution }>> {
		const finished = (await this.executions(workflowId)).filter((summary) => !['new', 'running', 'waiting'].includes(summary.status));
		const runs = [];
		for (const summary of finished.reverse()) runs.push({ id: summary.id, execution: await this.execution(summary.id) });
		return runs;
	}
}
