import type { IDataObject } from 'n8n-workflow';

import { idSegment } from '../../EyeQuant/actions/common';
import { analysisJson, flattenAnalysis } from '../../EyeQuant/flatten';
import { downloadAnalysisMaps, mapDownloadError } from '../../EyeQuant/maps';
import { analysisSchema } from '../../EyeQuant/schemas';
import type { EyeQuantAnalysis } from '../../EyeQuant/schemas';
import { eyeQuantClient } from '../../EyeQuant/transport';
import type { JobSnapshot, TriggerProvider, WorkContext } from './types';
import type { TriggerOptions } from '../options';

const STATES: Record<string, JobSnapshot['state']> = { success: 'finished', failed: 'failed' };

export const eyeQuantProvider: TriggerProvider = {
	id: 'eyeQuant',
	label: 'EyeQuant',
	jobNoun: 'analysis',
	goneMessage:
		'EyeQuant deleted this analysis (410 resource_gone) before the trigger saw it finish: its scores and maps are gone. EyeQuant keeps results for one hour after an analysis finishes, so the trigger must poll more often than that (and keep up: raise Concurrency or Max Jobs per Poll for large backlogs).',
	submitHint: 'EyeQuant → Analysis → Create, or EyeQuant → Job → Track for analyses submitted elsewhere',
	idFields: (jobId) => ({ screenshotId: jobId }),
	async connect(context, options, retry) {
		const { client, account } = await eyeQuantClient(context);
		return {
			account,
			async check(jobId) {
				const analysis = await client.json({ method: 'GET', path: `/analyses/${idSegment(jobId)}`, retry }, analysisSchema);
				return {
					state: STATES[analysis.status] ?? 'pending',
					status: analysis.status,
					toItem: async () => await analysisItem(context, analysis, options),
				};
			},
		};
	},
};

/**
 * The analysis as flat fields plus, for a successful one with Download Outputs on, every map as
 * binary. Maps whose links expired are reported in the item (`mapErrors`) — waiting cannot bring
 * them back; any other download failure throws, so the job is tried again at the next poll.
 */
async function analysisItem(
	context: WorkContext,
	analysis: EyeQuantAnalysis,
	options: TriggerOptions,
): Promise<Awaited<ReturnType<JobSnapshot['toItem']>>> {
	const flat = flattenAnalysis(analysis);
	const json = analysisJson(flat);
	if (!options.downloadOutputs || flat.status !== 'success') return { json };
	const { binary, failures } = await downloadAnalysisMaps(context, flat, { timeoutMs: options.mapTimeoutMs });
	if (failures.length === 0) return { json, binary };
	const error = mapDownloadError(context, flat, failures);
	if (!failures.every((failure) => failure.expired)) throw error;
	const mapErrors: IDataObject = {};
	for (const failure of failures) mapErrors[failure.map] = failure.error.message;
	return { json: { ...json, error: error.message, mapErrors }, binary };
}
