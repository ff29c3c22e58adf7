import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, jsonParse, updateDisplayOptions } from 'n8n-workflow';

import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { JUDGE_CONTENT_TYPES } from '../../judges';
import { createdJudgeSchema } from '../../schemas';
import { requiredString } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Social Video Hook',
		description: 'The judge\'s name (1 to 200 characters)',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		description: 'What the judge checks (1 to 2000 characters)',
	},
	{
		displayName: 'Content Type',
		name: 'contentType',
		type: 'options',
		options: JUDGE_CONTENT_TYPES.map((value) => ({ name: value[0].toUpperCase() + value.slice(1), value })),
		default: 'video',
		description: 'What kind of content the judge evaluates; uploads and videos must match it',
	},
	{
		displayName: 'Detectors',
		name: 'detectors',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Detector',
		default: { detector: [{ detectorName: '', config: '{}' }] },
		description: 'What the judge scores; each detector gives a score (0–100) and a pass/fail check',
		options: [
			{
				displayName: 'Detector',
				name: 'detector',
				values: [
					{
						displayName: 'Detector Name',
						name: 'detectorName',
						type: 'string',
						default: '',
						placeholder: 'e.g. hook_strength',
						description: 'The Pique detector to use. Its score becomes a field of each result, e.g. hook_strength → hookStrengthScore.',
					},
					{
						displayName: 'Config (JSON)',
						name: 'config',
						type: 'json',
						default: '{}',
						description: 'The detector\'s settings as a JSON object, e.g. {"threshold": 60} (pass when the score is at least 60)',
					},
					{
						displayName: 'Weight',
						name: 'weight',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 2 },
						default: 1,
						description: 'How much the detector counts in the overall score. Leave at 1 for equal weights.',
					},
				],
			},
		],
	},
];

/** Judges are created one at a time, in input order. */
export const concurrency = 1;

export const description = updateDisplayOptions({ show: { resource: ['judge'], operation: ['create'] } }, properties);

interface DetectorInput {
	detectorName?: string;
	config?: string | IDataObject;
	weight?: number;
}

export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const name = checkedLength(context, requiredString(context, 'name', 'Name', itemIndex), 'Name', 200, itemIndex);
	const about = checkedLength(context, requiredString(context, 'description', 'Description', itemIndex), 'Description', 2000, itemIndex);
	const contentType = context.getNodeParameter('contentType', itemIndex, 'video') as string;
	const detectors = detectorsOf(context, itemIndex);
	const created = await client.json(
		{ method: 'POST', path: '/v1/judges', json: { name, description: about, content_type: contentType, detectors }, itemIndex },
		createdJudgeSchema,
	);
	const json: IDataObject = {
		judgeId: created.id,
		status: created.status ?? undefined,
		name,
		contentType,
		detectorNames: detectors.map((detector) => detector.detector_name as string),
		raw: created as IDataObject,
	};
	return { json: Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined)) };
}

function checkedLength(context: IExecuteFunctions, text: string, label: string, max: number, itemIndex: number): string {
	if (text.length > max) {
		throw new NodeOperationError(context.getNode(), `${label} is longer than ${max} characters`, {
			itemIndex,
			description: `It has ${text.length}. Pique takes at most ${max}: shorten it.`,
		});
	}
	return text;
}

function detectorsOf(context: IExecuteFunctions, itemIndex: number): IDataObject[] {
	const collection = context.getNodeParameter('detectors', itemIndex, {}) as { detector?: DetectorInput[] };
	const detectors = (collection.detector ?? []).map((detector, index) => {
		const detectorName = (detector.detectorName ?? '').trim();
		if (!detectorName) {
			throw new NodeOperationError(context.getNode(), `Detector ${index + 1} has no name`, {
				itemIndex,
				description: 'Give every detector its Pique detector name (e.g. hook_strength), or remove it.',
			});
		}
		const weight = detector.weight ?? 1;
		if (!(weight > 0)) {
			throw new NodeOperationError(context.getNode(), `The weight of detector "${detectorName}" must be greater than 0`, { itemIndex });
		}
		return { detector_name: detectorName, config: configOf(context, detector.config, detectorName, itemIndex), weight };
	});
	if (detectors.length === 0) {
		throw new NodeOperationError(context.getNode(), 'The judge has no detectors', {
			itemIndex,
			description: 'Add at least one detector under "Detectors": it is what the judge scores.',
		});
	}
	return detectors;
}

function configOf(context: IExecuteFunctions, config: DetectorInput['config'], detectorName: string, itemIndex: number): IDataObject {
	const value = typeof config === 'string' ? (config.trim() === '' ? {} : jsonParse<unknown>(config, { fallbackValue: undefined })) : (config ?? {});
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw new NodeOperationError(context.getNode(), `The config of detector "${detectorName}" is not a JSON object`, {
			itemIndex,
			description: 'Write it as a JSON object, e.g. {"threshold": 60}, or {} for the detector\'s defaults.',
		});
	}
	return value as IDataObject;
}
