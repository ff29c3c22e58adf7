import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { readBinaryInput } from '../../../shared/binary-input';
import type { BinaryInput } from '../../../shared/binary-input';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { MAX_IMAGES_PER_REQUEST } from '../../images';
import { FileSizeMismatchError, multipartBody } from '../../multipart';
import { uploadResponseSchema } from '../../schemas';
import type { ImageRecord } from '../../schemas';
import { PROVIDER_NAME, secondsToMs } from '../../transport';
import { keepBinaryOption, timeoutOption } from '../common';
import type { CommonOptions } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Binary Properties',
		name: 'binaryProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, image',
		description:
			'Comma-separated names of the binary properties to upload. Leave empty to upload every binary property of every input item. All files go to Image Forge in one request (at most 100) and share one session.',
	},
	optionsCollection([
		keepBinaryOption('each uploaded file'),
		timeoutOption(300, 'How long the upload may go without progress before it is given up'),
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['session'], operation: ['upload'] } }, properties);

interface ItemFile {
	itemIndex: number;
	input: BinaryInput;
}

function propertyNames(context: IExecuteFunctions, itemIndex: number): string[] {
	const text = String(context.getNodeParameter('binaryProperties', itemIndex, '') ?? '');
	const named = text
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	if (named.length > 0) return named;
	const all = Object.keys(context.getInputData()[itemIndex]?.binary ?? {});
	if (all.length === 0) {
		throw new NodeOperationError(context.getNode(), 'This item has no binary data to upload', {
			itemIndex,
			description: 'Put a node that reads or downloads the images (e.g. Read/Write Files from Disk, HTTP Request) before this one.',
		});
	}
	return all;
}

/**
 * Every chosen binary property of every item goes up in ONE multipart request (`images[]`), streamed
 * from n8n's binary store; the answer becomes one item per image, paired to the item it came from.
 */
export async function executeBatch(context: IExecuteFunctions, client: ApiClient): Promise<ItemOutcome[]> {
	const options = context.getNodeParameter('options', 0, {}) as CommonOptions;
	const keepBinary = options.keepBinary ?? true;
	const inputs = context.getInputData();
	const outcomes: Array<ItemOutcome | undefined> = new Array(inputs.length);
	const files: ItemFile[] = [];
	for (const itemIndex of inputs.keys()) {
		try {
			const itemFiles: ItemFile[] = [];
			for (const name of propertyNames(context, itemIndex)) {
				itemFiles.push({ itemIndex, input: await readBinaryInput(context, itemIndex, name) });
			}
			files.push(...itemFiles);
		} catch (error) {
			outcomes[itemIndex] = error as Error;
		}
	}

	// The node would fail anyway: send nothing.
	const firstProblem = outcomes.find((outcome) => outcome instanceof Error);
	if (firstProblem && !context.continueOnFail()) throw firstProblem;

	const itemsWithFiles = [...new Set(files.map((file) => file.itemIndex))];
	const failAll = (error: Error) => {
		for (const itemIndex of itemsWithFiles) outcomes[itemIndex] = error;
	};

	if (files.length > MAX_IMAGES_PER_REQUEST) {
		const error = new NodeOperationError(
			context.getNode(),
			`${PROVIDER_NAME} takes at most ${MAX_IMAGES_PER_REQUEST} images per upload; this run has ${files.length}`,
			{
				description: `Nothing was uploaded. Put a Loop Over Items node (batch size ${MAX_IMAGES_PER_REQUEST} or fewer) before this one, so each batch becomes a session of its own.`,
				itemIndex: itemsWithFiles[0],
			},
		);
		if (!context.continueOnFail()) throw error;
		failAll(error);
	} else if (files.length > 0) {
		try {
			const records = await upload(context, client, files, secondsToMs(options.timeout, 300));
			for (const itemIndex of itemsWithFiles) outcomes[itemIndex] = [];
			for (const [index, file] of files.entries()) {
				(outcomes[file.itemIndex] as INodeExecutionData[]).push(imageItem(context, file, records.sessionId, records.images[index], keepBinary));
			}
		} catch (error) {
			failAll(error as Error);
		}
		const failure = outcomes[itemsWithFiles[0]];
		if (failure instanceof Error && context.getExecutionCancelSignal()?.aborted) throw failure;
	}

	return outcomes.map((outcome, itemIndex) => outcome ?? new NodeOperationError(context.getNode(), 'This item was not uploaded', { itemIndex }));
}

async function upload(
	context: IExecuteFunctions,
	client: ApiClient,
	files: ItemFile[],
	timeoutMs: number,
): Promise<{ sessionId: string; images: ImageRecord[] }> {
	const body = multipartBody(
		files.map(({ input }) => ({
			fieldName: 'images[]',
			fileName: input.fileName,
			mimeType: input.mimeType,
			size: input.size,
			open: input.open,
		})),
	);
	let sizeProblem: FileSizeMismatchError | undefined;
	const itemIndex = files[0].itemIndex;
	let answer;
	let failure: unknown;
	try {
		answer = await client.json(
			{
				method: 'POST',
				path: '/v1/sessions/upload',
				headers: { 'content-type': body.contentType, 'content-length': String(body.contentLength) },
				timeoutMs,
				body: () =>
					body.stream().on('error', (error) => {
						if (error instanceof FileSizeMismatchError) sizeProblem = error;
					}),
				itemIndex,
			},
			uploadResponseSchema,
		);
	} catch (error) {
		failure = error;
	}
	if (sizeProblem) {
		const problem: FileSizeMismatchError = sizeProblem;
		throw new NodeOperationError(context.getNode(), problem.message, {
			itemIndex: files.find((file) => file.input.fileName === problem.fileName)?.itemIndex ?? itemIndex,
			description: 'Nothing was uploaded. The binary data changed while it was being read; run the node again.',
		});
	}
	if (!answer) throw failure;
	if (answer.images.length !== files.length) {
		throw new NodeOperationError(
			context.getNode(),
			`${PROVIDER_NAME} stored ${answer.images.length} of the ${files.length} images that were uploaded (session ${answer.sessionId})`,
			{
				description: 'The images could not be matched to their input items. Run the node again; if it persists, upload fewer images per run.',
				itemIndex,
			},
		);
	}
	return answer;
}

/** Image Forge lists the images in upload order (the only order a multipart body has). */
function imageItem(context: IExecuteFunctions, file: ItemFile, sessionId: string, record: ImageRecord, keepBinary: boolean): INodeExecutionData {
	const json: IDataObject = {
		sessionId,
		imageId: record.id,
		originalFilename: record.originalFilename,
		uploadPath: record.uploadPath,
		size: record.size,
		width: record.width,
		height: record.height,
		binaryProperty: file.input.propertyName,
		raw: record as IDataObject,
	};
	const binary = context.getInputData()[file.itemIndex].binary?.[file.input.propertyName];
	return { json, ...(keepBinary && binary ? { binary: { [file.input.propertyName]: binary } } : {}) };
}
