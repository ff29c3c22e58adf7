import type { IDataObject } from 'n8n-workflow';

import type { EyeQuantAnalysis } from './schemas';

/** The binary property (and flattened field) names of EyeQuant's map outputs. */
export const MAP_NAMES = ['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap'] as const;
export type MapName = (typeof MAP_NAMES)[number];

/** An analysis as one flat item for no-code use; the provider's answer stays under `raw`. */
export interface FlatAnalysis {
	screenshotId: string;
	/** EyeQuant's `_internal_exposed_id`, present once the analysis succeeded. */
	analysisId?: string;
	status: string;
	clarityScore?: number;
	excitingnessScore?: number;
	attentionMap?: string;
	perceptionMap?: string;
	hotspotsMap?: string;
	clarityMap?: string;
	excitingnessMap?: string;
	inputImage?: string;
	/** For a failed analysis: EyeQuant's error message (and its code in `errorCode`). */
	error?: string;
	errorCode?: string;
	raw: IDataObject;
}

export function flattenAnalysis(analysis: EyeQuantAnalysis): FlatAnalysis {
	const outputs = analysis.outputs ?? {};
	const flat: FlatAnalysis = {
		screenshotId: analysis.id,
		analysisId: analysis._internal_exposed_id,
		status: analysis.status,
		clarityScore: outputs.clarity?.score ?? undefined,
		excitingnessScore: outputs.excitingness?.score ?? undefined,
		attentionMap: outputs.attention?.attentionMap,
		perceptionMap: outputs.attention?.perceptionMap,
		hotspotsMap: outputs.attention?.hotspotsMap,
		clarityMap: outputs.clarity?.map,
		excitingnessMap: outputs.excitingness?.map,
		inputImage: outputs.input?.image,
		...describeError(analysis.error),
		raw: analysis as IDataObject,
	};
	return withoutUndefined(flat);
}

/** The map URLs of an analysis, keyed by their binary property name (only those it has). */
export function mapUrls(flat: FlatAnalysis): Array<{ name: MapName; url: string }> {
	return MAP_NAMES.flatMap((name) => {
		const url = flat[name];
		return url ? [{ name, url }] : [];
	});
}

/** The flat analysis as item JSON (n8n wants IDataObject). */
export function analysisJson(flat: FlatAnalysis): IDataObject {
	return { ...flat };
}

function describeError(error: EyeQuantAnalysis['error']): { error?: string; errorCode?: string } {
	if (!error) return {};
	if (typeof error === 'string') return { error };
	const code = typeof error.code === 'string' ? error.code : undefined;
	const message = typeof error.message === 'string' ? error.message : undefined;
	return { error: message ?? code ?? 'The analysis failed', errorCode: code };
}

function withoutUndefined<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
