import { trackOperation } from '../../../shared/track';
import { analysisJson, flattenAnalysis } from '../../flatten';
import { fetchAnalysis } from '../analysis/result';
import { screenshotIdField } from '../common';

export const { description, execute } = trackOperation({
	provider: 'eyeQuant',
	providerName: 'EyeQuant',
	idField: screenshotIdField,
	idDescription: 'The screenshot ID of an analysis submitted elsewhere (another workflow, a script, the EyeQuant app)',
	checkDescription:
		'Whether to ask EyeQuant for the analysis first, so a mistyped ID (404) or an expired one (410) fails here instead of never arriving at the trigger',
	fetch: async (client, screenshotId, itemIndex) => analysisJson(flattenAnalysis(await fetchAnalysis(client, screenshotId, itemIndex))),
});
