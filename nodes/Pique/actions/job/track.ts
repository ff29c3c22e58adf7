import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { registerJobs } from '../../../shared/ledger';
import { flattenResult } from '../../flatten';
import { fetchResult } from '../../results';
import { piqueClient } from '../../transport';
import { DEFAULT_CONCURRENCY, booleanOption, concurrencyOption, jobIdField, numberOption, optionsOf, requiredString } from '../common';

const properties: INodeProperties[] = [
	{
		...jobIdField,
		description: 'The ID of an evaluation job submitted elsewhere (another workflow, a script, the Pique app)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Check It Exists',
				name: 'checkExists',
				type: 'boolean',
				default: true,
				description:
					'Whether to ask Pique for the job first, so a mistyped ID (or a job of another account) fails here instead of never arriving at the trigger',
			},
			concurrencyOption,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['track'] } }, properties);

/** Registers jobs submitted elsewhere, so the Visual AI Trigger emits them when they finish. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client, account } = await piqueClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		const jobId = requiredString(this, 'jobId', 'Job ID', itemIndex);
		const check = booleanOption(optionsOf(this, itemIndex), 'checkExists', true);
		const result = check ? await fetchResult(client, jobId, { itemIndex }) : undefined;
		await registerJobs(this, 'pique', account, [{ jobId }]);
		return { json: { ...(result ? flattenResult(result) : { jobId }), tracked: true } };
	});
}
