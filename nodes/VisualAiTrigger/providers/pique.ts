import { flattenResult } from '../../Pique/flatten';
import { fetchResult } from '../../Pique/results';
import { piqueClient } from '../../Pique/transport';
import type { JobSnapshot, TriggerProvider } from './types';

const STATES: Record<string, JobSnapshot['state']> = { completed: 'finished', failed: 'failed' };

export const piqueProvider: TriggerProvider = {
	id: 'pique',
	label: 'Pique',
	jobNoun: 'evaluation',
	goneMessage: 'Pique no longer has this evaluation (410): its result is gone.',
	submitHint: 'Pique → Evaluation → Upload or Evaluate Social Media Videos, or Pique → Job → Track for jobs submitted elsewhere',
	idFields: () => ({}),
	async connect(context, _options, retry) {
		const { client, account } = await piqueClient(context, { retry });
		return {
			account,
			async check(jobId) {
				const result = await fetchResult(client, jobId, { retry });
				const state = STATES[result.status] ?? 'pending';
				const timestamp = state === 'pending' || !result.timestamp ? Number.NaN : Date.parse(result.timestamp);
				return {
					state,
					status: result.status,
					finishedAt: Number.isNaN(timestamp) ? undefined : timestamp,
					toItem: async () => ({ json: flattenResult(result) }),
				};
			},
		};
	},
};
