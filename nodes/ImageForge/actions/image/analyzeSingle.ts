import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemResult } from '../../../shared/router';
import { metadataItem, passBinary, readImageRef } from '../../images';
import { analyzeSingleResponseSchema } from '../../schemas';
import { secondsToMs } from '../../transport';
import { imageRefProperties, keepBinaryOption, timeoutOption } from '../common';
import type { CommonOptions } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'One request per input item, answered with JSON (no stream). For many images of one session, Analyze is faster. 1 credit per image.',
		name: 'analyzeSingleNotice',
		type: 'notice',
		default: '',
	},
	...imageRefProperties,
	optionsCollection([
		concurrencyOption('Image Forge'),
		keepBinaryOption("the input item's binary data (the uploaded image)"),
		timeoutOption(120, 'How long to wait for Image Forge to answer for one image'),
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['analyzeSingle'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, client: ApiClient): Promise<ItemResult> {
	const options = context.getNodeParameter('options', itemIndex, {}) as CommonOptions;
	const keepBinary = options.keepBinary ?? true;
	const ref = readImageRef(context, itemIndex);
	const answer = await client.json(
		{
			method: 'POST',
			path: `/v1/sessions/${encodeURIComponent(ref.sessionId)}/analyze-single`,
			json: {
				sessionId: ref.sessionId,
				image: { id: ref.imageId, uploadPath: ref.uploadPath, originalFilename: ref.originalFilename },
			},
			itemIndex,
			timeoutMs: secondsToMs(options.timeout, 120),
		},
		analyzeSingleResponseSchema,
	);
	return { json: metadataItem(ref, answer.metadata, answer), ...passBinary(context, itemIndex, keepBinary) };
}
