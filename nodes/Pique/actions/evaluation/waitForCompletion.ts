import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection, waitProperties } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { waitUntilDone } from '../../../shared/wait';
import { flattenResult } from '../../flatten';
import { FINISHED_STATUSES, fetchResult } from '../../results';
import type { PiqueResult } from '../../schemas';
import {
	booleanOption,
	jobIdField,
	optionsOf,
	idParameter,
	seconds,
} from '../common';

const properties: INodeProperties[] = [
	jobIdField,
	...waitProperties({
		intervalSeconds: 10,
		timeoutSeconds: 1800,
		giveUpWhen: 'the job has not finished by then',
		timeoutHint:
			'Videos can take minutes. For long queues, let the Visual AI Trigger emit finished jobs instead of waiting here',
	}),
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
	let lastStatus: string | undefined;
	let result: PiqueResult | undefined;
	let failure: unknown;
	try {
		result = await waitUntilDone(
			context,
			{
				what: `Pique evaluation ${jobId}`,
				intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 10) as number),
				timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 1800) as number),
				itemIndex,
			},
			async () => {
				const current = await fetchResult(client, jobId, { itemIndex });
				lastStatus = current.status;
				return { done: FINISHED_STATUSES.has(current.status), value: current };
			},
		);
	} catch (error) {
		failure = error;
	}
	if (!result) throw neverUploaded(context, failure, lastStatus, itemIndex) ?? failure;
	const flat = flattenResult(result);
	if (result.status === 'failed' && booleanOption(optionsOf(context, itemIndex), 'errorIfFailed', false)) {
		throw new NodeOperationError(context.getNode(), `Pique evaluation ${jobId} failed`, {
			itemIndex,
			description: `${typeof flat.error === 'string' ? flat.error : 'Pique gave no reason.'} Check the file or video link and submit it again.`,
		});
	}
	return { json: flat };
}

/** A wait that timed out on a job whose file never arrived says so. */
function neverUploaded(context: IExecuteFunctions, failure: unknown, lastStatus: string | undefined, itemIndex: number): NodeOperationError | undefined {
	if (lastStatus !== 'awaiting_upload' || !(failure instanceof NodeOperationError) || !/still not finished/.test(failure.message)) return undefined;
	return new NodeOperationError(context.getNode(), `${failure.message}: its file was never uploaded (status awaiting_upload)`, {
		itemIndex,
		description:
			'Pique evaluates a job only once its file arrived. Upload the file with Evaluation → Upload (which uploads it right away), then wait for that new job.',
	});
}
