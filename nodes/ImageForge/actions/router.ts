import type { ApiClient } from '../../shared/http/client';
import type { OperationTable } from '../../shared/router';
import * as credits from './credits';
import * as image from './image';
import type { ImageForgeOperations } from './node.type';
import * as session from './session';

export const operations: OperationTable<ApiClient, ImageForgeOperations> = {
	session: { upload: session.upload },
	image: {
		analyze: image.analyze,
		analyzeSingle: image.analyzeSingle,
		export: image.export,
		sample: image.sample,
	},
	credits: { balance: credits.balance, check: credits.check },
};
