import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiClient } from '../../../shared/http/client';
import { analysisJson, flattenAnalysis } from '../../flatten';
import { downloadAnalysisMaps, mapDownloadError } from '../../maps';
import { analysisSchema } from '../../schemas';
import type { EyeQuantAnalysis } from '../../schemas';
import { waitUntilDone } from '../../../shared/wait';
import { idSegment } from '../common';

export async function fetchAnalysis(client: ApiClient, screenshotId: string, itemIndex: number): Promise<EyeQuantAnalysis> {
	return await client.json({ method: 'GET', path: `/analyses/${idSegment(screenshotId)}`, itemIndex }, analysisSchema);
}

export interface ResultOptions {
	itemIndex: number;
	/** Download every map of a successful analysis into the item's binary. */
	download: boolean;
	mapTimeoutMs: number;
}

/**
 * The output item of an analysis: flat fields, `raw`, and (when asked and successful) every map
 * as binary. Maps that cannot be downloaded fail the item; with Continue On Fail the item keeps
 * its scores, ids and the maps that did land, and says in `error` which maps are missing and why.
 */
export async function analysisItem(
	context: IExecuteFunctions,
	analysis: EyeQuantAnalysis,
	options: ResultOptions,
): Promise<INodeExecutionData> {
	const flat = flattenAnalysis(analysis);
	const json = analysisJson(flat);
	if (!options.download || flat.status !== 'success') return { json };
	const { binary, failures } = await downloadAnalysisMaps(context, flat, {
		itemIndex: options.itemIndex,
		timeoutMs: options.mapTimeoutMs,
	});
	if (failures.length === 0) return { json, binary };
	const error = mapDownloadError(context, flat, failures, options.itemIndex);
	if (!context.continueOnFail()) throw error;
	const mapErrors: IDataObject = {};
	for (const failure of failures) mapErrors[failure.map] = failure.error.message;
	return {
		json: { ...json, error: error.message, ...(error.description ? { errorDescription: error.description } : {}), mapErrors },
		binary,
	};
}

/** How to wait for an analysis: Wait for Completion's settings, also used by Create's "Wait for Completion". */
export interface WaitSettings extends ResultOptions {
	intervalMs: number;
	timeoutMs: number;
	/** A failed analysis is an error instead of an item with status "failed". */
	errorIfFailed: boolean;
}

const FINISHED = new Set(['success', 'failed']);

/**
 * Polls the analysis until EyeQuant says success or failed (or the timeout passes: an error that
 * says so), then returns its output item as `analysisItem` makes it.
 */
export async function waitForAnalysis(
	context: IExecuteFunctions,
	client: ApiClient,
	screenshotId: string,
	settings: WaitSettings,
): Promise<INodeExecutionData> {
	const { itemIndex } = settings;
	const analysis = await waitUntilDone(
		context,
		{ what: `EyeQuant analysis ${screenshotId}`, intervalMs: settings.intervalMs, timeoutMs: settings.timeoutMs, itemIndex },
		async () => {
			const current = await fetchAnalysis(client, screenshotId, itemIndex);
			return { done: FINISHED.has(current.status), value: current };
		},
	);
	if (analysis.status === 'failed' && settings.errorIfFailed) {
		const reason = typeof analysis.error === 'string' ? analysis.error : analysis.error?.message;
		const code = typeof analysis.error === 'object' ? analysis.error?.code : undefined;
		throw new NodeOperationError(context.getNode(), `EyeQuant analysis ${screenshotId} failed${code ? ` (${code})` : ''}`, {
			itemIndex,
			description: `${reason ?? 'EyeQuant gave no reason.'} Check the design (a readable PNG or JPEG, not blank) and submit it again.`,
		});
	}
	return await analysisItem(context, analysis, settings);
}
