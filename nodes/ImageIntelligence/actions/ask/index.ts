import type { INodeProperties } from 'n8n-workflow';

import * as create from './create';
import * as get from './get';
import * as search from './search';
import * as waitForCompletion from './waitForCompletion';

export { create, get, search, waitForCompletion };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['ask'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Ask a yes/no question about up to 64 images',
				action: 'Ask a question about images',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the answer and per-image results of a job',
				action: 'Get an ask job',
			},
			{
				name: 'Search',
				value: 'search',
				description: 'Find jobs by custom ID, feed ID or creation time',
				action: 'Search ask jobs',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				description: 'Wait until a job has answered',
				action: 'Wait for an ask job to complete',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...search.description,
	...waitForCompletion.description,
];
