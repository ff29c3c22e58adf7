import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { metadataItem, passBinary, readImageRef } from '../../images';
import { analyzeSingleResponseSchema } from '../../schemas';
import { imageForgeClient, secondsToMs } from '../../transport';
import { concurrencyOf, concurrencyOption, imageRefProperties, keepBinaryOption, timeoutOption } from '../common';
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			concurrencyOption('images are analyzed'),
			keepBinaryOption("the input item's binary data (the uploaded image)"),
			timeoutOption(120, 'How long to wait for Image Forge to answer for one image'),
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['analyzeSingle'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as CommonOptions;
	const client = await imageForgeClient(this, secondsToMs(options.timeout, 120));
	const keepBinary = options.keepBinary ?? true;
	return await runPerItem(this, concurrencyOf(options), async (itemIndex) => {
		const ref = readImageRef(this, itemIndex);
		const answer = await client.json(
			{
				method: 'POST',
				path: `/v1/sessions/${encodeURIComponent(ref.sessionId)}/analyze-single`,
				json: {
					sessionId: ref.sessionId,
					image: { id: ref.imageId, uploadPath: ref.uploadPath, originalFilename: ref.originalFilename },
				},
				itemIndex,
			},
			analyzeSingleResponseSchema,
		);
		return { json: metadataItem(ref, answer.metadata, answer), ...passBinary(this, itemIndex, keepBinary) };
	});
}
