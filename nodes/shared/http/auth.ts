import type { IAuthenticateGeneric } from 'n8n-workflow';

const CREDENTIAL_FIELD = /\{\{\s*\$credentials\.(\w+)\s*\}\}/g;

/**
 * The headers a credential's declarative `authenticate` block sends, resolved with `values`.
 *
 * The credential is the one source of truth for how a provider authenticates: n8n uses the block
 * for the credential test (and the HTTP Request node's predefined credentials), our client uses
 * it through this function. Only `={{$credentials.<field>}}` templates are understood; anything
 * else throws, so a credential changed beyond that fails the pack's tests instead of sending a
 * wrong header.
 */
export function authHeaders(authenticate: IAuthenticateGeneric, values: Record<string, string>): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, template] of Object.entries(authenticate.properties.headers ?? {})) {
		const text = String(template);
		const value = text.startsWith('=')
			? text.slice(1).replace(CREDENTIAL_FIELD, (_match, field: string) => {
					if (!(field in values)) throw new Error(`authenticate header ${name} reads $credentials.${field}, which was not given`);
					return values[field];
				})
			: text;
		if (value.includes('{{')) throw new Error(`authenticate header ${name} has an expression this client cannot resolve`);
		headers[name.toLowerCase()] = value;
	}
	return headers;
}
