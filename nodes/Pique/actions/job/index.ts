import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { PiqueOperations } from '../node.type';
import * as track from './track';

export { track };

export const description: INodeProperties[] = [
	operationSelector<PiqueOperations, 'job'>(
		'job',
		[
			{
				name: 'Track',
				value: 'track',
				description: 'Let the Visual AI Trigger emit an evaluation that was submitted elsewhere once it finishes',
				action: 'Track an evaluation',
			},
		],
		'track',
	),
	...track.description,
];
