import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection, waitProperties } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import { waitUntilDone } from '../../../shared/wait';
import type { LedgerClient } from '../../../shared/track';
import {
	booleanOption,
	mapTimeoutOption,
	numberOption,
	optionsOf,
	idParameter,
	screenshotIdField,
	seconds,
} from '../common';
import { analysisItem, fetchAnalysis } from './result';

const FINISHED = new Set(['success', 'failed']);

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
		{
			displayName: 'Download Outputs',
			name: 'downloadOutputs',
			type: 'boolean',
			default: true,
			description:
				'Whether to put every map into the item\'s binary data (attentionMap, perceptionMap, hotspotsMap, clarityMap, excitingnessMap) the moment the analysis succeeds. EyeQuant deletes them one hour later.',
		},
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
	const analysis = await waitUntilDone(
		context,
		{
			what: `EyeQuant analysis ${screenshotId}`,
			intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 5) as number),
			timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 600) as number),
			itemIndex,
		},
		async () => {
			const current = await fetchAnalysis(client, screenshotId, itemIndex);
			return { done: FINISHED.has(current.status), value: current };
		},
	);
	if (analysis.status === 'failed' && booleanOption(options, 'errorIfFailed', false)) {
		const reason = typeof analysis.error === 'string' ? analysis.error : analysis.error?.message;
		const code = typeof analysis.error === 'object' ? analysis.error?.code : undefined;
		throw new NodeOperationError(context.getNode(), `EyeQuant analysis ${screenshotId} failed${code ? ` (${code})` : ''}`, {
			itemIndex,
			description: `${reason ?? 'EyeQuant gave no reason.'} Check the design (a readable PNG or JPEG, not blank) and submit it again.`,
		});
	}
	return await analysisItem(context, analysis, {
		itemIndex,
		download: booleanOption(options, 'downloadOutputs', true),
		mapTimeoutMs: numberOption(options, 'mapTimeout', 120) * 1000,
	});
}
