import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsProperty, readOptions } from './options';
import { pollLedger } from './poll';
import { triggerProvider } from './providers';
import { testEvent } from './testEvent';

export class VisualAiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Visual AI Trigger',
		name: 'visualAiTrigger',
		icon: { light: 'file:visualaitrigger.svg', dark: 'file:visualaitrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Finished " + ($parameter["provider"] === "pique" ? "Pique evaluations" : "EyeQuant analyses")}}',
		description: 'Starts the workflow when EyeQuant analyses or Pique evaluations finish (each job once per trigger)',
		defaults: { name: 'Visual AI Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
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
			{
				displayName:
					'Neither API can list jobs, so this trigger emits the jobs the pack recorded: EyeQuant → Analysis → Create and Pique → Evaluation → Upload / Social Media record theirs; Job → Track records jobs submitted elsewhere. Use the same credential there and here. A newly added trigger starts with the jobs recorded in the 24 hours before its first poll.',
				name: 'ledgerNotice',
				type: 'notice',
				default: '',
			},
			optionsProperty,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const provider = triggerProvider(this.getNode(), this.getNodeParameter('provider', 'eyeQuant') as string);
		const options = readOptions(this, provider.id);
		if (this.getMode() === 'manual') return await testEvent(this, provider, options);
		return await pollLedger(this, provider, options);
	}
}
