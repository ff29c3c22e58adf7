import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemResult } from '../../../shared/router';
import { balanceSchema } from '../../schemas';
import { secondsToMs } from '../../transport';
import { timeoutOption } from '../common';
import type { CommonOptions } from '../common';

const properties: INodeProperties[] = [optionsCollection([timeoutOption(60, 'How long to wait for Image Forge to answer')])];

export const description = updateDisplayOptions({ show: { resource: ['credits'], operation: ['balance'] } }, properties);

/** The balance belongs to the account: asked once per item, one item after another. */
export const concurrency = 1;

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ApiClient): Promise<ItemResult> {
	const options = context.getNodeParameter('options', itemIndex, {}) as CommonOptions;
	const answer = await client.json(
		{ method: 'GET', path: '/v1/credits/balance', itemIndex, timeoutMs: secondsToMs(options.timeout, 60) },
		balanceSchema,
	);
	return { json: { balance: answer.balance, planName: answer.planName, userId: answer.userId, raw: answer } };
}
