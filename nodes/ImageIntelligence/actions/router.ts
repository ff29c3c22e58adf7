import type { OperationTable } from '../../shared/router';
import type { ImageIntelligenceClient } from '../transport';
import * as ask from './ask';
import type { ImageIntelligenceOperations } from './node.type';

export const operations: OperationTable<ImageIntelligenceClient, ImageIntelligenceOperations> = {
	ask: {
		create: ask.create,
		get: ask.get,
		search: ask.search,
		waitForCompletion: ask.waitForCompletion,
	},
};
