import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as ask from './actions/ask';
import { router } from './actions/router';

export class ImageIntelligence implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Image Intelligence',
		name: 'imageIntelligence',
		icon: { light: 'file:imageintelligence.svg', dark: 'file:imageintelligence.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Ask yes/no questions about images ("Is the garage door open?") and see which image answered yes',
		defaults: { name: 'Image Intelligence' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
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
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
