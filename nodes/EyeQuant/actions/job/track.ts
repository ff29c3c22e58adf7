import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { registerJobs } from '../../../shared/ledger';
import { analysisJson, flattenAnalysis } from '../../flatten';
import { eyeQuantClient } from '../../transport';
import { fetchAnalysis } from '../analysis/result';
import { DEFAULT_CONCURRENCY, booleanOption, concurrencyOption, numberOption, optionsOf, requiredString, screenshotIdField } from '../common';

const properties: INodeProperties[] = [
	{
		...screenshotIdField,
		description: 'The screenshot ID of an analysis submitted elsewhere (another workflow, a script, the EyeQuant app)',
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
					'Whether to ask EyeQuant for the analysis first, so a mistyped ID (404) or an expired one (410) fails here instead of never arriving at the trigger',
			},
			concurrencyOption,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['track'] } }, properties);

/** Registers analyses submitted elsewhere, so the Visual AI Trigger emits them when they finish. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client, account } = await eyeQuantClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		const screenshotId = requiredString(this, 'screenshotId', 'Screenshot ID', itemIndex);
		const check = booleanOption(optionsOf(this, itemIndex), 'checkExists', true);
		const analysis = check ? await fetchAnalysis(client, screenshotId, itemIndex) : undefined;
		await registerJobs(this, 'eyeQuant', account, [{ jobId: screenshotId }]);
		return { json: { ...(analysis ? analysisJson(flattenAnalysis(analysis)) : { screenshotId }), tracked: true } };
	});
}
