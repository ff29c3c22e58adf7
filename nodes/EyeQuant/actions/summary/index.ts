import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { EyeQuantOperations } from '../node.type';
import * as generate from './generate';
import * as get from './get';

export { generate, get };

export const description: INodeProperties[] = [
	operationSelector<EyeQuantOperations, 'summary'>(
		'summary',
		[
			{
				name: 'Generate',
				value: 'generate',
				description: 'Start writing the summary of a finished analysis (Markdown), and wait for it',
				action: 'Generate a summary',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the summary of an analysis once it is written',
				action: 'Get a summary',
			},
		],
		'generate',
	),
	...generate.description,
	...get.description,
];
