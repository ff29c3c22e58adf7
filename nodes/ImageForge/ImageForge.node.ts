import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase, resourceSelector } from '../shared/descriptions';
import { route } from '../shared/router';
import * as credits from './actions/credits';
import * as image from './actions/image';
import { operations } from './actions/router';
import * as session from './actions/session';
import { imageForgeClient } from './transport';
import { docsUrl } from '../shared/docs';
import { simplifyProperties } from '../shared/simplify';

export class ImageForge implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBase,
		displayName: 'Image Forge',
		name: 'imageForge',
		icon: { light: 'file:imageforge.svg', dark: 'file:imageforge.dark.svg' },
		subtitle: RESOURCE_SUBTITLE,
		description: 'SEO metadata (title, alt text, caption, tags) and optimised exports for images with Image Forge',
		documentationUrl: docsUrl('image-forge'),
		defaults: { name: 'Image Forge' },
		usableAsTool: true,
		credentials: [{ name: 'imageForgeApi', required: true }],
		properties: [
			resourceSelector(
				[
					{ name: 'Credit', value: 'credits' },
					{ name: 'Image', value: 'image' },
					{ name: 'Session', value: 'session' },
				],
				'image',
			),
			...session.description,
			...image.description,
			...credits.description,
			...simplifyProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this, { operations, client: imageForgeClient, defaultConcurrency: 5 });
	}
}
