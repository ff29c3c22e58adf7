import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { balanceSchema, creditCheckSchema } from '../../schemas';
import { secondsToMs } from '../../transport';
import { timeoutOption } from '../common';
import type { CommonOptions } from '../common';

type CreditAction = 'analyze' | 'export' | 'sample';

/** PROVIDERS.md: 1 credit per image for analyze and export, 0 for sample. */
const COST_PER_IMAGE: Record<CreditAction, number> = { analyze: 1, export: 1, sample: 0 };

const properties: INodeProperties[] = [
	{
		displayName:
			'Checks once for all input items and passes every item through with "sufficient" (true/false), balance and cost added: follow it with an IF node on $json.sufficient. Too few credits is an answer here, not an error.',
		name: 'checkNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Action',
		name: 'action',
		type: 'options',
		options: [
			{ name: 'Analyze', value: 'analyze', description: '1 credit per image' },
			{ name: 'Export', value: 'export', description: '1 credit per image' },
			{ name: 'Sample', value: 'sample', description: 'Free' },
		],
		default: 'analyze',
		description: 'The operation the credits are for',
	},
	{
		displayName: 'Count Images',
		name: 'countFrom',
		type: 'options',
		options: [
			{
				name: 'One per Input Item',
				value: 'inputItems',
				description: 'Each input item is one image (e.g. the output of Session → Upload, or of Read Files)',
			},
			{
				name: 'Binary Files in the Input Items',
				value: 'binaryFiles',
				description: 'What Session → Upload would send: every binary property of every item, or the named ones',
			},
			{ name: 'Enter a Number', value: 'fixed' },
		],
		default: 'inputItems',
		description: 'How to know how many images the batch has',
	},
	{
		displayName: 'Binary Properties',
		name: 'binaryProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, image',
		description: 'Comma-separated names of the binary properties to count. Leave empty to count every binary property.',
		displayOptions: { show: { countFrom: ['binaryFiles'] } },
	},
	{
		displayName: 'Image Count',
		name: 'imageCount',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1,
		description: 'How many images the batch has',
		displayOptions: { show: { countFrom: ['fixed'] } },
	},
	{
		displayName: 'Deduct Credits Now',
		name: 'deduct',
		type: 'boolean',
		default: false,
		description:
			'Whether to take the credits now. Analyze and Export take their own credits when they run, so leave this off unless you keep your own account of credits.',
	},
	optionsCollection([timeoutOption(60, 'How long to wait for Image Forge to answer')]),
];

export const description = updateDisplayOptions({ show: { resource: ['credits'], operation: ['check'] } }, properties);

function countImages(context: IExecuteFunctions): number {
	const countFrom = context.getNodeParameter('countFrom', 0) as string;
	const inputs = context.getInputData();
	if (countFrom === 'fixed') {
		const count = context.getNodeParameter('imageCount', 0) as number;
		if (!Number.isInteger(count) || count < 0) {
			throw new NodeOperationError(context.getNode(), `Image Count must be a whole number of 0 or more (got ${count})`);
		}
		return count;
	}
	if (countFrom === 'binaryFiles') {
		const named = String(context.getNodeParameter('binaryProperties', 0, '') ?? '')
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
		return inputs.reduce((sum, item) => {
			const present = Object.keys(item.binary ?? {});
			return sum + (named.length > 0 ? present.filter((name) => named.includes(name)).length : present.length);
		}, 0);
	}
	return inputs.length;
}

/**
 * One check for the whole batch (credits belong to the account, not to items); every input item
 * goes through with the answer added, so an IF node can route the batch on `sufficient`.
 */
export async function executeBatch(context: IExecuteFunctions, client: ApiClient): Promise<ItemOutcome[]> {
	const options = context.getNodeParameter('options', 0, {}) as CommonOptions;
	const action = context.getNodeParameter('action', 0) as CreditAction;
	const deduct = context.getNodeParameter('deduct', 0, false) as boolean;
	let answer: IDataObject | Error;
	try {
		answer = await check(client, action, countImages(context), deduct, secondsToMs(options.timeout, 60));
	} catch (error) {
		answer = error as Error;
	}
	if (answer instanceof Error && context.getExecutionCancelSignal()?.aborted) throw answer;
	return context.getInputData().map((item): ItemOutcome => {
		if (answer instanceof Error) return answer;
		return { json: { ...item.json, ...answer }, ...(item.binary ? { binary: item.binary } : {}) };
	});
}

async function check(
	client: ApiClient,
	action: CreditAction,
	imageCount: number,
	deduct: boolean,
	timeoutMs: number,
): Promise<IDataObject> {
	const asked = { action, imageCount };
	let failure: unknown;
	try {
		const answer = await client.json(
			{
				method: 'POST',
				path: '/v1/credits/check',
				json: { action, imageCount, ...(deduct ? { deduct: true } : {}) },
				// Without deduct a check changes nothing, so it is safe to repeat.
				idempotent: !deduct,
				itemIndex: 0,
				timeoutMs,
			},
			creditCheckSchema,
		);
		return {
			sufficient: answer.sufficient,
			balance: answer.balance,
			cost: answer.cost,
			...(answer.remaining !== undefined ? { remaining: answer.remaining } : {}),
			...asked,
		};
	} catch (error) {
		failure = error;
	}
	// 402 is Image Forge's way of answering "not enough": an answer to branch on, not a failure.
	if (!(failure instanceof NodeApiError) || String(failure.httpCode) !== '402') throw failure;
	const message = String(failure.errorResponse?.message ?? '');
	const numbers = /have\s+(\d+)\D+need\s+(\d+)/i.exec(message);
	const balance = numbers ? Number(numbers[1]) : (await client.json({ method: 'GET', path: '/v1/credits/balance', timeoutMs }, balanceSchema)).balance;
	const cost = numbers ? Number(numbers[2]) : imageCount * COST_PER_IMAGE[action];
	return {
		sufficient: false,
		balance,
		cost,
		shortfall: Math.max(0, cost - balance),
		message: message || `Insufficient credits. You have ${balance} but need ${cost}.`,
		...asked,
	};
}
