import type { INodeProperties } from 'n8n-workflow';

import * as getResult from './getResult';
import * as socialMedia from './socialMedia';
import * as upload from './upload';
import * as waitForCompletion from './waitForCompletion';

export { getResult, socialMedia, upload, waitForCompletion };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['evaluation'] } },
		options: [
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
		default: 'upload',
	},
	...upload.description,
	...socialMedia.description,
	...getResult.description,
	...waitForCompletion.description,
];
