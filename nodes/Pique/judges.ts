import type { IDataObject } from 'n8n-workflow';

import type { ApiClient } from '../shared/http/client';
import { idSegment } from './results';
import { judgeListSchema, judgeSchema } from './schemas';
import type { PiqueJudge } from './schemas';

/** Pique's largest page of judges. */
export const MAX_PAGE = 100;

export const JUDGE_CONTENT_TYPES = ['video', 'image', 'audio', 'text'] as const;

/** A judge as one flat item; the provider's answer stays under `raw`. */
export function judgeJson(judge: PiqueJudge): IDataObject {
	const detectors = judge.detector_configs ?? [];
	const json: IDataObject = {
		judgeId: judge.id,
		name: judge.name,
		description: judge.description ?? undefined,
		contentType: judge.content_type,
		status: judge.status ?? undefined,
		isActive: judge.is_active ?? undefined,
		detectorNames: detectors.map((detector) => detector.detector_name),
		createdAt: judge.created_at ?? undefined,
		updatedAt: judge.updated_at ?? undefined,
		raw: judge as IDataObject,
	};
	return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

export async function fetchJudge(client: ApiClient, id: string, itemIndex?: number): Promise<PiqueJudge> {
	return await client.json({ method: 'GET', path: `/v1/judges/${idSegment(id)}`, itemIndex }, judgeSchema);
}

/** One page of `GET /v1/judges` (newest first). */
export async function fetchJudgePage(
	client: ApiClient,
	page: { limit: number; offset: number; contentType?: string; itemIndex?: number },
): Promise<{ judges: PiqueJudge[]; total: number; hasMore: boolean }> {
	const answer = await client.json(
		{
			method: 'GET',
			path: '/v1/judges',
			query: { limit: Math.min(MAX_PAGE, Math.max(1, page.limit)), offset: page.offset, content_type: page.contentType },
			itemIndex: page.itemIndex,
		},
		judgeListSchema,
	);
	return { judges: answer.judges, total: answer.total, hasMore: answer.has_more };
}
