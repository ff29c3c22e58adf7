import type { INodeProperties } from 'n8n-workflow';

import * as generate from './generate';
import * as get from './get';

export { generate, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['recommendations'] } },
		options: [
			{
				name: 'Generate',
				value: 'generate',
				description: 'Start writing the recommendations of a finished analysis (Markdown), and wait for it',
				action: 'Generate recommendations',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the recommendations of an analysis once it is written',
				action: 'Get recommendations',
			},
		],
		default: 'generate',
	},
	...generate.description,
	...get.description,
];
