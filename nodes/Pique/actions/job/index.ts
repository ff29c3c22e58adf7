import type { INodeProperties } from 'n8n-workflow';

import * as track from './track';

export { track };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Track',
				value: 'track',
				description: 'Let the Visual AI Trigger emit an evaluation that was submitted elsewhere once it finishes',
				action: 'Track an evaluation',
			},
		],
		default: 'track',
	},
	...track.description,
];
