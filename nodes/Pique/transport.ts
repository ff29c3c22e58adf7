import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { PIQUE_BASE_URLS, PiqueApi } from '../../credentials/PiqueApi.credentials';
import { authHeaders } from '../shared/http/auth';
import { ApiClient } from '../shared/http/client';
import type { RequestContext } from '../shared/http/client';
import type { ProviderProfile } from '../shared/http/errors';
import type { RetrySettings } from '../shared/http/retry';
import { accountId } from '../shared/ledger';

export const PIQUE_CREDENTIAL = 'piqueApi';

/** What the client needs from n8n's execute, poll or load-options context. */
export interface PiqueContext extends RequestContext {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string, itemIndex?: number): Promise<T>;
}

const JOB_ID_HINT =
	'Use the `jobId` that Evaluation → Upload or Evaluate Social Media Videos returned, with the credential of the account that submitted it (Pique answers 404 for jobs of other accounts too).';

/** Pique answers `{"detail": "..."}` without codes; status and detail say what happened. */
export const PIQUE_PROFILE: ProviderProfile = {
	name: 'Pique',
	explain(status, error) {
		const detail = error.message ?? '';
		if (status === 401) {
			return {
				message: 'Pique refused the API key',
				hint: 'Check the API key (it starts with pq_) and the Environment in the Pique credential: production and sandbox keys only work in their own environment.',
			};
		}
		if (status === 404 && /judge/i.test(detail)) {
			return { hint: 'No judge has this ID in this Pique account. Pick the judge from the list, or copy its ID from Judge → List.' };
		}
		if (status === 404 && /job/i.test(detail)) return { hint: `No evaluation job has this ID in this Pique account. ${JOB_ID_HINT}` };
		if (status === 422) {
			return { hint: 'Pique rejected a parameter (named in the message before the colon, e.g. body.content_type). Fix that parameter and run again.' };
		}
		return undefined;
	},
};

interface PiqueCredential {
	apiKey?: unknown;
	environment?: unknown;
	baseUrl?: unknown;
}

export interface PiqueClientOptions {
	timeoutMs?: number;
	retry?: Partial<RetrySettings>;
}

/** The API base URL the credential points at: production, sandbox, or a custom URL. */
export function piqueBaseUrl(credential: PiqueCredential): string | undefined {
	const environment = typeof credential.environment === 'string' ? credential.environment : 'production';
	if (environment === 'custom') {
		const custom = typeof credential.baseUrl === 'string' ? credential.baseUrl.trim() : '';
		return /^https?:\/\//i.test(custom) ? custom.replace(/\/+$/, '') : undefined;
	}
	return environment === 'sandbox' ? PIQUE_BASE_URLS.sandbox : PIQUE_BASE_URLS.production;
}

/**
 * The API client for the node's Pique credential (`X-API-Key`, never sent to upload URLs), and the
 * ledger's account id of that credential (a hash of base URL and key, never the key).
 */
export async function piqueClient(
	context: PiqueContext,
	options: PiqueClientOptions = {},
): Promise<{ client: ApiClient; account: string }> {
	const credential = await context.getCredentials<PiqueCredential>(PIQUE_CREDENTIAL);
	const apiKey = typeof credential.apiKey === 'string' ? credential.apiKey.trim() : '';
	if (!apiKey) {
		throw new NodeOperationError(context.getNode(), 'The Pique credential has no API key', {
			description: 'Open the Pique credential and paste the API key (pq_...) from your Pique account.',
		});
	}
	const baseUrl = piqueBaseUrl(credential);
	if (!baseUrl) {
		throw new NodeOperationError(context.getNode(), 'The Pique credential has no valid base URL', {
			description: 'With Environment "Custom Base URL", set Base URL to an http(s) address, e.g. http://127.0.0.1:4010/pique (the /v1/... paths go under it).',
		});
	}
	const client = new ApiClient(context, {
		provider: PIQUE_PROFILE,
		baseUrl,
		headers: authHeaders(new PiqueApi().authenticate, { apiKey }),
		secrets: [apiKey],
		timeoutMs: options.timeoutMs,
		retry: options.retry,
	});
	return { client, account: accountId(baseUrl, apiKey) };
}
