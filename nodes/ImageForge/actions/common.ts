import type { INodeProperties } from 'n8n-workflow';

/** The image an item stands for; the defaults read what Session → Upload puts on each item. */
export const imageRefProperties: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '={{ $json.sessionId }}',
		required: true,
		description:
			'The session the image was uploaded to. The default reads it from the input item, as Session → Upload outputs it. Items of the same session go to Image Forge in one request.',
	},
	{
		displayName: 'Image ID',
		name: 'imageId',
		type: 'string',
		default: '={{ $json.imageId }}',
		required: true,
		description: 'The image ID Session → Upload returned (one input item per image)',
	},
	{
		displayName: 'Upload Path',
		name: 'uploadPath',
		type: 'string',
		default: '={{ $json.uploadPath }}',
		required: true,
		description: 'Where Image Forge stored the upload, as Session → Upload returned it',
	},
	{
		displayName: 'Original Filename',
		name: 'originalFilename',
		type: 'string',
		default: '={{ $json.originalFilename }}',
		required: true,
		description: 'The file name of the upload, as Session → Upload returned it',
	},
];

/** Analyze, Export and Sample send one streamed request per session; this many at once. */
export const sessionConcurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: 5,
	description: 'How many sessions are streamed at the same time (one request per session)',
};

export const timeoutOption = (seconds: number, what: string): INodeProperties => ({
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: seconds,
	description: what,
});

export const keepBinaryOption = (what: string): INodeProperties => ({
	displayName: 'Keep Binary Data',
	name: 'keepBinary',
	type: 'boolean',
	default: true,
	description: `Whether to carry ${what} to the output items, so later nodes (e.g. Write Files to Disk) can save it under its new name`,
});

/** The options every call-making operation reads. */
export interface CommonOptions {
	concurrency?: number;
	timeout?: number;
	keepBinary?: boolean;
	/** Streamed operations: minutes one session's stream may run in all. */
	streamTimeLimit?: number;
}

/** The overall limit of one session's stream (the idle limit is the Timeout option). */
export const streamTimeLimitOption: INodeProperties = {
	displayName: 'Stream Time Limit (Minutes)',
	name: 'streamTimeLimit',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 60,
	description:
		"How long one session's stream may run in all, even while Image Forge keeps sending; the images still without a result then fail with a message that says so",
};

/** The streamed operations' limits from their options (see `streamTimeLimitOption`). */
export function streamTotalMsOf(options: CommonOptions): number {
	const minutes = options.streamTimeLimit;
	return typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 ? Math.round(minutes * 60_000) : 60 * 60_000;
}

export function concurrencyOf(options: CommonOptions): number {
	const value = options.concurrency;
	return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : 5;
}
