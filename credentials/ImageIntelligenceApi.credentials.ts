import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class ImageIntelligenceApi implements ICredentialType {
	name = 'imageIntelligenceApi';

	displayName = 'Image Intelligence API';

	icon: Icon = {
		light: 'file:../nodes/ImageIntelligence/imageintelligence.svg',
		dark: 'file:../nodes/ImageIntelligence/imageintelligence.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-visual-ai/n8n-nodes-visual-ai#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.imageintelligence.com/v2',
			description: 'Change only to reach a test server, e.g. the local sandbox of this node pack',
		},
	];

	// The node exchanges the client id and secret for an access token itself and caches it;
	// the test makes that same exchange once.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/oauth/token',
			method: 'POST',
			body: {
				clientId: '={{$credentials.clientId}}',
				clientSecret: '={{$credentials.clientSecret}}',
			},
			json: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Image Intelligence refused this Client ID and Client Secret (401 invalid_client). Copy both again from your Image Intelligence account; a secret that was rotated stops working.',
				},
			},
		],
	};
}
