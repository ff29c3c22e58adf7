import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { ImageIntelligenceOperations } from '../node.type';
import * as create from './create';
import * as get from './get';
import * as search from './search';
import * as waitForCompletion from './waitForCompletion';

export { create, get, search, waitForCompletion };

export const description: INodeProperties[] = [
	operationSelector<ImageIntelligenceOperations, 'ask'>(
		'ask',
		[
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
		'create',
	),
	...create.description,
	...get.description,
	...search.description,
	...waitForCompletion.description,
];
