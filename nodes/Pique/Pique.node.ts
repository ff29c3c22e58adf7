import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as evaluation from './actions/evaluation';
import * as job from './actions/job';
import * as judge from './actions/judge';
import { router } from './actions/router';
import { listSearch } from './methods';

export class Pique implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pique',
		name: 'pique',
		icon: { light: 'file:pique.svg', dark: 'file:pique.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Score videos, images and audio with Pique judges: uploads, social media videos, judges',
		defaults: { name: 'Pique' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'piqueApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Evaluation', value: 'evaluation' },
					{ name: 'Job', value: 'job', description: 'Evaluations submitted elsewhere, for the Visual AI Trigger' },
					{ name: 'Judge', value: 'judge' },
				],
				default: 'evaluation',
			},
			...evaluation.description,
			...judge.description,
			...job.description,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
