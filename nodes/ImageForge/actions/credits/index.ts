import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { ImageForgeOperations } from '../node.type';
import * as balance from './balance';
import * as check from './check';

export { balance, check };

export const description: INodeProperties[] = [
	operationSelector<ImageForgeOperations, 'credits'>(
		'credits',
		[
			{
				name: 'Check',
				value: 'check',
				description: 'Whether the account has enough credits for a batch: "sufficient" true or false, to branch on',
				action: 'Check credits for a batch',
			},
			{
				name: 'Get Balance',
				value: 'balance',
				description: 'The credit balance and plan of the account',
				action: 'Get the credit balance',
			},
		],
		'check',
	),
	...balance.description,
	...check.description,
];
