import type { OperationTable } from '../../shared/router';
import type { LedgerClient } from '../../shared/track';
import * as analysis from './analysis';
import * as job from './job';
import type { EyeQuantOperations } from './node.type';
import * as recommendations from './recommendations';
import * as summary from './summary';

export const operations: OperationTable<LedgerClient, EyeQuantOperations> = {
	analysis: {
		create: analysis.create,
		get: analysis.get,
		waitForCompletion: analysis.waitForCompletion,
		updateMetadata: analysis.updateMetadata,
	},
	summary: { generate: summary.generate, get: summary.get },
	recommendations: { generate: recommendations.generate, get: recommendations.get },
	job: { track: job.track, reemit: job.reemit },
};
