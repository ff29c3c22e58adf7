import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod/v4';

import { optionsCollection } from '../../../shared/descriptions';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { refFields } from '../../images';
import type { ImageRef } from '../../images';
import { exportResultSchema } from '../../schemas';
import type { Variant } from '../../schemas';
import type { StreamVerb } from '../../stream';
import { secondsToMs } from '../../transport';
import { concurrencyOf, keepBinaryOption, sessionConcurrencyOption, streamTimeLimitOption, streamTotalMsOf, timeoutOption } from '../common';
import type { CommonOptions } from '../common';
import { runStreamed } from './streamed';
import type { StreamedRun } from './streamed';

/** Sample's documented maximum (Image Forge answers 400 above it). */
export const SAMPLE_LIMIT = 5;

/** The export settings PROVIDERS.md documents, shared by Export and Sample. */
export const exportSettingsProperties: INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'AVIF', value: 'avif' },
			{ name: 'JPEG', value: 'jpeg' },
			{ name: 'Original Format', value: 'original' },
			{ name: 'PNG', value: 'png' },
			{ name: 'WebP', value: 'webp' },
		],
		default: 'webp',
		description: 'The file format of the exported images',
	},
	{
		displayName: 'Quality Preset',
		name: 'preset',
		type: 'options',
		options: [
			{ name: 'Maximum', value: 'maximum' },
			{ name: 'Very High', value: 'very_high' },
			{ name: 'High', value: 'high' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'Low', value: 'low' },
			{ name: 'Minimum', value: 'minimum' },
		],
		default: 'high',
		description: 'Compression quality: higher keeps more detail, lower makes smaller files',
	},
	{
		displayName: 'Responsive Sizes',
		name: 'responsive',
		type: 'boolean',
		default: false,
		description: 'Whether to also export smaller widths of each image for srcset (only widths below the image width)',
	},
	{
		displayName: 'Widths',
		name: 'responsiveSizes',
		type: 'string',
		default: '',
		placeholder: 'e.g. 320, 640, 1024, 1920',
		description: "Comma-separated widths in pixels. Leave empty for Image Forge's defaults.",
		displayOptions: { show: { responsive: [true] } },
	},
];

interface ExportOptions extends CommonOptions {
	useInputMetadata?: boolean;
}

export function exportOptionsProperty(verb: 'export' | 'sample'): INodeProperties {
	return optionsCollection([
		sessionConcurrencyOption,
		keepBinaryOption("the input item's binary data (the uploaded image)"),
		timeoutOption(
			120,
			`How long to wait for the next event of the stream before giving up on the images still without a result (Image Forge sends progress while it works on each ${verb}; keep-alive comments do not count)`,
		),
		streamTimeLimitOption,
		{
			displayName: 'Use Metadata From Input',
			name: 'useInputMetadata',
			type: 'boolean',
			default: true,
			description:
				"Whether to send the input item's title, alt, caption, description, filename and seoTags (as Image → Analyze outputs them) with each image; Image Forge names the exported files after that filename",
		},
	]);
}

function readSettings(context: IExecuteFunctions): IDataObject {
	const responsive = context.getNodeParameter('responsive', 0, false) as boolean;
	const settings: IDataObject = {
		format: context.getNodeParameter('format', 0) as string,
		preset: context.getNodeParameter('preset', 0) as string,
		responsive,
	};
	const sizesText = responsive ? String(context.getNodeParameter('responsiveSizes', 0, '') ?? '').trim() : '';
	if (sizesText !== '') {
		const sizes = sizesText.split(/[\s,;]+/).filter(Boolean).map(Number);
		if (!sizes.every((size) => Number.isInteger(size) && size > 0)) {
			throw new NodeOperationError(context.getNode(), `"Widths" must be whole numbers of pixels, e.g. 320, 640, 1024 (got "${sizesText}")`);
		}
		settings.responsiveSizes = sizes;
	}
	return settings;
}

type ExportResult = z.infer<typeof exportResultSchema>;

function exportItem(ref: ImageRef, result: ExportResult, raw: unknown, settings: IDataObject): IDataObject {
	const variants: Variant[] = result.variants;
	const main = variants.find((variant) => variant.name === 'original') ?? variants[0];
	return {
		...refFields(ref),
		filename: result.filename ?? null,
		format: settings.format as string,
		preset: settings.preset as string,
		path: main?.path ?? null,
		size: main?.size ?? null,
		width: main?.width ?? null,
		height: main?.height ?? null,
		variantCount: variants.length,
		variants: variants as unknown as IDataObject[],
		raw: raw as IDataObject,
	};
}

/** Export and Sample differ only in path, cost and Sample's limit of 5 images. */
export async function runExport(
	context: IExecuteFunctions,
	client: ApiClient,
	verb: Extract<StreamVerb, 'export' | 'sample'>,
): Promise<ItemOutcome[]> {
	const options = context.getNodeParameter('options', 0, {}) as ExportOptions;
	const settings = readSettings(context);
	const run: StreamedRun<ExportResult> = {
		protocol: { verb, resultSchema: exportResultSchema, paid: verb === 'export' },
		body: (batch) => ({
			sessionId: batch.sessionId,
			images: batch.images.map(({ ref, metadata }) => ({
				id: ref.imageId,
				uploadPath: ref.uploadPath,
				originalFilename: ref.originalFilename,
				...(metadata ? { metadata } : {}),
			})),
			settings,
		}),
		toJson: (ref, result, raw) => exportItem(ref, result, raw, settings),
		concurrency: concurrencyOf(options),
		keepBinary: options.keepBinary ?? true,
		timeoutMs: secondsToMs(options.timeout, 120),
		streamLimits: { totalMs: streamTotalMsOf(options) },
		withMetadata: options.useInputMetadata ?? true,
	};
	if (verb === 'sample') {
		run.sessionLimit = {
			max: SAMPLE_LIMIT,
			refusal: (count, sessionId) => ({
				message: `Sample takes at most ${SAMPLE_LIMIT} images per session; session ${sessionId} has ${count} in this run`,
				description: `Nothing was sent to Image Forge for this session. Put a Limit node (Max Items: ${SAMPLE_LIMIT}) before this one to preview a few images for free, or use Image → Export for all of them (1 credit per image).`,
			}),
		};
	}
	return await runStreamed(context, client, run);
}
