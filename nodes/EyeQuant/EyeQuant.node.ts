import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase, resourceSelector } from '../shared/descriptions';
import { listLedgerTriggerNodes, TRIGGER_NODES_METHOD } from '../shared/reemit';
import { route } from '../shared/router';
import * as analysis from './actions/analysis';
import * as job from './actions/job';
import * as recommendations from './actions/recommendations';
import { operations } from './actions/router';
import * as summary from './actions/summary';
import { eyeQuantClient } from './transport';
import { docsUrl } from '../shared/docs';
import { simplifyProperties } from '../shared/simplify';

export class EyeQuant implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBase,
		displayName: 'EyeQuant',
		name: 'eyeQuant',
		icon: { light: 'file:eyequant.svg', dark: 'file:eyequant.dark.svg' },
		description: 'Predict where people look on a design: attention maps, clarity and excitingness scores, summaries',
		subtitle: RESOURCE_SUBTITLE,
		documentationUrl: docsUrl('eyequant'),
		defaults: { name: 'EyeQuant' },
		usableAsTool: true,
		credentials: [{ name: 'eyeQuantApi', required: true }],
		properties: [
			resourceSelector(
				[
					{ name: 'Analysis', value: 'analysis' },
					{ name: 'Job', value: 'job', description: 'Analyses submitted elsewhere, for the Visual AI Trigger' },
					{ name: 'Recommendation', value: 'recommendations' },
					{ name: 'Summary', value: 'summary' },
				],
				'analysis',
			),
			...analysis.description,
			...summary.description,
			...recommendations.description,
			...job.description,
			...simplifyProperties,
		],
	};

	methods = { loadOptions: { [TRIGGER_NODES_METHOD]: listLedgerTriggerNodes('eyeQuant') } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this, { operations, client: eyeQuantClient, defaultConcurrency: 5 });
	}
}
