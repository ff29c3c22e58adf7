import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { ItemResult } from '../../../shared/router';
import { registerJobs } from '../../../shared/ledger';
import { imageFromBinary, imageFromUrl } from '../../image';
import { createAnalysisSchema } from '../../schemas';
import { concurrencyOption, optionsCollection, waitProperties } from '../../../shared/descriptions';
import type { LedgerClient } from '../../../shared/track';
import { WAIT_MODES, isPollMode, waitModeParameter } from '../../../shared/wait-mode';
import { booleanOption, downloadOutputsOption, numberOption, optionsOf, requiredString, seconds } from '../common';
import { waitForAnalysis } from './result';

const PREDICTIONS = ['attention', 'clarity', 'excitingness'] as const;
type Prediction = (typeof PREDICTIONS)[number];

const OUTPUT_PARAMETER: Record<Prediction, string> = {
	attention: 'attentionOutputs',
	clarity: 'clarityOutputs',
	excitingness: 'excitingnessOutputs',
};

const imageSource: INodeProperties = {
	displayName: 'Image Source',
	name: 'imageSource',
	type: 'options',
	options: [
		{ name: 'Binary File', value: 'binary', description: 'A PNG or JPEG file on the incoming item' },
		{ name: 'Image URL', value: 'url', description: 'The node downloads the image and sends it to EyeQuant' },
	],
	default: 'binary',
};

const properties: INodeProperties[] = [
	// On the canvas a file usually comes from the previous node; an AI agent can only give a URL.
	{ ...imageSource, displayOptions: { show: { '@tool': [false] } } },
	{ ...imageSource, default: 'url', displayOptions: { show: { '@tool': [true] } } },
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		displayOptions: { show: { imageSource: ['binary'] } },
		description: 'Name of the binary property that holds the design (PNG or JPEG)',
		hint: 'Read/Write Files from Disk and HTTP Request put files into "data"',
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/design.png',
		displayOptions: { show: { imageSource: ['url'] } },
		description: 'Public http(s) address of a PNG or JPEG image',
	},
	{
		displayName: 'Medium',
		name: 'medium',
		type: 'options',
		options: [
			{ name: 'Desktop Web', value: 'desktopWeb' },
			{ name: 'Mobile Web', value: 'mobileWeb' },
		],
		default: 'desktopWeb',
		description: 'Where the design is shown; EyeQuant predicts attention for that kind of screen',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'A name for the analysis in your EyeQuant account',
	},
	{
		displayName: 'Predictions',
		name: 'predictions',
		type: 'multiOptions',
		options: [
			{ name: 'Attention', value: 'attention', description: 'Where people look in the first seconds' },
			{ name: 'Clarity', value: 'clarity', description: 'How clear and uncluttered the design is (0–100)' },
			{ name: 'Excitingness', value: 'excitingness', description: 'How exciting the design looks (0–100)' },
		],
		default: ['attention'],
		description: 'What EyeQuant should predict',
	},
	{
		displayName: 'Attention Outputs',
		name: 'attentionOutputs',
		type: 'multiOptions',
		options: [
			{ name: 'Attention Map', value: 'attentionMap' },
			{ name: 'Perception Map', value: 'perceptionMap' },
			{ name: 'Hotspots Map', value: 'hotspotsMap' },
		],
		default: ['attentionMap'],
		displayOptions: { show: { predictions: ['attention'] } },
		description: 'Which attention images to produce. Nothing selected means the EyeQuant default (Attention Map).',
	},
	{
		displayName: 'Clarity Outputs',
		name: 'clarityOutputs',
		type: 'multiOptions',
		options: [
			{ name: 'Score', value: 'score' },
			{ name: 'Map', value: 'map' },
		],
		default: ['score'],
		displayOptions: { show: { predictions: ['clarity'] } },
		description: 'The clarity score (0–100) and/or the clarity map image. Nothing selected means the EyeQuant default (Score).',
	},
	{
		displayName: 'Excitingness Outputs',
		name: 'excitingnessOutputs',
		type: 'multiOptions',
		options: [
			{ name: 'Score', value: 'score' },
			{ name: 'Map', value: 'map' },
		],
		default: ['score'],
		displayOptions: { show: { predictions: ['excitingness'] } },
		description:
			'The excitingness score (0–100) and/or the excitingness map image. Nothing selected means the EyeQuant default (Score).',
	},
	...waitModeParameter({
		provider: 'EyeQuant',
		pollSettings: waitProperties({
			intervalSeconds: 5,
			timeoutSeconds: 600,
			giveUpWhen: 'the analysis has not finished by then',
		}),
	}),
	optionsCollection([
		concurrencyOption('EyeQuant'),
		downloadOutputsOption(true, 'the moment the analysis succeeds (with Wait for the Result → Poll Until Done)', {
			displayOptions: { show: { '/waitMode': [WAIT_MODES.poll] } },
		}),
		{
			displayName: 'Max Image Size (MB)',
			name: 'maxImageMb',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 20,
			description: 'Larger images are refused before anything is sent to EyeQuant',
		},
		{
			displayName: 'Image Download Timeout (Seconds)',
			name: 'imageTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description: 'For Image Source "Image URL": how long to wait for the image',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['analysis'], operation: ['create'] } }, properties);

export async function execute(context: IExecuteFunctions, itemIndex: number, { client, account }: LedgerClient): Promise<ItemResult> {
	const itemOptions = optionsOf(context, itemIndex);
	const limits = {
		maxBytes: numberOption(itemOptions, 'maxImageMb', 20) * 1024 * 1024,
		timeoutMs: numberOption(itemOptions, 'imageTimeout', 60) * 1000,
	};
	const source = context.getNodeParameter('imageSource', itemIndex, 'binary') as string;
	const medium = context.getNodeParameter('medium', itemIndex, 'desktopWeb') as string;
	const title = (context.getNodeParameter('title', itemIndex, '') as string).trim();
	const predictions = requestedPredictions(context, itemIndex);
	const image =
		source === 'url'
			? await imageFromUrl(context, itemIndex, requiredString(context, 'imageUrl', 'Image URL', itemIndex), limits)
			: await imageFromBinary(context, itemIndex, requiredString(context, 'binaryPropertyName', 'Input Binary Field', itemIndex), limits);

	const submittedAt = new Date();
	const created = await client.json(
		{
			method: 'POST',
			path: '/analyses',
			itemIndex,
			json: {
				input: { type: 'image', content: image.bytes.toString('base64'), medium, ...(title ? { title } : {}) },
				predictions,
			},
		},
		createAnalysisSchema,
	);
	// The Visual AI Trigger can only see analyses it was told about: EyeQuant cannot list them.
	try {
		await registerJobs(context, 'eyeQuant', account, [{ jobId: created.id, submittedAt }]);
	} catch (error) {
		throw new NodeOperationError(
			context.getNode(),
			`EyeQuant analysis ${created.id} was created, but could not be recorded for the Visual AI Trigger`,
			{
				itemIndex,
				description: `${error instanceof Error ? error.message : String(error)}. Wait for it with Wait for Completion, or record it later with Job → Track (screenshot ID ${created.id}).`,
			},
		);
	}
	if (isPollMode(context, itemIndex)) {
		const finished = await waitForAnalysis(context, client, created.id, {
			itemIndex,
			intervalMs: seconds(context.getNodeParameter('pollInterval', itemIndex, 5) as number),
			timeoutMs: seconds(context.getNodeParameter('timeout', itemIndex, 600) as number),
			errorIfFailed: false,
			download: booleanOption(itemOptions, 'downloadOutputs', true),
			mapTimeoutMs: numberOption(itemOptions, 'mapTimeout', 120) * 1000,
		});
		return { ...finished, json: { ...finished.json, submittedAt: submittedAt.toISOString() } };
	}
	const json: IDataObject = {
		screenshotId: created.id,
		status: 'pending',
		medium,
		...(title ? { title } : {}),
		predictions,
		submittedAt: submittedAt.toISOString(),
		raw: created as IDataObject,
	};
	return { json };
}

/** `predictions` as EyeQuant wants it: each chosen type with its outputs, `{}` meaning EyeQuant's default. */
function requestedPredictions(context: IExecuteFunctions, itemIndex: number): IDataObject {
	const chosen = context.getNodeParameter('predictions', itemIndex, ['attention']) as string[];
	const predictions: IDataObject = {};
	for (const type of PREDICTIONS) {
		if (!chosen.includes(type)) continue;
		const outputs = context.getNodeParameter(OUTPUT_PARAMETER[type], itemIndex, []) as string[];
		predictions[type] = outputs.length > 0 ? { outputs } : {};
	}
	if (Object.keys(predictions).length === 0) {
		throw new NodeOperationError(context.getNode(), 'No prediction is selected', {
			itemIndex,
			description: 'Pick at least one of Attention, Clarity and Excitingness under "Predictions".',
		});
	}
	return predictions;
}
