import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RESOURCE_SUBTITLE, actionNodeBase, resourceSelector } from '../shared/descriptions';
import { route } from '../shared/router';
import * as evaluation from './actions/evaluation';
import * as job from './actions/job';
import * as judge from './actions/judge';
import { operations } from './actions/router';
import { CALLBACK_WEBHOOKS, isWaitMode, resumeOnCallback, waitForCallbacks } from '../shared/webhooks/callback-wait';
import { piqueDeliveries, piqueWebhookSecret } from './deliveries';
import { listLedgerTriggerNodes, TRIGGER_NODES_METHOD } from '../shared/reemit';
import { listSearch } from './methods';
import { piqueClient } from './transport';
import { docsUrl } from '../shared/docs';
import { simplifyProperties } from '../shared/simplify';

/** Operations that submit evaluations and can wait for Pique's call. */
const WAIT_OPERATIONS = new Set(['upload', 'evaluateSocialMedia']);

export class Pique implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBase,
		displayName: 'Pique',
		name: 'pique',
		icon: { light: 'file:pique.svg', dark: 'file:pique.dark.svg' },
		subtitle: RESOURCE_SUBTITLE,
		description: 'Score videos, images and audio with Pique judges: uploads, social media videos, judges',
		documentationUrl: docsUrl('pique'),
		defaults: { name: 'Pique' },
		usableAsTool: true,
		credentials: [{ name: 'piqueApi', required: true }],
		// Wait mode: the execution's resume URL, called by Pique when the evaluations finish.
		webhooks: CALLBACK_WEBHOOKS,
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
			...simplifyProperties,
		],
	};

	methods = { listSearch, loadOptions: { [TRIGGER_NODES_METHOD]: listLedgerTriggerNodes('pique') } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const waiting = WAIT_OPERATIONS.has(this.getNodeParameter('operation', 0) as string) && isWaitMode(this);
		if (waiting && !(await piqueWebhookSecret(this))) {
			throw new NodeOperationError(this.getNode(), 'Waiting for Pique\'s call needs the Webhook Secret in the Pique credential', {
				description: 'The node checks the signature of Pique\'s call with it. Copy your organisation\'s webhook secret from Pique into the credential, or set Wait for the Result to "No". Nothing was submitted.',
			});
		}
		const output = await route(this, { operations, client: piqueClient, defaultConcurrency: 5 });
		if (!waiting) return output;
		const { account } = await piqueClient(this);
		return await waitForCallbacks(this, output, { provider: 'pique', account });
	}

	/** Pique calling a waiting execution back (Wait for the Result: until Pique calls back). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeOnCallback(this, piqueDeliveries);
	}
}
