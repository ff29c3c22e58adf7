import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../shared/descriptions';
import type { ApiClient } from '../../shared/http/client';
import type { ItemOperation, ItemResult } from '../../shared/router';
import type { LedgerClient } from '../../shared/track';
import { waitUntilDone } from '../../shared/wait';
import { taskResultSchema, taskStartSchema } from '../schemas';
import type { TaskResult } from '../schemas';
import { analysisIdField, idSegment, idParameter, seconds } from './common';

/*
 * Summary and Recommendations are the same EyeQuant pattern (PROVIDERS.md): POST starts the
 * generation (safe to repeat), GET reads its status and, once completed, the Markdown text.
 */

export type TaskKind = 'summary' | 'recommendations';
export type TaskOperation = 'generate' | 'get';

const LABEL: Record<TaskKind, string> = { summary: 'summary', recommendations: 'recommendations' };
/** The verb that agrees with the label ("the summary is", "the recommendations are"). */
const IS: Record<TaskKind, string> = { summary: 'is', recommendations: 'are' };
const FINISHED = new Set(['completed', 'failed', 'expired']);

function taskDescription(kind: TaskKind, operation: TaskOperation): INodeProperties[] {
	const properties: INodeProperties[] = [
		analysisIdField,
		{
			displayName: 'Wait Until Completed',
			name: 'waitUntilCompleted',
			type: 'boolean',
			default: operation === 'generate',
			description: `Whether to wait until EyeQuant has finished the ${LABEL[kind]} and return its text. Off: return the current status at once.`,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 3,
			displayOptions: { show: { waitUntilCompleted: [true] } },
			description: 'How long to wait between two status checks',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			displayOptions: { show: { waitUntilCompleted: [true] } },
			description: `Give up (with an error) when the ${LABEL[kind]} ${IS[kind]} not ready by then`,
		},
		optionsCollection([concurrencyOption('EyeQuant')]),
	];
	return updateDisplayOptions({ show: { resource: [kind], operation: [operation] } }, properties);
}

/** Summary / Recommendations → Generate or Get, for one item. */
export function taskOperation(kind: TaskKind, operation: TaskOperation): ItemOperation<LedgerClient> {
	return {
		description: taskDescription(kind, operation),
		execute: async (context, itemIndex, { client }) => await runTask(context, itemIndex, client, kind, operation),
	};
}

async function runTask(
	context: IExecuteFunctions,
	itemIndex: number,
	client: ApiClient,
	kind: TaskKind,
	operation: TaskOperation,
): Promise<ItemResult> {
	const analysisId = idParameter(context, 'analysisId', 'Analysis ID', itemIndex);
	const path = `/analyses/${kind}/${idSegment(analysisId)}`;
	const wait = context.getNodeParameter('waitUntilCompleted', itemIndex, operation === 'generate') as boolean;
	if (operation === 'generate') {
		// EyeQuant documents a repeated POST as safe, so it may be retried like a GET.
		const started = await client.json({ method: 'POST', path, idempotent: true, itemIndex }, taskStartSchema);
		if (!wait) {
			return {
				json: { analysisId, status: started.status ?? 'started', ...(started.msg ? { message: started.msg } : {}), raw: started as IDataObject },
			};
		}
	}
	const read = async () => await client.json({ method: 'GET', path, itemIndex }, taskResultSchema);
	if (!wait) return { json: taskJson(kind, analysisId, await read()) };
	const result = await waitUntilDone(
		context,
		{
			what: `The EyeQuant ${LABEL[kind]} of analysis ${analysisId}`,
			intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 3) as number),
			timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 300) as number),
			itemIndex,
		},
		async () => {
			const current = await read();
			return { done: FINISHED.has(current.status), value: current };
		},
	);
	if (result.status !== 'completed') throw unfinished(context, kind, analysisId, result, itemIndex);
	return { json: taskJson(kind, analysisId, result) };
}

function taskJson(kind: TaskKind, analysisId: string, result: TaskResult): IDataObject {
	return {
		analysisId,
		status: result.status,
		...(result.data !== undefined ? { [kind]: result.data } : {}),
		...(result.msg ? { message: result.msg } : {}),
		raw: result as IDataObject,
	};
}

function unfinished(context: IExecuteFunctions, kind: TaskKind, analysisId: string, result: TaskResult, itemIndex: number): NodeOperationError {
	const expired = result.status === 'expired';
	return new NodeOperationError(
		context.getNode(),
		expired
			? `The EyeQuant ${LABEL[kind]} of analysis ${analysisId} expired`
			: `EyeQuant could not generate the ${LABEL[kind]} of analysis ${analysisId} (${result.status})`,
		{
			itemIndex,
			description: expired
				? `EyeQuant keeps generated ${LABEL[kind]} for one hour after they start. Run Generate again to regenerate ${kind === 'summary' ? 'it' : 'them'}.`
				: `${result.msg ? `EyeQuant said: ${result.msg}. ` : ''}Run Generate again; if it keeps failing, the analysis may not support it.`,
		},
	);
}
