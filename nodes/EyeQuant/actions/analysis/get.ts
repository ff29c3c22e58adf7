import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { eyeQuantClient } from '../../transport';
import {
	DEFAULT_CONCURRENCY,
	booleanOption,
	concurrencyOption,
	mapTimeoutOption,
	numberOption,
	optionsOf,
	requiredString,
	screenshotIdField,
} from '../common';
import { analysisItem, fetchAnalysis } from './result';

const properties: INodeProperties[] = [
	screenshotIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			concurrencyOption,
			{
				displayName: 'Download Outputs',
				name: 'downloadOutputs',
				type: 'boolean',
				default: false,
				description:
					'Whether to put every map of a successful analysis into the item\'s binary data (attentionMap, perceptionMap, hotspotsMap, clarityMap, excitingnessMap). Map links die one hour after the analysis finished.',
			},
			mapTimeoutOption,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client } = await eyeQuantClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		const options = optionsOf(this, itemIndex);
		const screenshotId = requiredString(this, 'screenshotId', 'Screenshot ID', itemIndex);
		const analysis = await fetchAnalysis(client, screenshotId, itemIndex);
		return await analysisItem(this, analysis, {
			itemIndex,
			download: booleanOption(options, 'downloadOutputs', false),
			mapTimeoutMs: numberOption(options, 'mapTimeout', 120) * 1000,
		});
	});
}
