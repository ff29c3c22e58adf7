import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class EyeQuantApi implements ICredentialType {
	name = 'eyeQuantApi';

	displayName = 'EyeQuant API';

	icon: Icon = { light: 'file:../nodes/EyeQuant/eyequant.svg', dark: 'file:../nodes/EyeQuant/eyequant.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-visual-ai/n8n-nodes-visual-ai#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API key from your EyeQuant account, sent as a Bearer token',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.eyequant.com/v2',
			description: 'Change only to reach a test server, e.g. the local sandbox of this node pack',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
		},
	};

	// EyeQuant has no "who am I" endpoint. Asking for an analysis id that cannot exist answers
	// 404 with a valid key and 401 `authentication_failed` with a wrong one.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/analyses/n8n-credential-test',
			method: 'GET',
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.code',
					value: 'authentication_failed',
					message: 'EyeQuant refused this API key (authentication_failed). Copy the key again from your EyeQuant account.',
				},
			},
		],
	};
}
