import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { PiqueOperations } from '../node.type';
import * as create from './create';
import * as get from './get';
import * as list from './list';

export { create, get, list };

export const description: INodeProperties[] = [
	operationSelector<PiqueOperations, 'judge'>(
		'judge',
		[
			{ name: 'Create', value: 'create', description: 'Create a judge from detectors', action: 'Create a judge' },
			{ name: 'Get', value: 'get', description: 'Get a judge with its detectors', action: 'Get a judge' },
			{ name: 'List', value: 'list', description: 'List the account\'s judges, newest first', action: 'List judges' },
		],
		'list',
	),
	...list.description,
	...get.description,
	...create.description,
];
