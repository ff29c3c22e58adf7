import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection, waitProperties } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { booleanOption, downloadOutputsOption, idParameter, mapTimeoutOption, numberOption, optionsOf, screenshotIdField, seconds } from '../common';
import { waitForAnalysis } from './result';

const properties: INodeProperties[] = [
	screenshotIdField,
	...waitProperties({
		intervalSeconds: 5,
		timeoutSeconds: 600,
		giveUpWhen: 'the analysis has not finished by then',
		timeoutHint:
			'For long queues, let the Visual AI Trigger emit finished analyses instead of waiting here',
	}),
	optionsCollection([
		concurrencyOption('EyeQuant'),
		downloadOutputsOption(true, 'the moment the analysis succeeds'),
		{
			displayName: 'Error If Analysis Failed',
			name: 'errorIfFailed',
			type: 'boolean',
			default: false,
			description:
				'Whether a failed analysis is an error. Off: the item comes out with status "failed" and EyeQuant\'s error, so an IF node can route it.',
		},
		mapTimeoutOption,
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['waitForCompletion'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const options = optionsOf(context, itemIndex);
	const screenshotId = idParameter(context, 'screenshotId', 'Screenshot ID', itemIndex);
	return await waitForAnalysis(context, client, screenshotId, {
		itemIndex,
		intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 5) as number),
		timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 600) as number),
		errorIfFailed: booleanOption(options, 'errorIfFailed', false),
		download: booleanOption(options, 'downloadOutputs', true),
		mapTimeoutMs: numberOption(options, 'mapTimeout', 120) * 1000,
	});
}
