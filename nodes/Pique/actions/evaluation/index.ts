import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { PiqueOperations } from '../node.type';
import * as getResult from './getResult';
import * as socialMedia from './socialMedia';
import * as upload from './upload';
import * as waitForCompletion from './waitForCompletion';

export { getResult, socialMedia, upload, waitForCompletion };

export const description: INodeProperties[] = [
	operationSelector<PiqueOperations, 'evaluation'>(
		'evaluation',
		[
			{
				name: 'Evaluate Social Media Videos',
				value: 'evaluateSocialMedia',
				description: 'Have a video judge score TikTok, Instagram or YouTube videos by their links',
				action: 'Evaluate social media videos',
			},
			{
				name: 'Get Result',
				value: 'getResult',
				description: 'Get the status and, once completed, the scores of an evaluation',
				action: 'Get the result of an evaluation',
			},
			{
				name: 'Upload',
				value: 'upload',
				description: 'Upload a video, image or audio file for a judge to score',
				action: 'Upload a file for evaluation',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				description: 'Wait until an evaluation completed or failed',
				action: 'Wait for an evaluation to complete',
			},
		],
		'upload',
	),
	...upload.description,
	...socialMedia.description,
	...getResult.description,
	...waitForCompletion.description,
];
