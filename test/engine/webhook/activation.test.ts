import { randomUUID } from 'node:crypto';

import type { INodeType } from 'n8n-workflow';

import { ImageIntelligenceTrigger } from '../../../nodes/ImageIntelligenceTrigger/ImageIntelligenceTrigger.node';
import { PiqueWebhookTrigger } from '../../../nodes/PiqueWebhookTrigger/PiqueWebhookTrigger.node';
import { hookContext } from '../../helpers/engine';
import type { CredentialStore } from '../../helpers/engine';

const pique = { apiKey: 'pq_sandbox_key', environment: 'custom', baseUrl: 'http://127.0.0.1:1/pique' };
const imageIntelligence = { clientId: 'ii-sandbox-client', clientSecret: 'ii-sandbox-secret', baseUrl: 'http://127.0.0.1:1/imageintelligence/v2' };

async function publish(nodeType: INodeType, credentials: CredentialStore, webhookId?: string): Promise<boolean> {
	const context = await hookContext(nodeType, { parameters: {}, credentials, webhookId });
	const checkExists = nodeType.webhookMethods?.default?.checkExists;
	if (!checkExists) throw new Error('no checkExists');
	return await checkExists.call(context);
}

describe('publishing a webhook trigger (n8n runs its webhookMethods)', () => {
	it('refuses a node whose URL is not random (no webhookId, or one that is not a UUID)', async () => {
		for (const [nodeType, credentials] of [
			[new PiqueWebhookTrigger(), { piqueApi: { ...pique, webhookSecret: 'whsec_x' } }],
			[new ImageIntelligenceTrigger(), { imageIntelligenceApi: imageIntelligence }],
		] as const) {
			await expect(publish(nodeType, credentials)).rejects.toThrow('This trigger\'s webhook URL is not random');
			await expect(publish(nodeType, credentials, 'image-intelligence')).rejects.toThrow('This trigger\'s webhook URL is not random');
			await expect(publish(nodeType, credentials, randomUUID())).resolves.toBe(true);
		}
	});

	it('refuses the Pique Webhook Trigger while its credential has no Webhook Secret', async () => {
		await expect(publish(new PiqueWebhookTrigger(), { piqueApi: pique }, randomUUID())).rejects.toThrow('The Pique credential has no Webhook Secret');
		await expect(publish(new PiqueWebhookTrigger(), { piqueApi: { ...pique, webhookSecret: '  ' } }, randomUUID())).rejects.toThrow('no Webhook Secret');
	});
});
