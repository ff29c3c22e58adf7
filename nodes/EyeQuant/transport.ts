import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EyeQuantApi } from '../../credentials/EyeQuantApi.credentials';
import { authHeaders } from '../shared/http/auth';
import { ApiClient } from '../shared/http/client';
import type { RequestContext } from '../shared/http/client';
import type { ProviderError, ProviderProfile } from '../shared/http/errors';
import { accountId } from '../shared/ledger';

export const EYEQUANT_CREDENTIAL = 'eyeQuantApi';
const DEFAULT_BASE_URL = 'https://api.eyequant.com/v2';

/** What the client needs from n8n's execute, poll or load-options context. */
export interface EyeQuantContext extends RequestContext {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string, itemIndex?: number): Promise<T>;
}

interface Explanation {
	message?: string;
	hint?: string;
}

const ID_HINT =
	'Get and Wait for Completion take the screenshot id (`screenshotId`, from Analysis → Create); Update Metadata, Summary and Recommendations take the analysis id (`analysisId`, present once the analysis succeeded).';

/** EyeQuant's documented error codes, in words a workflow builder can act on. */
const CODES: Record<string, (status: number) => Explanation> = {
	resource_gone: () => ({
		message: 'this analysis expired one hour after it finished; results can no longer be retrieved',
		hint: 'EyeQuant deletes an analysis, its scores and its maps one hour after it finishes. To keep them, use Wait for Completion with "Download Outputs" on, or the Visual AI Trigger, right after submitting; otherwise submit the design again.',
	}),
	authentication_failed: () => ({
		message: 'EyeQuant refused the API key',
		hint: 'Check the API key and the base URL in the EyeQuant credential.',
	}),
	analysis_not_found: () => ({
		message: 'analysis_not_found: no finished analysis has this analysis id',
		hint: `This call needs the analysis id, which EyeQuant gives only once an analysis succeeded. ${ID_HINT}`,
	}),
	summary_not_found: () => ({
		message: 'summary_not_found: no summary was generated for this analysis yet',
		hint: 'Run Summary → Generate first (with "Wait Until Completed" on, it also returns the summary).',
	}),
	recommendations_not_found: () => ({
		message: 'recommendations_not_found: no recommendations were generated for this analysis yet',
		hint: 'Run Recommendations → Generate first (with "Wait Until Completed" on, it also returns them).',
	}),
	analysis_expired: () => ({
		message: 'analysis_expired: this generated text (or the analysis behind it) has expired',
		hint: 'EyeQuant keeps summaries and recommendations for one hour after they start: run Generate again to regenerate them. If the analysis itself is gone, submit the design again.',
	}),
	generation_failed: () => ({
		message: 'generation_failed: EyeQuant could not generate the text',
		hint: 'Run Generate again; if it keeps failing, the analysis may not support it.',
	}),
	over_capacity: () => ({ hint: 'EyeQuant is over capacity right now: try again in a few minutes, or lower the Concurrency option.' }),
	invalid_input_configuration: () => ({
		hint: 'Check the node parameters: medium, title, and the predictions with their outputs.',
	}),
	blank_input_image: () => ({ hint: 'The image is a single colour, so there is nothing to analyse. Send the real design.' }),
	unreadable_input_image: () => ({ hint: 'EyeQuant could not read the image: send a PNG or JPEG file that opens in an image viewer.' }),
	could_not_grab_web_page: () => ({ hint: 'EyeQuant could not load the page. Send a screenshot of it as an image instead.' }),
	client_error: (status) => (status === 404 ? { hint: `Nothing exists under this id for this account. ${ID_HINT}` } : {}),
};

/** Summary/recommendation errors come as `{success:false,msg:"<code>"}`: the code is the message. */
function codeOf(error: ProviderError): string | undefined {
	if (error.code) return error.code;
	return error.message && /^[a-z]+(_[a-z]+)+$/.test(error.message) ? error.message : undefined;
}

export const EYEQUANT_PROFILE: ProviderProfile = {
	name: 'EyeQuant',
	explain(status, error) {
		const code = codeOf(error);
		if (code && CODES[code]) return CODES[code](status);
		if (status === 410) return CODES.resource_gone(status);
		if (status === 401) return CODES.authentication_failed(status);
		return undefined;
	},
};

/**
 * The API client for the node's EyeQuant credential (Bearer key; never sent to map URLs), and the
 * ledger's account id of that credential (a hash of base URL and key, never the key).
 */
export async function eyeQuantClient(context: EyeQuantContext): Promise<{ client: ApiClient; account: string }> {
	const credentials = await context.getCredentials(EYEQUANT_CREDENTIAL);
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const baseUrl = (typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim()) || DEFAULT_BASE_URL;
	if (!apiKey) {
		throw new NodeOperationError(context.getNode(), 'The EyeQuant credential has no API key', {
			description: 'Open the EyeQuant credential and paste the API key from your EyeQuant account.',
		});
	}
	const base = baseUrl.replace(/\/+$/, '');
	const client = new ApiClient(context, {
		provider: EYEQUANT_PROFILE,
		baseUrl: base,
		headers: authHeaders(new EyeQuantApi().authenticate, { apiKey }),
		secrets: [apiKey],
	});
	return { client, account: accountId(base, apiKey) };
}
