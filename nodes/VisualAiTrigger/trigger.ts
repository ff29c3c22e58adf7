import type { INodeExecutionData, INodeProperties, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { LedgerProvider } from '../shared/ledger';
import { optionsProperty, readOptions } from './options';
import { pollLedger } from './poll';
import { testEvent } from './testEvent';
import type { TriggerProvider } from './providers/types';

/**
 * The parameters every polling trigger of the pack ends with: where its jobs come from (a notice)
 * and its Options; `provider` limits the options to that provider's (without it, the Visual AI
 * Trigger's Provider parameter decides which show).
 */
export function pollingTriggerProperties(notice: string, provider?: LedgerProvider): INodeProperties[] {
	return [{ displayName: notice, name: 'ledgerNotice', type: 'notice', default: '' }, optionsProperty(provider)];
}

/** A polling trigger's fixed description fields (n8n lists `group: trigger` nodes named `<action node>Trigger` with that node). */
export const POLLING_TRIGGER = {
	group: ['trigger'],
	version: 1,
	polling: true,
	inputs: [],
	outputs: [NodeConnectionTypes.Main],
} satisfies Partial<INodeTypeDescription>;

/** The notice a trigger shows above its options: where its jobs come from. */
export function ledgerNotice(provider: TriggerProvider): string {
	return `${provider.label} cannot list jobs, so this trigger emits the ones the pack recorded: ${provider.submitHint}. Use the same credential there and here. A newly added trigger starts with the jobs recorded in the 24 hours before its first poll.`;
}

/**
 * One poll of any of the pack's polling triggers: "Fetch Test Event" in the editor (manual mode),
 * otherwise a scheduled poll of the ledger. The ledger's consumer is the workflow id and node id,
 * whatever the node type, so each job is emitted once per trigger node.
 */
export async function pollTrigger(context: IPollFunctions, provider: TriggerProvider): Promise<INodeExecutionData[][] | null> {
	const options = readOptions(context, provider.id);
	if (context.getMode() === 'manual') return await testEvent(context, provider, options);
	return await pollLedger(context, provider, options);
}
