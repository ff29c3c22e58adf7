import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ImageForgeApi } from '../../credentials/ImageForgeApi.credentials';
import { authHeaders } from '../shared/http/auth';
import { ApiClient } from '../shared/http/client';
import type { ProviderProfile } from '../shared/http/errors';

export const PROVIDER_NAME = 'Image Forge';

const CHECK_HINT =
	'Credits → Check tells before a batch whether there are enough, so an IF node can branch on "sufficient".';

/** Image Forge answers `{"error": "..."}` without codes; the status says what happened. */
export const imageForgeProfile: ProviderProfile = {
	name: PROVIDER_NAME,
	explain(status, error) {
		switch (status) {
			case 401:
				return {
					hint: 'Image Forge did not accept the API key. Check the API key in the Image Forge credential (keys start with sk-) and that its base URL is your Image Forge API.',
				};
			case 402:
				// The provider's message says the balance and the credits needed; it is kept as it is.
				return {
					message: error.message ?? 'Insufficient credits',
					hint: `Top up credits in the Image Forge account, or send fewer images per run (Analyze, Analyze Single and Export take 1 credit per image before they start; Sample is free). ${CHECK_HINT}`,
				};
			case 403:
				return {
					hint: 'The API key exists but is inactive. Activate it (or create a new key) in the Image Forge account and put it in the credential.',
				};
			case 404:
				return {
					hint: 'Image Forge knows no such session or image for this API key. Sessions expire after 24 hours without use and belong to the key that created them: upload the images again with Session → Upload and pass its output to this node.',
				};
			default:
				return undefined;
		}
	},
};

interface ImageForgeCredential {
	apiKey: string;
	baseUrl: string;
}

/** The ApiClient for the node's Image Forge credential. */
export async function imageForgeClient(context: IExecuteFunctions, timeoutMs?: number): Promise<ApiClient> {
	const credential = (await context.getCredentials('imageForgeApi')) as unknown as ImageForgeCredential;
	const apiKey = String(credential.apiKey ?? '').trim();
	const baseUrl = String(credential.baseUrl ?? '').trim();
	if (!/^https?:\/\//i.test(baseUrl)) {
		throw new NodeOperationError(context.getNode(), 'The Image Forge credential has no valid base URL', {
			description: 'Set Base URL in the credential to your Image Forge API, e.g. https://your-api-domain.com/image-forge-api (the /v1/... paths go under it).',
		});
	}
	return new ApiClient(context, {
		provider: imageForgeProfile,
		baseUrl,
		headers: authHeaders(new ImageForgeApi().authenticate, { apiKey }),
		secrets: [apiKey],
		timeoutMs,
	});
}

/** Option values are seconds in the UI; the client wants milliseconds. */
export function secondsToMs(seconds: unknown, fallbackSeconds: number): number {
	const value = typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : fallbackSeconds;
	return Math.round(value * 1000);
}
