import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { PiqueOperations } from '../node.type';
import * as reemit from './reemit';
import * as track from './track';

export { reemit, track };

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
			{
				name: 'Re-Emit',
				value: 'reemit',
				description: `Let a Visual AI Trigger node emit evaluations again that it delivered to an execution that was lost`,
				action: 'Re-emit jobs to a trigger node',
			},
		],
		'track',
	),
	...track.description,
	...reemit.description,
];
