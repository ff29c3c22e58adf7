import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { redactAndCut } from '../../shared/http/redact';
import { checkedId, stringOption } from '../../shared/parameters';
import { callbackUrl, isWaitMode } from '../../shared/webhooks/callback-wait';

export { booleanOption, checkedId, idParameter, numberOption, optionsOf, requiredString, seconds, stringOption } from '../../shared/parameters';

export const jobIdField: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description: 'The ID of an evaluation job (`jobId`), as Evaluation → Upload or Evaluate Social Media Videos returned it',
};

/** The judge, picked from the account's judges or given by ID (e.g. from an expression). */
export function judgeLocator(searchListMethod: 'searchJudges' | 'searchVideoJudges', description: string): INodeProperties {
	return {
		displayName: 'Judge',
		name: 'judge',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a judge...',
				typeOptions: { searchListMethod, searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. c0ffee00-0000-4000-8000-000000000001',
				hint: 'The judge ID from Judge → List, or an expression such as {{ $json.judgeId }}',
			},
		],
	};
}

/** The judge ID of the Judge parameter, whichever mode it is in. */
export function judgeId(context: IExecuteFunctions, itemIndex: number): string {
	const value = context.getNodeParameter('judge', itemIndex, '', { extractValue: true });
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		throw new NodeOperationError(context.getNode(), 'No judge is selected', {
			itemIndex,
			description: 'Pick a judge from the list under "Judge", or switch it to "ID" and give the judge ID (e.g. {{ $json.judgeId }}).',
		});
	}
	return checkedId(context, value, 'Judge ID', itemIndex, 'judge');
}

/** The job's webhook URL: the execution's resume URL in Wait mode, else the optional Webhook URL (http(s), checked before anything is sent). */
export function webhookUrlOf(context: IExecuteFunctions, options: Record<string, unknown>, itemIndex: number): string | undefined {
	if (isWaitMode(context)) return callbackUrl(context, itemIndex);
	const url = stringOption(options, 'webhookUrl');
	if (url !== undefined && !/^https?:\/\/\S+$/i.test(url)) {
		throw new NodeOperationError(context.getNode(), 'The Webhook URL must be an http(s) address', {
			itemIndex,
			description: `Got "${redactAndCut(url, [], 80)}". Use the production URL of a Webhook node, or leave the option out.`,
		});
	}
	return url;
}

export const webhookUrlOption: INodeProperties = {
	displayName: 'Webhook URL',
	name: 'webhookUrl',
	type: 'string',
	default: '',
	placeholder: 'https://n8n.example.com/webhook/3f6f0a52-.../webhook',
	description:
		'Where Pique sends the result when the job finishes, besides the organisation\'s webhook. The Visual AI Trigger needs no webhook.',
	hint: 'To start a workflow when the job finishes, paste the Production URL of a Pique Webhook Trigger here (open that node → "Webhook URLs" → Production URL).',
};
