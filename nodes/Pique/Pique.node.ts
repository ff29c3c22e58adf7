import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase, resourceSelector } from '../shared/descriptions';
import { route } from '../shared/router';
import * as evaluation from './actions/evaluation';
import * as job from './actions/job';
import * as judge from './actions/judge';
import { operations } from './actions/router';
import { listLedgerTriggerNodes, TRIGGER_NODES_METHOD } from '../shared/reemit';
import { listSearch } from './methods';
import { piqueClient } from './transport';

export class Pique implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBase,
		displayName: 'Pique',
		name: 'pique',
		icon: { light: 'file:pique.svg', dark: 'file:pique.dark.svg' },
		subtitle: RESOURCE_SUBTITLE,
		description: 'Score videos, images and audio with Pique judges: uploads, social media videos, judges',
		defaults: { name: 'Pique' },
		usableAsTool: true,
		credentials: [{ name: 'piqueApi', required: true }],
		properties: [
			resourceSelector(
				[
					{ name: 'Evaluation', value: 'evaluation' },
					{ name: 'Job', value: 'job', description: 'Evaluations submitted elsewhere, for the Visual AI Trigger' },
					{ name: 'Judge', value: 'judge' },
				],
				'evaluation',
			),
			...evaluation.description,
			...judge.description,
			...job.description,
		],
	};

	methods = { listSearch, loadOptions: { [TRIGGER_NODES_METHOD]: listLedgerTriggerNodes('pique') } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this, { operations, client: piqueClient, defaultConcurrency: 5 });
	}
}
