import type { ILoadOptionsFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { openLedger } from './ledger';
import type { LedgerProvider } from './ledger';
import { requiredString } from './parameters';
import type { ItemOperation } from './router';
import type { LedgerClient } from './track';

/** The loadOptions method that lists the trigger nodes the ledger knows (see `listLedgerTriggerNodes`). */
export const TRIGGER_NODES_METHOD = 'listLedgerTriggerNodes';

/**
 * Trigger nodes (workflow id : node id) that polled this provider's jobs, for Job → Re-emit.
 * Errors: the ledger cannot be opened (the message names the file or database).
 */
export function listLedgerTriggerNodes(provider: LedgerProvider) {
	return async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const ledger = await openLedger(undefined, this.logger);
		const known = (await ledger.consumers()).filter((consumer) => consumer.provider === provider);
		return known.map(({ consumer, firstPollAt }) => {
			const [workflowId, nodeId] = consumer.split(':');
			return {
				name: `Workflow ${workflowId}, trigger node ${nodeId}`,
				value: consumer,
				description: `Polling since ${new Date(firstPollAt).toISOString()}`,
			};
		});
	};
}

/**
 * Job → Re-emit: takes jobs the ledger recorded as delivered to one trigger node back, so that
 * node's next poll emits them again while the provider still has them (results it no longer has
 * come as `expired` items). For executions lost after the trigger handed its items over (a worker
 * killed while running the trigger's execution).
 */
export function reemitOperation(settings: { provider: LedgerProvider; providerName: string; jobNoun: string }): ItemOperation<LedgerClient> {
	const properties: INodeProperties[] = [
		{
			displayName: 'Trigger Node Name or ID',
			name: 'triggerNode',
			type: 'options',
			typeOptions: { loadOptionsMethod: TRIGGER_NODES_METHOD },
			default: '',
			required: true,
			description:
				'The Visual AI Trigger node whose jobs to emit again (workflow ID : node ID, as the job ledger knows it). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Jobs',
			name: 'select',
			type: 'options',
			options: [
				{ name: 'By ID', value: 'ids', description: `The ${settings.jobNoun} IDs given below` },
				{ name: 'Delivered Since', value: 'since', description: 'Every job delivered to this trigger node since a time' },
			],
			default: 'ids',
		},
		{
			displayName: 'Job IDs',
			name: 'jobIds',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { select: ['ids'] } },
			description: `${settings.providerName} ${settings.jobNoun} IDs, separated by commas`,
		},
		{
			displayName: 'Delivered Since',
			name: 'since',
			type: 'dateTime',
			default: '',
			required: true,
			displayOptions: { show: { select: ['since'] } },
			description: 'Jobs delivered to the trigger node at or after this time are emitted again',
		},
	];
	return {
		description: updateDisplayOptions({ show: { resource: ['job'], operation: ['reemit'] } }, properties),
		concurrency: 1,
		async execute(context, itemIndex, { account }) {
			const consumer = requiredString(context, 'triggerNode', 'Trigger Node', itemIndex);
			const byIds = context.getNodeParameter('select', itemIndex) === 'ids';
			let jobIds: string[] | undefined;
			let deliveredSince: number | undefined;
			if (byIds) {
				jobIds = requiredString(context, 'jobIds', 'Job IDs', itemIndex)
					.split(',')
					.map((id) => id.trim())
					.filter(Boolean);
			} else {
				deliveredSince = Date.parse(requiredString(context, 'since', 'Delivered Since', itemIndex));
				if (Number.isNaN(deliveredSince)) {
					throw new NodeOperationError(context.getNode(), 'Delivered Since is not a date', {
						itemIndex,
						description: 'Give a date and time such as 2026-11-30T07:00:00Z',
					});
				}
			}
			const ledger = await openLedger(undefined, context.logger);
			const reemitted = await ledger.reemit({ consumer, provider: settings.provider, account, jobIds, deliveredSince });
			return {
				json: {
					triggerNode: consumer,
					reemitted,
					count: reemitted.length,
					...(jobIds ? { notDelivered: jobIds.filter((id) => !reemitted.includes(id)) } : {}),
				},
			};
		},
	};
}
