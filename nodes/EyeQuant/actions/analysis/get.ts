import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { booleanOption, downloadOutputsOption, idParameter, mapTimeoutOption, numberOption, optionsOf, screenshotIdField } from '../common';
import { analysisItem, fetchAnalysis } from './result';

const properties: INodeProperties[] = [
	screenshotIdField,
	optionsCollection([
		concurrencyOption('EyeQuant'),
		downloadOutputsOption(false, 'when the analysis succeeded'),
		mapTimeoutOption,
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['get'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const options = optionsOf(context, itemIndex);
	const screenshotId = idParameter(context, 'screenshotId', 'Screenshot ID', itemIndex);
	const analysis = await fetchAnalysis(client, screenshotId, itemIndex);
	return await analysisItem(context, analysis, {
		itemIndex,
		download: booleanOption(options, 'downloadOutputs', false),
		mapTimeoutMs: numberOption(options, 'mapTimeout', 120) * 1000,
	});
}
