import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as credits from './actions/credits';
import * as image from './actions/image';
import { router } from './actions/router';
import * as session from './actions/session';

export class ImageForge implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Image Forge',
		name: 'imageForge',
		icon: { light: 'file:imageforge.svg', dark: 'file:imageforge.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'SEO metadata (title, alt text, caption, tags) and optimised exports for images with Image Forge',
		defaults: { name: 'Image Forge' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'imageForgeApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Credit', value: 'credits' },
					{ name: 'Image', value: 'image' },
					{ name: 'Session', value: 'session' },
				],
				default: 'image',
			},
			...session.description,
			...image.description,
			...credits.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
