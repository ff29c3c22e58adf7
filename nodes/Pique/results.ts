import type { ApiClient } from '../shared/http/client';
import type { RetrySettings } from '../shared/http/retry';
import { resultSchema } from './schemas';
import type { PiqueResult } from './schemas';

/** Statuses after which a job never changes again. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed']);

/** Path segment for an id typed by a user: encoded so that "a/b" cannot reach another endpoint. */
export function idSegment(id: string): string {
	return encodeURIComponent(id);
}

/** `GET /v1/evaluations/results/{job_id}`, validated. */
export async function fetchResult(
	client: ApiClient,
	jobId: string,
	options: { itemIndex?: number; retry?: Partial<RetrySettings> } = {},
): Promise<PiqueResult> {
	return await client.json(
		{ method: 'GET', path: `/v1/evaluations/results/${idSegment(jobId)}`, itemIndex: options.itemIndex, retry: options.retry },
		resultSchema,
	);
}
