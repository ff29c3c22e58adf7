import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ImageForgeApi implements ICredentialType {
	name = 'imageForgeApi';

	displayName = 'Image Forge API';

	icon: Icon = {
		light: 'file:../nodes/ImageForge/imageforge.svg',
		dark: 'file:../nodes/ImageForge/imageforge.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-visual-ai/n8n-nodes-visual-ai#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk-...',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://your-api-domain.com/image-forge-api',
			description: 'Image Forge runs on a base URL of its own per account; the API paths (/v1/...) go under it',
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
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/credits/balance',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Image Forge refused this API key (401 Invalid API key). Copy the key (sk-...) again from your Image Forge account.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'Image Forge says this API key is inactive (403). Activate it, or create a new one, in your Image Forge account.',
				},
			},
		],
	};
}
