import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { EyeQuantOperations } from '../node.type';
import * as create from './create';
import * as get from './get';
import * as updateMetadata from './updateMetadata';
import * as waitForCompletion from './waitForCompletion';

export { create, get, updateMetadata, waitForCompletion };

export const description: INodeProperties[] = [
	operationSelector<EyeQuantOperations, 'analysis'>(
		'analysis',
		[
			{
				name: 'Create',
				value: 'create',
				description: 'Submit a design (PNG or JPEG) for analysis',
				action: 'Create an analysis',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the status, scores and map links of an analysis',
				action: 'Get an analysis',
			},
			{
				name: 'Update Metadata',
				value: 'updateMetadata',
				description: 'Set the description and goal of a finished analysis',
				action: 'Update the metadata of an analysis',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				description: 'Wait until an analysis succeeded or failed, and download its maps right away',
				action: 'Wait for an analysis to complete',
			},
		],
		'create',
	),
	...create.description,
	...get.description,
	...waitForCompletion.description,
	...updateMetadata.description,
];
