import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { docsUrl } from '../shared/docs';
import { eyeQuantProvider } from '../VisualAiTrigger/providers/eyeQuant';
import { POLLING_TRIGGER, ledgerNotice, pollTrigger, pollingTriggerProperties } from '../VisualAiTrigger/trigger';

/** Emits each finished EyeQuant analysis the pack recorded, once per trigger node, with its maps. */
export class EyeQuantTrigger implements INodeType {
	description: INodeTypeDescription = {
		...POLLING_TRIGGER,
		displayName: 'EyeQuant Trigger',
		name: 'eyeQuantTrigger',
		icon: { light: 'file:eyequant.svg', dark: 'file:eyequant.dark.svg' },
		subtitle: 'Finished analyses',
		description: 'Predict where people look on a design; the trigger starts a workflow when an analysis finishes, with its scores and maps',
		documentationUrl: docsUrl('eyequant-trigger'),
		defaults: { name: 'EyeQuant Trigger' },
		credentials: [{ name: 'eyeQuantApi', required: true }],
		properties: pollingTriggerProperties(ledgerNotice(eyeQuantProvider), 'eyeQuant'),
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger(this, eyeQuantProvider);
	}
}
