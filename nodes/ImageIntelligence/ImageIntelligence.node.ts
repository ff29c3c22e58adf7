import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase } from '../shared/descriptions';
import { route } from '../shared/router';
import * as ask from './actions/ask';
import { CALLBACK_WEBHOOKS, isWaitMode, resumeOnCallback, waitForCallbacks } from '../shared/webhooks/callback-wait';
import { operations } from './actions/router';
import { imageIntelligenceDeliveries } from './deliveries';
import { imageIntelligenceClient } from './transport';
import { docsUrl } from '../shared/docs';
import { simplifyProperties } from '../shared/simplify';

export class ImageIntelligence implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBase,
		displayName: 'Image Intelligence',
		name: 'imageIntelligence',
		icon: { light: 'file:imageintelligence.svg', dark: 'file:imageintelligence.dark.svg' },
		subtitle: RESOURCE_SUBTITLE,
		description: 'Ask yes/no questions about images ("Is the garage door open?") and see which image answered yes',
		documentationUrl: docsUrl('image-intelligence'),
		defaults: { name: 'Image Intelligence' },
		usableAsTool: true,
		credentials: [{ name: 'imageIntelligenceApi', required: true }],
		// Wait mode: the execution's resume URL, called by Image Intelligence when the jobs finish.
		webhooks: CALLBACK_WEBHOOKS,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Ask', value: 'ask', description: 'Yes/no questions about a set of images' }],
				default: 'ask',
			},
			...ask.description,
			...simplifyProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const waiting = this.getNodeParameter('operation', 0) === 'create' && isWaitMode(this);
		const output = await route(this, { operations, client: imageIntelligenceClient, defaultConcurrency: 5 });
		if (!waiting) return output;
		const { account } = await imageIntelligenceDeliveries.connect(this);
		return await waitForCallbacks(this, output, { provider: 'imageIntelligence', account });
	}

	/** Image Intelligence calling a waiting execution back (Wait for the Result: until it calls back). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeOnCallback(this, imageIntelligenceDeliveries);
	}
}
