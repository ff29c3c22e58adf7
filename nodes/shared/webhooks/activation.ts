import type { IHookFunctions, INodeProperties, INodeType, INodeTypeDescription, IWebhookDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

/**
 * The one POST endpoint of a webhook trigger. n8n answers 200 as soon as the node hands it the
 * item ("respond immediately"), before the workflow runs; refusals are answered by the node itself.
 */
export const DELIVERY_WEBHOOKS: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
];

/** What both delivery webhook triggers have in their description (spread into its literal). */
export const DELIVERY_TRIGGER = {
	group: ['trigger'],
	version: 1,
	inputs: [],
	outputs: [NodeConnectionTypes.Main],
	webhooks: DELIVERY_WEBHOOKS,
} satisfies Partial<INodeTypeDescription>;

/** The notice at the top of a delivery trigger's panel: what to give the provider, and what is checked. */
export function setupNotice(text: string): INodeProperties {
	return { displayName: text, name: 'setupNotice', type: 'notice', default: '' };
}

const RANDOM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A webhook trigger's URL must not be guessable: n8n puts the node's `webhookId` (a random UUID the
 * editor gives every new webhook node, 122 random bits) into the path. A node without one would
 * listen on `<workflow id>/<node name>/webhook`, which anyone who knows the workflow can guess, so
 * activation fails instead (hand-written or imported workflow JSON without a `webhookId`).
 */
export function requireRandomWebhookPath(context: IHookFunctions): void {
	const node = context.getNode();
	if (node.webhookId && RANDOM_ID.test(node.webhookId)) return;
	throw new NodeOperationError(node, 'This trigger\'s webhook URL is not random', {
		description:
			'Its URL would be guessable, and anyone who guesses it could call it. Delete the node and add it again from the node panel (n8n then gives it a random URL), or give it a "webhookId" that is a random UUID in the workflow JSON.',
	});
}

/**
 * The activation hooks of a delivery webhook trigger: nothing is registered at the provider (the
 * user gives it the URL by hand), but activation fails unless the URL is random and `check` passes
 * (e.g. the credential has what verifying a call needs).
 */
export function deliveryWebhookMethods(check?: (context: IHookFunctions) => Promise<void>): INodeType['webhookMethods'] {
	return {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				requireRandomWebhookPath(this);
				await check?.(this);
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};
}
