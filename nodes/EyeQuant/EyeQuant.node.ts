import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as analysis from './actions/analysis';
import * as job from './actions/job';
import * as recommendations from './actions/recommendations';
import { router } from './actions/router';
import * as summary from './actions/summary';

export class EyeQuant implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'EyeQuant',
		name: 'eyeQuant',
		icon: { light: 'file:eyequant.svg', dark: 'file:eyequant.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Predict where people look on a design: attention maps, clarity and excitingness scores, summaries',
		defaults: { name: 'EyeQuant' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'eyeQuantApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Analysis', value: 'analysis' },
					{ name: 'Job', value: 'job', description: 'Analyses submitted elsewhere, for the Visual AI Trigger' },
					{ name: 'Recommendation', value: 'recommendations' },
					{ name: 'Summary', value: 'summary' },
				],
				default: 'analysis',
			},
			...analysis.description,
			...summary.description,
			...recommendations.description,
			...job.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
