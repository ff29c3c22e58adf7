import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { runPerItem } from '../../../shared/items';
import { MAX_PAGE, fetchJudgePage, judgeJson } from '../../judges';
import type { PiqueJudge } from '../../schemas';
import { piqueClient } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
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
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['judge'], operation: ['list'] } }, properties);

/** The account's judges, newest first, one item each; Return All pages through with limit/offset. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const { client } = await piqueClient(this);
	return await runPerItem(this, 1, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const wanted = returnAll ? Number.POSITIVE_INFINITY : Math.max(1, this.getNodeParameter('limit', itemIndex, 50) as number);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as { contentType?: string };
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
	});
}
