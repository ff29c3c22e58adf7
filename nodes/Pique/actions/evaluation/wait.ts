import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiClient } from '../../../shared/http/client';
import { waitProperties } from '../../../shared/descriptions';
import { waitUntilDone } from '../../../shared/wait';
import { flattenResult } from '../../flatten';
import { FINISHED_STATUSES, fetchResult } from '../../results';
import type { PiqueResult } from '../../schemas';
import { seconds } from '../common';

/** Poll Interval and Timeout of a Pique wait (Wait for Completion, and Upload's / Evaluate Social Media Videos' Wait for the Result → Poll Until Done). */
export const pollSettings: INodeProperties[] = waitProperties({
	intervalSeconds: 10,
	timeoutSeconds: 1800,
	giveUpWhen: 'the job has not finished by then',
	timeoutHint: 'Videos can take minutes. For long queues, let the Visual AI Trigger emit finished jobs instead of waiting here',
});

export interface EvaluationWait {
	itemIndex: number;
	/** A failed evaluation is an error instead of an item with status "failed". */
	errorIfFailed: boolean;
}

/**
 * Polls a Pique job until it is completed or failed (Poll Interval, Timeout from the item's
 * parameters) and returns its flattened result; a timeout on a job whose file never arrived says so.
 */
export async function waitForEvaluation(context: IExecuteFunctions, client: ApiClient, jobId: string, settings: EvaluationWait): Promise<IDataObject> {
	const { itemIndex } = settings;
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
	if (result.status === 'failed' && settings.errorIfFailed) {
		throw new NodeOperationError(context.getNode(), `Pique evaluation ${jobId} failed`, {
			itemIndex,
			description: `${typeof flat.error === 'string' ? flat.error : 'Pique gave no reason.'} Check the file or video link and submit it again.`,
		});
	}
	return flat;
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
