import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export const PIQUE_BASE_URLS = {
	production: 'https://api.getpique.ai',
	sandbox: 'https://api-sandbox.getpique.ai',
} as const;

export class PiqueApi implements ICredentialType {
	name = 'piqueApi';

	displayName = 'Pique API';

	icon: Icon = { light: 'file:../nodes/Pique/pique.svg', dark: 'file:../nodes/Pique/pique.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-visual-ai/n8n-nodes-visual-ai#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'pq_...',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Sandbox', value: 'sandbox' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'production',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4010/pique',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Your organisation\'s webhook signing secret from Pique. Only the Pique Webhook Trigger needs it: it checks the X-Webhook-Signature of every call with it and refuses unsigned or wrongly signed calls.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'X-API-Key': '={{$credentials.apiKey}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.environment === "sandbox" ? "${PIQUE_BASE_URLS.sandbox}" : "${PIQUE_BASE_URLS.production}")}}`,
			url: '/v1/judges',
			qs: { limit: 1 },
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Pique refused this API key (401). Copy the key (pq_...) again from your Pique account, and check that Environment matches it: sandbox keys work only with Sandbox.',
				},
			},
		],
	};
}
