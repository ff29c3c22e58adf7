import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase } from '../shared/descriptions';
import { route } from '../shared/router';
import * as ask from './actions/ask';
import { operations } from './actions/router';
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
		return await route(this, { operations, client: imageIntelligenceClient, defaultConcurrency: 5 });
	}
}
