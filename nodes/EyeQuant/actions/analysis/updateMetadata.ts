import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import { updateMetadataSchema } from '../../schemas';
import type { LedgerClient } from '../../../shared/track';
import { analysisIdField, idSegment, idParameter } from '../common';

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
	optionsCollection([concurrencyOption('EyeQuant')]),
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['updateMetadata'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const analysisId = idParameter(context, 'analysisId', 'Analysis ID', itemIndex);
	const metadata = metadataOf(context, itemIndex);
	const answer = await client.json(
		{ method: 'PUT', path: `/update-meta/screenshot/${idSegment(analysisId)}`, json: metadata, itemIndex },
		updateMetadataSchema,
	);
	return { json: { analysisId, updated: true, ...metadata, raw: (answer ?? {}) as IDataObject } };
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
