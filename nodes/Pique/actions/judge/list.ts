import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { filtersCollection, returnAllLimit } from '../../../shared/descriptions';
import { wantedCount } from '../../../shared/parameters';
import type { ItemResult } from '../../../shared/router';
import type { LedgerClient } from '../../../shared/track';
import { MAX_PAGE, fetchJudgePage, judgeJson } from '../../judges';
import type { PiqueJudge } from '../../schemas';

const properties: INodeProperties[] = [
	...returnAllLimit,
	filtersCollection([
		{
			displayName: 'Content Type',
			name: 'contentType',
			type: 'options',
			options: [
				{ name: 'Audio', value: 'audio' },
				{ name: 'Image', value: 'image' },
				{ name: 'Text', value: 'text' },
				{ name: 'Video', value: 'video' },
			],
			default: 'video',
			description: 'Only judges that evaluate this kind of content',
		},
	]),
];

/** Pages are fetched one after another; several input items list one after another too. */
export const concurrency = 1;

export const description = updateDisplayOptions({ show: { resource: ['judge'], operation: ['list'] } }, properties);

/** The account's judges, newest first, one item each; Return All pages through with limit/offset. */
export async function execute(context: IExecuteFunctions, itemIndex: number, { client }: LedgerClient): Promise<ItemResult> {
	const wanted = wantedCount(context, itemIndex);
	const filters = context.getNodeParameter('filters', itemIndex, {}) as { contentType?: string };
	const judges: PiqueJudge[] = [];
	for (let offset = 0; judges.length < wanted; ) {
		const page = await fetchJudgePage(client, {
			limit: Math.min(MAX_PAGE, wanted - judges.length),
			offset,
			contentType: filters.contentType || undefined,
			itemIndex,
		});
		judges.push(...page.judges);
		offset += page.judges.length;
		if (!page.hasMore || page.judges.length === 0) break;
	}
	return judges.slice(0, wanted).map((judge) => ({ json: judgeJson(judge) }));
}
