import type { OperationTable } from '../../shared/router';
import type { LedgerClient } from '../../shared/track';
import * as evaluation from './evaluation';
import * as job from './job';
import * as judge from './judge';
import type { PiqueOperations } from './node.type';

export const operations: OperationTable<LedgerClient, PiqueOperations> = {
	evaluation: {
		upload: evaluation.upload,
		evaluateSocialMedia: evaluation.socialMedia,
		getResult: evaluation.getResult,
		waitForCompletion: evaluation.waitForCompletion,
	},
	judge: { list: judge.list, get: judge.get, create: judge.create },
	job: { track: job.track, reemit: job.reemit },
};
