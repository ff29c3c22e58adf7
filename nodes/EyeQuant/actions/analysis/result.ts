import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ApiClient } from '../../../shared/http/client';
import { analysisJson, flattenAnalysis } from '../../flatten';
import { downloadAnalysisMaps, mapDownloadError } from '../../maps';
import { analysisSchema } from '../../schemas';
import type { EyeQuantAnalysis } from '../../schemas';
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
