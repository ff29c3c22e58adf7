import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { ImageForgeOperations } from '../node.type';
import * as upload from './upload';

export { upload };

export const description: INodeProperties[] = [
	operationSelector<ImageForgeOperations, 'session'>(
		'session',
		[
			{
				name: 'Upload',
				value: 'upload',
				description: 'Upload the images of the input items into a new session (free); outputs one item per image',
				action: 'Upload images to a session',
			},
		],
		'upload',
	),
	...upload.description,
];
