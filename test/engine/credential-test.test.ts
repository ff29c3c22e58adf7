/**
 * The credentials' "Test" button, request for request against the sandbox: the right key passes,
 * and a wrong one gets a message that names the provider and says what to do, not "Unauthorized".
 * (The e2e presses the same button through a real n8n's REST API.)
 */
import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IDataObject } from 'n8n-workflow';

import { EyeQuantApi } from '../../credentials/EyeQuantApi.credentials';
import { ImageForgeApi } from '../../credentials/ImageForgeApi.credentials';
import { ImageIntelligenceApi } from '../../credentials/ImageIntelligenceApi.credentials';
import { PiqueApi } from '../../credentials/PiqueApi.credentials';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const CREDENTIALS: Array<{ type: ICredentialType & { test: ICredentialTestRequest }; secret: string; provider: string }> = [
	{ type: new EyeQuantApi(), secret: 'apiKey', provider: 'EyeQuant' },
	{ type: new PiqueApi(), secret: 'apiKey', provider: 'Pique' },
	{ type: new ImageForgeApi(), secret: 'apiKey', provider: 'Image Forge' },
	{ type: new ImageIntelligenceApi(), secret: 'clientSecret', provider: 'Image Intelligence' },
];

/** `={{$credentials.x}}` and `=Bearer {{$credentials.x}}` as n8n resolves them (the only forms these credentials use). */
function resolve(value: unknown, data: ICredentialDataDecryptedObject): string {
	return String(value)
		.replace(/^=/, '')
		.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_all, name: string) => String(data[name]));
}

/** Sends the credential's test request the way n8n does (authenticate's headers, the request's body and query). */
async function pressTest(type: ICredentialType & { test: ICredentialTestRequest }, data: ICredentialDataDecryptedObject): Promise<{ status: number; body: unknown }> {
	const request = type.test.request;
	const url = new URL(`${String(data.baseUrl).replace(/\/+$/, '')}${request.url ?? ''}`);
	for (const [key, value] of Object.entries((request.qs ?? {}) as IDataObject)) url.searchParams.set(key, String(value));
	const headers: Record<string, string> = {};
	const authenticate = type.authenticate as { properties?: { headers?: Record<string, string> } } | undefined;
	for (const [key, value] of Object.entries(authenticate?.properties?.headers ?? {})) headers[key] = resolve(value, data);
	let body: string | undefined;
	if (request.body) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(Object.fromEntries(Object.entries(request.body as IDataObject).map(([key, value]) => [key, resolve(value, data)])));
	}
	const response = await fetch(url, { method: request.method ?? 'GET', headers, body });
	return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** What n8n's credential tester shows for a response: a responseCode rule's message, a responseSuccessBody rule's, or OK. */
function verdict(type: { test: ICredentialTestRequest }, response: { status: number; body: unknown }): { status: 'OK' | 'Error'; message: string } {
	const rules = type.test.rules ?? [];
	const ignoreErrors = Boolean(type.test.request.ignoreHttpStatusErrors);
	if (response.status >= 300 && !ignoreErrors) {
		for (const rule of rules) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) return { status: 'Error', message: rule.properties.message };
		}
		return { status: 'Error', message: `Received HTTP status code: ${response.status}` };
	}
	for (const rule of rules) {
		if (rule.type !== 'responseSuccessBody') continue;
		const value = rule.properties.key.split('.').reduce<unknown>((at, key) => (at as IDataObject | undefined)?.[key], response.body);
		if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

describe.each(CREDENTIALS.map((entry) => [entry.provider, entry] as const))('%s credential Test', (_name, { type, secret, provider }) => {
	it('passes with the sandbox key', async () => {
		const data = sandboxCredentials(sandbox.current)[type.name];
		expect(verdict(type, await pressTest(type, data))).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('fails with a wrong key, naming the provider and what to do (and never the key)', async () => {
		const data = { ...sandboxCredentials(sandbox.current)[type.name], [secret]: 'not-the-right-key-123' };
		const shown = verdict(type, await pressTest(type, data));
		expect(shown.status).toBe('Error');
		expect(shown.message).toContain(provider);
		expect(shown.message).toMatch(/again|Activate/);
		expect(shown.message).not.toContain('not-the-right-key-123');
	});
});
