import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { flattenResult } from '../../flatten';
import { fetchResult } from '../../results';
import { jobIdField, idParameter } from '../common';

const properties: INodeProperties[] = [
	jobIdField,
	optionsCollection([concurrencyOption('Pique')]),
];

export const description = updateDisplayOptions({ show: { resource: ['evaluation'], operation: ['getResult'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const jobId = idParameter(context, 'jobId', 'Job ID', itemIndex);
	return { json: flattenResult(await fetchResult(client, jobId, { itemIndex })) };
}
