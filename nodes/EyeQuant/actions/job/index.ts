import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { EyeQuantOperations } from '../node.type';
import * as reemit from './reemit';
import * as track from './track';

export { reemit, track };

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
			{
				name: 'Re-Emit',
				value: 'reemit',
				description: `Let a Visual AI Trigger node emit analyses again that it delivered to an execution that was lost`,
				action: 'Re-emit jobs to a trigger node',
			},
		],
		'track',
	),
	...track.description,
	...reemit.description,
];
