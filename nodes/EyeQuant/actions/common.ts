import type { INodeProperties } from 'n8n-workflow';

export { booleanOption, checkedId, idParameter, numberOption, optionsOf, requiredString, seconds } from '../../shared/parameters';

export const screenshotIdField: INodeProperties = {
	displayName: 'Screenshot ID',
	name: 'screenshotId',
	type: 'string',
	required: true,
	default: '={{ $json.screenshotId }}',
	description: 'The ID that Analysis → Create returned (`screenshotId`)',
	hint: 'Not the analysis ID: that one exists only after the analysis succeeded',
};

export const analysisIdField: INodeProperties = {
	displayName: 'Analysis ID',
	name: 'analysisId',
	type: 'string',
	required: true,
	default: '={{ $json.analysisId }}',
	description:
		'The `analysisId` from Analysis → Get or Wait for Completion (EyeQuant calls it `_internal_exposed_id`); it exists once an analysis succeeded',
	hint: 'Not the screenshot ID that Create returns',
};

/**
 * Download Outputs: every map of a successful analysis into the item's binary data. `when` ends the
 * description's first sentence (e.g. "the moment the analysis succeeds").
 */
export function downloadOutputsOption(fallback: boolean, when: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Download Outputs',
		name: 'downloadOutputs',
		type: 'boolean',
		default: fallback,
		description: `Whether to put every map (attentionMap, perceptionMap, hotspotsMap, clarityMap, excitingnessMap) into the item's binary data ${when}. EyeQuant deletes them one hour after the analysis finished.`,
		...extra,
	};
}

export const mapTimeoutOption: INodeProperties = {
	displayName: 'Map Download Timeout (Seconds)',
	name: 'mapTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 120,
	description: 'How long a map download may wait for the next bytes before it is retried or given up',
};

/** Path segment for an id typed by a user: encoded so that "a/b" cannot reach another endpoint. */
export function idSegment(id: string): string {
	return encodeURIComponent(id);
}
