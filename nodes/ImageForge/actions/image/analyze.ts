import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { metadataItem } from '../../images';
import { analyzeResultEventSchema } from '../../schemas';
import { secondsToMs } from '../../transport';
import {
	concurrencyOf,
	imageRefProperties,
	keepBinaryOption,
	sessionConcurrencyOption,
	streamTimeLimitOption,
	streamTotalMsOf,
	timeoutOption,
} from '../common';
import type { CommonOptions } from '../common';
import { runStreamed } from './streamed';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node after Image Forge → Session → Upload: each input item is one image. Items of the same session are analyzed in one streamed request (1 credit per image).',
		name: 'analyzeNotice',
		type: 'notice',
		default: '',
	},
	...imageRefProperties,
	optionsCollection([
		sessionConcurrencyOption,
		keepBinaryOption("the input item's binary data (the uploaded image)"),
		timeoutOption(
			120,
			'How long to wait for the next event of the stream before giving up on the images still without a result (Image Forge sends progress between images; keep-alive comments do not count)',
		),
		streamTimeLimitOption,
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['analyze'] } }, properties);

export async function executeBatch(context: IExecuteFunctions, client: ApiClient): Promise<ItemOutcome[]> {
	const options = context.getNodeParameter('options', 0, {}) as CommonOptions;
	return await runStreamed(context, client, {
		protocol: { verb: 'analyze', resultSchema: analyzeResultEventSchema, paid: true },
		body: (batch) => ({
			sessionId: batch.sessionId,
			images: batch.images.map(({ ref }) => ({ id: ref.imageId, uploadPath: ref.uploadPath, originalFilename: ref.originalFilename })),
		}),
		toJson: (ref, result, raw) => metadataItem(ref, result.metadata, raw),
		concurrency: concurrencyOf(options),
		keepBinary: options.keepBinary ?? true,
		timeoutMs: secondsToMs(options.timeout, 120),
		streamLimits: { totalMs: streamTotalMsOf(options) },
	});
}
