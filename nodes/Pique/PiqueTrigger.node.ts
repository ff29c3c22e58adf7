import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { docsUrl } from '../shared/docs';
import { piqueProvider } from '../VisualAiTrigger/providers/pique';
import { POLLING_TRIGGER, ledgerNotice, pollTrigger, pollingTriggerProperties } from '../VisualAiTrigger/trigger';

/** Emits each finished Pique evaluation the pack recorded, once per trigger node. */
export class PiqueTrigger implements INodeType {
	description: INodeTypeDescription = {
		...POLLING_TRIGGER,
		displayName: 'Pique Trigger',
		name: 'piqueTrigger',
		icon: { light: 'file:pique.svg', dark: 'file:pique.dark.svg' },
		subtitle: 'Finished evaluations',
		description: 'AI judges score videos, images and audio; the trigger starts a workflow when an evaluation finishes, with its scores',
		documentationUrl: docsUrl('pique-trigger'),
		defaults: { name: 'Pique Trigger' },
		credentials: [{ name: 'piqueApi', required: true }],
		properties: pollingTriggerProperties(ledgerNotice(piqueProvider), 'pique'),
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger(this, piqueProvider);
	}
}
