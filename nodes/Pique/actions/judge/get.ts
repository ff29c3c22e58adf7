import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { fetchJudge, judgeJson } from '../../judges';
import { piqueClient } from '../../transport';
import { DEFAULT_CONCURRENCY, concurrencyOption, judgeId, judgeLocator, numberOption, optionsOf } from '../common';

const properties: INodeProperties[] = [
	judgeLocator('searchJudges', 'The judge to get, with its detectors'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['judge'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client } = await piqueClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		return { json: judgeJson(await fetchJudge(client, judgeId(this, itemIndex), itemIndex)) };
	});
}
