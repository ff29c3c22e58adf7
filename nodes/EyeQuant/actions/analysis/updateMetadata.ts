import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { updateMetadataSchema } from '../../schemas';
import { eyeQuantClient } from '../../transport';
import { DEFAULT_CONCURRENCY, analysisIdField, concurrencyOption, idSegment, numberOption, optionsOf, requiredString } from '../common';

const properties: INodeProperties[] = [
	analysisIdField,
	{
		displayName: 'Description',
		name: 'metaDescription',
		type: 'string',
		default: '',
		placeholder: 'Homepage hero',
		description: 'What the design is',
	},
	{
		displayName: 'Goal',
		name: 'goal',
		type: 'string',
		default: '',
		placeholder: 'Increase sign-ups',
		description: 'What the design should achieve; EyeQuant uses it in summaries and recommendations',
	},
	{
		displayName: 'Other Metadata',
		name: 'otherMetadata',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['updateMetadata'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client } = await eyeQuantClient(this);
	return await runPerItem(this, numberOption(optionsOf(this), 'concurrency', DEFAULT_CONCURRENCY), async (itemIndex) => {
		const analysisId = requiredString(this, 'analysisId', 'Analysis ID', itemIndex);
		const metadata = metadataOf(this, itemIndex);
		const answer = await client.json(
			{ method: 'PUT', path: `/update-meta/screenshot/${idSegment(analysisId)}`, json: metadata, itemIndex },
			updateMetadataSchema,
		);
		return { json: { analysisId, updated: true, ...metadata, raw: (answer ?? {}) as IDataObject } };
	});
}

function metadataOf(context: IExecuteFunctions, itemIndex: number): Record<string, string> {
	const metadata: Record<string, string> = {};
	const description = (context.getNodeParameter('metaDescription', itemIndex, '') as string).trim();
	const goal = (context.getNodeParameter('goal', itemIndex, '') as string).trim();
	if (description) metadata.description = description;
	if (goal) metadata.goal = goal;
	const other = context.getNodeParameter('otherMetadata.field', itemIndex, []) as Array<{ name?: string; value?: string }>;
	for (const { name, value } of other) {
		if (name?.trim()) metadata[name.trim()] = value ?? '';
	}
	if (Object.keys(metadata).length === 0) {
		throw new NodeOperationError(context.getNode(), 'No metadata to set', {
			itemIndex,
			description: 'Fill in Description, Goal or another field.',
		});
	}
	return metadata;
}
