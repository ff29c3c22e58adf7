import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DELIVERY_TRIGGER, deliveryWebhookMethods, setupNotice } from '../shared/webhooks/activation';
import { receiveDelivery } from '../shared/webhooks/receive';
import { imageIntelligenceDeliveries } from '../ImageIntelligence/deliveries';
import { docsUrl } from '../shared/docs';

/**
 * Starts the workflow when Image Intelligence calls this node's URL with a finished ask job. The
 * provider signs nothing, so the URL's random path is the gate and the body only a hint: the job is
 * read back with the credential before it is emitted, once per job (see receiveDelivery).
 * n8n's node panel files `imageIntelligenceTrigger` under the Image Intelligence node.
 */
export class ImageIntelligenceTrigger implements INodeType {
	description: INodeTypeDescription = {
		...DELIVERY_TRIGGER,
		displayName: 'Image Intelligence Trigger',
		name: 'imageIntelligenceTrigger',
		icon: { light: 'file:../ImageIntelligence/imageintelligence.svg', dark: 'file:../ImageIntelligence/imageintelligence.dark.svg' },
		documentationUrl: docsUrl('webhook-triggers'),
		subtitle: 'Finished ask jobs, pushed by Image Intelligence',
		description: 'Starts the workflow when Image Intelligence calls with a finished ask job (read back with your credential; each job once)',
		defaults: { name: 'Image Intelligence Trigger' },
		credentials: [{ name: 'imageIntelligenceApi', required: true }],
		properties: [
			setupNotice(
				'Give Image Intelligence this node\'s Production URL (open "Webhook URLs" above) as the job\'s webhook: Image Intelligence → Ask → Create → Options → Webhook URL. Its random path is the only secret (the provider signs nothing), so keep it private. Each call is checked by reading the job with this credential; jobs of other accounts and forged calls emit nothing. Each job is emitted once.',
			),
		],
	};

	// Nothing is registered at Image Intelligence: each job carries its own webhook URL.
	webhookMethods = deliveryWebhookMethods();

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery(this, imageIntelligenceDeliveries);
	}
}
