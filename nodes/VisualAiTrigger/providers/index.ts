import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { eyeQuantProvider } from './eyeQuant';
import { piqueProvider } from './pique';
import type { TriggerProvider } from './types';

const PROVIDERS: Record<string, TriggerProvider> = {
	eyeQuant: eyeQuantProvider,
	pique: piqueProvider,
};

export function triggerProvider(node: INode, id: string): TriggerProvider {
	const provider = PROVIDERS[id];
	if (!provider) {
		throw new NodeOperationError(node, `The Visual AI Trigger does not support the provider "${id}"`, {
			description: 'Pick EyeQuant or Pique under "Provider".',
		});
	}
	return provider;
}
