import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { EyeQuantOperations } from '../node.type';
import * as generate from './generate';
import * as get from './get';

export { generate, get };

export const description: INodeProperties[] = [
	operationSelector<EyeQuantOperations, 'recommendations'>(
		'recommendations',
		[
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
		'generate',
	),
	...generate.description,
	...get.description,
];
