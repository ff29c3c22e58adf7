import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { docsUrl } from '../shared/docs';
import { triggerProvider } from './providers';
import { POLLING_TRIGGER, pollTrigger, pollingTriggerProperties } from './trigger';

/**
 * The first trigger of the pack, one node for both providers (Provider = EyeQuant or Pique). Kept,
 * hidden from the node panel, so that workflows using it keep working; new workflows use the
 * EyeQuant Trigger and the Pique Trigger, listed with their action nodes.
 */
export class VisualAiTrigger implements INodeType {
	description: INodeTypeDescription = {
		...POLLING_TRIGGER,
		displayName: 'Visual AI Trigger',
		name: 'visualAiTrigger',
		icon: { light: 'file:visualaitrigger.svg', dark: 'file:visualaitrigger.dark.svg' },
		subtitle: '={{"Finished " + ($parameter["provider"] === "pique" ? "Pique evaluations" : "EyeQuant analyses")}}',
		description: 'Starts the workflow when EyeQuant analyses or Pique evaluations finish (each job once per trigger)',
		documentationUrl: docsUrl('visual-ai-trigger-earlier-workflows'),
		defaults: { name: 'Visual AI Trigger' },
		hidden: true,
		credentials: [
			{ name: 'eyeQuantApi', required: true, displayOptions: { show: { provider: ['eyeQuant'] } } },
			{ name: 'piqueApi', required: true, displayOptions: { show: { provider: ['pique'] } } },
		],
		properties: [
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'EyeQuant', value: 'eyeQuant', description: 'Finished attention analyses, with their maps' },
					{ name: 'Pique', value: 'pique', description: 'Finished judge evaluations' },
				],
				default: 'eyeQuant',
			},
			...pollingTriggerProperties(
				'This node is replaced by the EyeQuant Trigger and the Pique Trigger (each with its own credential); it keeps working in the workflows that use it. Neither API can list jobs, so it emits the jobs the pack recorded with the same credential (Create / Upload / Social Media, or Job → Track).',
			),
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger(this, triggerProvider(this.getNode(), this.getNodeParameter('provider', 'eyeQuant') as string));
	}
}
