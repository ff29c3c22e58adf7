import type { IDataObject } from 'n8n-workflow';

import type { AskJob, ImageResult } from './schemas';

export type Answer = 'yes' | 'no' | 'pending';

const OK = 'COMPLETED_SUCCESSFULLY';
const RUNNING = 'IN_PROGRESS';

/** Every documented image status that is a failure, as a sentence that says what to do. */
export const IMAGE_FAILURE_REASONS: Record<string, string> = {
	UNKNOWN_ERROR: 'Image Intelligence failed on this image without saying why. Submit it again; if it keeps failing, try another copy of the image.',
	JOB_ERROR: 'The job this image belongs to failed, so the image was not looked at. Submit the job again.',
	IMAGE_DOWNLOAD_ERROR:
		'Image Intelligence could not download the image. Check that the URL is public (no login, no expired signature), answers with the image itself, and is reachable from the internet.',
	INVALID_IMAGE_FORMAT_ERROR: 'The file is not an image Image Intelligence can read. Send a JPEG or PNG.',
	SPIDERWEBS_ERROR:
		'The provider\'s spider-web check failed on this image (it looks for camera views blocked by webs or dirt). Check the camera view and send a clear image.',
	DETECTION_ENGINE_ERROR: 'Image Intelligence\'s detection engine failed on this image. This is on the provider\'s side: try again later.',
	MODEL_SERVICE_ERROR: 'Image Intelligence\'s model service failed on this image. This is on the provider\'s side: try again later.',
	MALFORMED_MESSAGE_ERROR:
		'Image Intelligence could not read this image\'s part of the request (malformed message). Check the image URL or file, then submit again.',
};

/** Why an image failed, in words; undefined for an image that succeeded or is still running. */
export function imageFailureReason(status: string): string | undefined {
	if (status === OK || status === RUNNING) return undefined;
	return IMAGE_FAILURE_REASONS[status] ?? `Image Intelligence reported ${status} for this image (a status this node does not know).`;
}

/** Documented finished statuses all start with COMPLETED; anything else is treated as still running. */
export function isFinished(job: Pick<AskJob, 'status'>): boolean {
	return job.status.startsWith('COMPLETED');
}

/** "yes" when the job chose an image, "no" when it finished without one, "pending" while it runs. */
export function answerOf(job: AskJob): Answer {
	if (!isFinished(job)) return 'pending';
	return job.jobResults?.image ? 'yes' : 'no';
}

function present(value: string | null | undefined): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function imageSummary(image: ImageResult): IDataObject {
	const reason = imageFailureReason(image.status);
	return {
		id: image.id,
		...(present(image.url) ? { url: image.url } : {}),
		...(present(image.customId) ? { customId: image.customId } : {}),
		...(present(image.proxyUrl) ? { proxyUrl: image.proxyUrl } : {}),
		status: image.status,
		ok: image.status === OK,
		...(reason ? { reason } : {}),
	};
}

/** The chosen image, completed from its entry in imageResults (jobResults.image may carry less). */
function chosenImage(job: AskJob): IDataObject | null {
	const chosen = job.jobResults?.image;
	if (!chosen) return null;
	const listed = job.imageResults.find((image) => image.id === chosen.id);
	const pick = (field: 'url' | 'customId' | 'proxyUrl') => present(chosen[field]) ?? present(listed?.[field]);
	const url = pick('url');
	const customId = pick('customId');
	const proxyUrl = pick('proxyUrl');
	return { id: chosen.id, ...(url ? { url } : {}), ...(customId ? { customId } : {}), ...(proxyUrl ? { proxyUrl } : {}) };
}

function describe(job: AskJob, answer: Answer, failed: number): string {
	const total = job.imageResults.length;
	const failedNote = failed > 0 ? ` ${failed} of ${total} images failed (see imageResults[].reason).` : '';
	if (answer === 'pending') {
		return `Still in progress (${job.status}): Image Intelligence has not answered yet. Use Ask → Wait for Completion, or Get again later.`;
	}
	if (answer === 'yes') {
		const chosen = chosenImage(job);
		const name = chosen?.customId ?? chosen?.url ?? chosen?.id;
		return `Yes: Image Intelligence chose image ${String(name)}.${failedNote}`;
	}
	if (total > 0 && failed === total) {
		return `No, but only because no image could be looked at: all ${total} images failed (see imageResults[].reason).`;
	}
	return `No: Image Intelligence chose none of the images.${failedNote}`;
}

function isoTime(ms: number | undefined): string | undefined {
	if (ms === undefined) return undefined;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ask job as a flat item: answer and chosen image first, per-image results, the job under `raw`. */
export function askJobItem(job: AskJob): IDataObject {
	const answer = answerOf(job);
	const imageResults = job.imageResults.map(imageSummary);
	const failed = imageResults.filter((image) => image.reason !== undefined).length;
	return {
		jobId: job.id,
		status: job.status,
		answer,
		finished: isFinished(job),
		summary: describe(job, answer, failed),
		chosenImage: chosenImage(job),
		...(present(job.question) ? { question: job.question } : {}),
		...(present(job.customId) ? { customId: job.customId } : {}),
		...(present(job.feedId) ? { feedId: job.feedId } : {}),
		...(isoTime(job.createdAt) ? { createdAt: isoTime(job.createdAt) } : {}),
		imageCount: imageResults.length,
		failedImageCount: failed,
		imageResults,
		raw: job as IDataObject,
	};
}
