import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { booleanOption, jobIdField, optionsOf, idParameter } from '../common';
import { pollSettings, waitForEvaluation } from './wait';

const properties: INodeProperties[] = [
	jobIdField,
	...pollSettings,
	optionsCollection([
		concurrencyOption('Pique'),
		{
			displayName: 'Error If Evaluation Failed',
			name: 'errorIfFailed',
			type: 'boolean',
			default: false,
			description:
				'Whether a failed evaluation is an error. Off: the item comes out with status "failed" and Pique\'s error, so an IF node can route it.',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['evaluation'], operation: ['waitForCompletion'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const jobId = idParameter(context, 'jobId', 'Job ID', itemIndex);
	const errorIfFailed = booleanOption(optionsOf(context, itemIndex), 'errorIfFailed', false);
	return { json: await waitForEvaluation(context, client, jobId, { itemIndex, errorIfFailed }) };
}
