import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DELIVERY_TRIGGER, deliveryWebhookMethods, setupNotice } from '../shared/webhooks/activation';
import { receiveDelivery } from '../shared/webhooks/receive';
import { piqueDeliveries, piqueWebhookSecret } from '../Pique/deliveries';
import { docsUrl } from '../shared/docs';

/**
 * Starts the workflow when Pique calls this node's URL with a finished evaluation: the call's
 * signature is checked, the result read back from Pique, and each evaluation emitted once
 * (see receiveDelivery). Named so that it does not take the `piqueTrigger` name of the polling
 * trigger, which n8n's node panel files under Pique; searching "Pique" finds both.
 */
export class PiqueWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		...DELIVERY_TRIGGER,
		displayName: 'Pique Webhook Trigger',
		name: 'piqueWebhookTrigger',
		icon: { light: 'file:../Pique/pique.svg', dark: 'file:../Pique/pique.dark.svg' },
		documentationUrl: docsUrl('webhook-triggers'),
		subtitle: 'Finished evaluations, pushed by Pique',
		description: 'Starts the workflow when Pique calls with a finished evaluation (signed webhook; each evaluation once)',
		defaults: { name: 'Pique Webhook Trigger' },
		credentials: [{ name: 'piqueApi', required: true }],
		properties: [
			setupNotice(
				'Give Pique this node\'s Production URL (open "Webhook URLs" above): as your organisation\'s webhook URL in Pique, or per job in Pique → Evaluation → Upload / Evaluate Social Media Videos → Options → Webhook URL. Set the Webhook Secret in the Pique credential: calls without a valid X-Webhook-Signature are refused (401). Each evaluation is read back from Pique and emitted once, however often Pique calls.',
			),
		],
	};

	// Nothing is registered at Pique (it has no API for that): the URL is given to Pique by hand.
	webhookMethods = deliveryWebhookMethods(async (context) => {
		if (await piqueWebhookSecret(context)) return;
		throw new NodeOperationError(context.getNode(), 'The Pique credential has no Webhook Secret', {
			description:
				'The trigger refuses every call it cannot verify. Copy your organisation\'s webhook secret from Pique into the credential\'s Webhook Secret field.',
		});
	});

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery(this, piqueDeliveries);
	}
}
