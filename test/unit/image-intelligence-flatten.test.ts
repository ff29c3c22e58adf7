import { IMAGE_FAILURE_REASONS, answerOf, askJobItem, imageFailureReason } from '../../nodes/ImageIntelligence/flatten';
import type { AskJob } from '../../nodes/ImageIntelligence/schemas';

const DOCUMENTED_FAILURES = [
	'UNKNOWN_ERROR',
	'JOB_ERROR',
	'IMAGE_DOWNLOAD_ERROR',
	'INVALID_IMAGE_FORMAT_ERROR',
	'SPIDERWEBS_ERROR',
	'DETECTION_ENGINE_ERROR',
	'MODEL_SERVICE_ERROR',
	'MALFORMED_MESSAGE_ERROR',
];

function job(patch: Partial<AskJob>): AskJob {
	return {
		id: 'job-1',
		createdAt: Date.UTC(2024, 4, 1, 10),
		status: 'COMPLETED_SUCCESSFULLY',
		question: 'Is it open?',
		jobResults: {},
		imageResults: [
			{ id: 'i1', url: 'https://cams.example/1.jpg', customId: 'cam-1', status: 'COMPLETED_SUCCESSFULLY' },
			{ id: 'i2', url: 'https://cams.example/2.jpg', status: 'COMPLETED_SUCCESSFULLY' },
		],
		...patch,
	};
}

describe('per-image reasons', () => {
	it.each(DOCUMENTED_FAILURES)('%s has its own sentence', (status) => {
		const reason = imageFailureReason(status);
		expect(reason).toBe(IMAGE_FAILURE_REASONS[status]);
		expect(reason).toMatch(/^[A-Z].{30,}\.$/);
		expect(reason).not.toContain(status);
	});

	it('every sentence is different', () => {
		expect(new Set(DOCUMENTED_FAILURES.map(imageFailureReason)).size).toBe(DOCUMENTED_FAILURES.length);
	});

	it('success and in-progress have no reason; an unknown status is named', () => {
		expect(imageFailureReason('COMPLETED_SUCCESSFULLY')).toBeUndefined();
		expect(imageFailureReason('IN_PROGRESS')).toBeUndefined();
		expect(imageFailureReason('NEW_KIND_OF_ERROR')).toBe(
			'Image Intelligence reported NEW_KIND_OF_ERROR for this image (a status this node does not know).',
		);
	});
});

describe('the answer', () => {
	it('yes when jobResults.image is there, no when it is not, pending while in progress', () => {
		expect(answerOf(job({ jobResults: { image: { id: 'i2' } } }))).toBe('yes');
		expect(answerOf(job({ jobResults: {} }))).toBe('no');
		expect(answerOf(job({ jobResults: null }))).toBe('no');
		expect(answerOf(job({ status: 'COMPLETED_ALL_ERROR' }))).toBe('no');
		expect(answerOf(job({ status: 'IN_PROGRESS' }))).toBe('pending');
		expect(answerOf(job({ status: 'SOMETHING_NEW' }))).toBe('pending');
	});
});

describe('askJobItem', () => {
	it('flattens a yes: chosen image completed from imageResults, per-image reasons, raw kept', () => {
		const raw = job({
			status: 'COMPLETED_PARTIAL_ERROR',
			customId: 'door-1',
			feedId: 'front',
			jobResults: { image: { id: 'i1' } },
			imageResults: [
				{ id: 'i1', url: 'https://cams.example/1.jpg', customId: 'cam-1', proxyUrl: 'https://proxy.example/i1', status: 'COMPLETED_SUCCESSFULLY' },
				{ id: 'i2', url: 'https://cams.example/2.jpg', status: 'SPIDERWEBS_ERROR' },
			],
		});
		const item = askJobItem(raw);
		expect(item).toMatchObject({
			jobId: 'job-1',
			status: 'COMPLETED_PARTIAL_ERROR',
			answer: 'yes',
			finished: true,
			summary: 'Yes: Image Intelligence chose image cam-1. 1 of 2 images failed (see imageResults[].reason).',
			chosenImage: { id: 'i1', url: 'https://cams.example/1.jpg', customId: 'cam-1', proxyUrl: 'https://proxy.example/i1' },
			question: 'Is it open?',
			customId: 'door-1',
			feedId: 'front',
			createdAt: '2024-05-01T10:00:00.000Z',
			imageCount: 2,
			failedImageCount: 1,
		});
		expect(item.imageResults).toEqual([
			{ id: 'i1', url: 'https://cams.example/1.jpg', customId: 'cam-1', proxyUrl: 'https://proxy.example/i1', status: 'COMPLETED_SUCCESSFULLY', ok: true },
			{ id: 'i2', url: 'https://cams.example/2.jpg', status: 'SPIDERWEBS_ERROR', ok: false, reason: IMAGE_FAILURE_REASONS.SPIDERWEBS_ERROR },
		]);
		expect(item.raw).toBe(raw);
	});

	it('a chosen image without a custom ID is named by its URL', () => {
		expect(askJobItem(job({ jobResults: { image: { id: 'i2' } } })).summary).toBe('Yes: Image Intelligence chose image https://cams.example/2.jpg.');
	});

	it('no, all failed, pending', () => {
		expect(askJobItem(job({})).summary).toBe('No: Image Intelligence chose none of the images.');
		const failed = askJobItem(
			job({ status: 'COMPLETED_ALL_ERROR', imageResults: [{ id: 'i1', status: 'JOB_ERROR' }, { id: 'i2', status: 'UNKNOWN_ERROR' }] }),
		);
		expect(failed).toMatchObject({ answer: 'no', chosenImage: null, failedImageCount: 2 });
		expect(failed.summary).toBe('No, but only because no image could be looked at: all 2 images failed (see imageResults[].reason).');
		const pending = askJobItem(job({ status: 'IN_PROGRESS', imageResults: [{ id: 'i1', status: 'IN_PROGRESS' }] }));
		expect(pending).toMatchObject({ answer: 'pending', finished: false, failedImageCount: 0 });
		expect(pending.summary).toMatch(/^Still in progress \(IN_PROGRESS\)/);
	});

	it('an unreadable createdAt is left out rather than crashing', () => {
		expect(askJobItem(job({ createdAt: 8.64e15 + 1 })).createdAt).toBeUndefined();
	});
});
