import type { ICredentialDataDecryptedObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { SANDBOX_KEYS, startSandbox } from '../../sandbox/server.ts';
import type { Sandbox, SandboxOptions } from '../../sandbox/server.ts';
import type { NodeRunOptions } from './engine';

export type { Sandbox };

/** Credentials of all four types pointing at a running sandbox, as a user would fill them in. */
export function sandboxCredentials(sandbox: Sandbox): Record<string, ICredentialDataDecryptedObject> {
	return {
		eyeQuantApi: { apiKey: SANDBOX_KEYS.eyeQuant.apiKey, baseUrl: sandbox.baseUrls.eyeQuant },
		imageIntelligenceApi: {
			clientId: SANDBOX_KEYS.imageIntelligence.clientId,
			clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret,
			baseUrl: sandbox.baseUrls.imageIntelligence,
		},
		piqueApi: { apiKey: SANDBOX_KEYS.pique.apiKey, environment: 'custom', baseUrl: sandbox.baseUrls.pique },
		imageForgeApi: { apiKey: SANDBOX_KEYS.imageForge.apiKey, baseUrl: sandbox.baseUrls.imageForge },
	};
}

/** What a test may add to a node run against the sandbox; other credentials replace the node's own. */
export type SandboxRunExtras = Omit<NodeRunOptions, 'parameters' | 'credentials' | 'input'> & { credentials?: NodeRunOptions['credentials'] };

/** Run options for a node against the sandbox, with its credential of `credentialType` unless the test gives others. */
export function sandboxRunOptions(
	sandbox: Sandbox,
	credentialType: string,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extras: SandboxRunExtras = {},
): NodeRunOptions {
	return {
		parameters,
		credentials: extras.credentials ?? { [credentialType]: sandboxCredentials(sandbox)[credentialType] },
		input,
		...extras,
	};
}

/** Starts a sandbox on a free port before the file's tests and closes it after them. */
export function useSandbox(options: SandboxOptions = {}): { readonly current: Sandbox } {
	const holder: { current?: Sandbox } = {};
	beforeAll(async () => {
		holder.current = await startSandbox({ port: 0, ...options });
	});
	afterAll(async () => {
		await holder.current?.close();
	});
	return {
		get current(): Sandbox {
			if (!holder.current) throw new Error('the sandbox is not running yet');
			return holder.current;
		},
	};
}
