import { trackOperation } from '../../../shared/track';
import { flattenResult } from '../../flatten';
import { fetchResult } from '../../results';
import { jobIdField } from '../common';

export const { description, execute } = trackOperation({
	provider: 'pique',
	providerName: 'Pique',
	idField: jobIdField,
	idDescription: 'The ID of an evaluation job submitted elsewhere (another workflow, a script, the Pique app)',
	checkDescription:
		'Whether to ask Pique for the job first, so a mistyped ID (or a job of another account) fails here instead of never arriving at the trigger',
	fetch: async (client, jobId, itemIndex) => flattenResult(await fetchResult(client, jobId, { itemIndex })),
});
