import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { EyeQuantOperations } from '../node.type';
import * as track from './track';

export { track };

export const description: INodeProperties[] = [
	operationSelector<EyeQuantOperations, 'job'>(
		'job',
		[
			{
				name: 'Track',
				value: 'track',
				description: 'Let the Visual AI Trigger emit an analysis that was submitted elsewhere once it finishes',
				action: 'Track an analysis',
			},
		],
		'track',
	),
	...track.description,
];
