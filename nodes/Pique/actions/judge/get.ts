import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { fetchJudge, judgeJson } from '../../judges';
import { judgeId, judgeLocator } from '../common';

const properties: INodeProperties[] = [
	judgeLocator('searchJudges', 'The judge to get, with its detectors'),
	optionsCollection([concurrencyOption('Pique')]),
];

export const description = updateDisplayOptions({ show: { resource: ['judge'], operation: ['get'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	return { json: judgeJson(await fetchJudge(client, judgeId(context, itemIndex), itemIndex)) };
}
