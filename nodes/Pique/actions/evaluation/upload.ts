import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { readBinaryInput } from '../../../shared/binary-input';
import type { BinaryInput } from '../../../shared/binary-input';
import type { ApiClient } from '../../../shared/http/client';
import { concurrencyOption, optionsCollection } from '../../../shared/descriptions';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { registerJobs } from '../../../shared/ledger';
import { waitModeProperties } from '../../../shared/webhooks/callback-wait';
import { isPollMode } from '../../../shared/wait-mode';
import { fetchResult } from '../../results';
import { pollSettings, waitForEvaluation } from './wait';
import { presignedUploadSchema } from '../../schemas';
import type { PresignedUpload } from '../../schemas';
import { UPLOAD_CONTENT_TYPES, inferContentType, putUpload, uploadFileName } from '../../upload';
import type { UploadContentType } from '../../upload';
import {
	judgeId,
	judgeLocator,
	numberOption,
	optionsOf,
	requiredString,
	stringOption,
	webhookUrlOf,
	webhookUrlOption,
} from '../common';

const properties: INodeProperties[] = [
	judgeLocator('searchJudges', 'The judge that scores the file; its content type must match the file\'s (video, image or audio)'),
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		description: 'Name of the binary property that holds the video, image or audio file',
		hint: 'Read/Write Files from Disk and HTTP Request put files into "data". Large files are streamed, never loaded into memory.',
	},
	{
		displayName: 'Content Type',
		name: 'contentType',
		type: 'options',
		options: [
			{ name: 'From the File\'s Mime Type', value: 'auto', description: 'video/*, image/* or audio/* (the file extension when the mime type is generic)' },
			{ name: 'Video', value: 'video' },
			{ name: 'Image', value: 'image' },
			{ name: 'Audio', value: 'audio' },
		],
		default: 'auto',
		description: 'What kind of content the file is, as Pique needs to know it',
	},
	...waitModeProperties('Pique', pollSettings),
	optionsCollection([
		concurrencyOption('Pique'),
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			description: 'A description of the content, stored with the evaluation',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: 'The name Pique gets for the file. Default: the binary file\'s name (with an extension from its mime type if it has none).',
		},
		{
			displayName: 'Title',
			name: 'title',
			type: 'string',
			default: '',
			description: 'A title for the evaluation in Pique',
		},
		{
			displayName: 'Upload Timeout (Seconds)',
			name: 'uploadTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description: 'How long the upload may go without progress before it is retried or given up',
		},
		webhookUrlOption,
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['evaluation'], operation: ['upload'] } }, properties);

interface PlannedUpload {
	input: BinaryInput;
	judgeId: string;
	contentType: UploadContentType;
	fileName: string;
	body: IDataObject;
}

/**
 * Direct Upload: asks Pique for an upload URL (job `awaiting_upload`), PUTs the file there streamed
 * from n8n's binary data, and records the job for the Visual AI Trigger once the file landed.
 */
export async function execute(context: IExecuteFunctions, itemIndex: number, { client, account }: LedgerClient): Promise<ItemResult> {
	const planned = await plan(context, itemIndex);
	const submittedAt = new Date();
	const presigned = await client.json(
		{ method: 'POST', path: '/v1/evaluations/presigned-upload', json: planned.body, itemIndex },
		presignedUploadSchema,
	);
	const json: IDataObject = {
		jobId: presigned.job_id,
		status: 'pending',
		judgeId: planned.judgeId,
		contentType: planned.contentType,
		fileName: planned.fileName,
		fileSizeBytes: planned.input.size,
		mimeType: planned.input.mimeType,
		binaryProperty: planned.input.propertyName,
		// The upload URL carries a signature: it is left out, as are the headers that go with it.
		raw: { job_id: presigned.job_id, expires_at: presigned.expires_at },
	};
	const timeoutMs = numberOption(optionsOf(context, itemIndex), 'uploadTimeout', 300) * 1000;
	try {
		await putUpload(context, presigned, planned.input, { itemIndex, timeoutMs });
	} catch (error) {
		const failed = await uploadFailure(context, client, presigned, planned, error, itemIndex);
		if (!failed) return { json: await recorded(context, account, json, submittedAt, itemIndex) };
		if (!context.continueOnFail()) throw failed;
		return {
			json: { ...json, status: 'awaiting_upload', error: failed.message, ...(failed.description ? { errorDescription: failed.description } : {}) },
		};
	}
	const uploaded = await recorded(context, account, { ...json, uploadedAt: new Date().toISOString() }, submittedAt, itemIndex);
	if (!isPollMode(context, itemIndex)) return { json: uploaded };
	const finished = await waitForEvaluation(context, client, String(uploaded.jobId), { itemIndex, errorIfFailed: false });
	return { json: { ...finished, fileName: uploaded.fileName, submittedAt: uploaded.submittedAt, uploadedAt: uploaded.uploadedAt } };
}

/** Everything checked before anything is sent: the file, its content type and name, the judge. */
async function plan(context: IExecuteFunctions, itemIndex: number): Promise<PlannedUpload> {
	const options = optionsOf(context, itemIndex);
	const input = await readBinaryInput(context, itemIndex, requiredString(context, 'binaryPropertyName', 'Input Binary Field', itemIndex));
	const judge = judgeId(context, itemIndex);
	const fileName = uploadFileName(stringOption(options, 'fileName') ?? input.fileName, input.mimeType);
	const chosen = context.getNodeParameter('contentType', itemIndex, 'auto') as string;
	const contentType = (UPLOAD_CONTENT_TYPES as readonly string[]).includes(chosen)
		? (chosen as UploadContentType)
		: inferContentType(input.mimeType, fileName);
	if (!contentType) {
		throw new NodeOperationError(context.getNode(), `Pique cannot evaluate "${input.fileName}" (${input.mimeType})`, {
			itemIndex,
			description: 'Pique evaluates video, image and audio files. If this file is one of them, set "Content Type" to Video, Image or Audio.',
		});
	}
	const title = stringOption(options, 'title');
	const about = stringOption(options, 'description');
	const webhookUrl = webhookUrlOf(context, options, itemIndex);
	return {
		input,
		judgeId: judge,
		contentType,
		fileName,
		body: {
			judge_id: judge,
			content_type: contentType,
			filename: fileName,
			file_size_bytes: input.size,
			...(title ? { title } : {}),
			...(about ? { description: about } : {}),
			...(webhookUrl ? { webhook_url: webhookUrl } : {}),
		},
	};
}

/**
 * The error of a failed PUT, saying that the job is left `awaiting_upload` and why; undefined when
 * Pique says the file did arrive after all (e.g. the answer to a PUT that landed was lost).
 */
async function uploadFailure(
	context: IExecuteFunctions,
	client: ApiClient,
	presigned: PresignedUpload,
	planned: PlannedUpload,
	error: unknown,
	itemIndex: number,
): Promise<NodeOperationError | undefined> {
	const jobId = presigned.job_id;
	if (context.getExecutionCancelSignal()?.aborted) {
		return new NodeOperationError(context.getNode(), `The upload of "${planned.fileName}" was cancelled, so Pique job ${jobId} is left awaiting_upload`, {
			itemIndex,
			description: 'Pique evaluates a job only once its file arrived; this one never will. Run Upload again to evaluate the file (a new job is created).',
		});
	}
	let status: string | undefined;
	try {
		status = (await fetchResult(client, jobId, { itemIndex, retry: { maxTries: 2 } })).status;
	} catch {
		// The upload's own error says more than a failed status check would.
	}
	if (status !== undefined && status !== 'awaiting_upload') return undefined;
	const cause = error instanceof Error ? error.message : String(error);
	const causeHint = error instanceof NodeError && error.description ? `${error.description} ` : '';
	return new NodeOperationError(
		context.getNode(),
		`The upload of "${planned.fileName}" failed, so Pique job ${jobId} is left awaiting_upload (${cause})`,
		{
			itemIndex,
			description: `${causeHint}Pique evaluates a job only once its file arrived; this one never will. Run Upload again to evaluate the file (a new job and upload URL are created).`,
		},
	);
}

/** The Visual AI Trigger can only see jobs it was told about: Pique cannot list them. */
async function recorded(
	context: IExecuteFunctions,
	account: string,
	json: IDataObject,
	submittedAt: Date,
	itemIndex: number,
): Promise<IDataObject> {
	const jobId = json.jobId as string;
	try {
		await registerJobs(context, 'pique', account, [{ jobId, submittedAt }]);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Pique job ${jobId} was uploaded, but could not be recorded for the Visual AI Trigger`, {
			itemIndex,
			description: `${error instanceof Error ? error.message : String(error)}. Wait for it with Wait for Completion, or record it later with Job → Track (job ID ${jobId}).`,
		});
	}
	const { raw, ...fields } = json;
	return { ...fields, submittedAt: submittedAt.toISOString(), raw };
}
