import type { INodeProperties } from 'n8n-workflow';

import * as upload from './upload';

export { upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Upload',
				value: 'upload',
				description: 'Upload the images of the input items into a new session (free); outputs one item per image',
				action: 'Upload images to a session',
			},
		],
		default: 'upload',
	},
	...upload.description,
];
