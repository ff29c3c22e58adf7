import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { balanceSchema } from '../../schemas';
import { imageForgeClient, secondsToMs } from '../../transport';
import { timeoutOption } from '../common';
import type { CommonOptions } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [timeoutOption(60, 'How long to wait for Image Forge to answer')],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['credits'], operation: ['balance'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as CommonOptions;
	const client = await imageForgeClient(this, secondsToMs(options.timeout, 60));
	return await runPerItem(this, 1, async (itemIndex) => {
		const answer = await client.json({ method: 'GET', path: '/v1/credits/balance', itemIndex }, balanceSchema);
		return { json: { balance: answer.balance, planName: answer.planName, userId: answer.userId, raw: answer } };
	});
}
