import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { MAX_PAGE, fetchJudgePage } from '../judges';
import { piqueClient } from '../transport';

/** With a filter, more pages are read (at most this many per call) until something matches. */
const MAX_PAGES_PER_SEARCH = 10;

async function search(context: ILoadOptionsFunctions, filter: string | undefined, token: string | undefined, contentType?: string): Promise<INodeListSearchResult> {
	const { client } = await piqueClient(context);
	const needle = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = [];
	let offset = Number(token) > 0 ? Number(token) : 0;
	for (let pages = 0; pages < MAX_PAGES_PER_SEARCH; pages++) {
		const page = await fetchJudgePage(client, { limit: MAX_PAGE, offset, contentType });
		offset += page.judges.length;
		for (const judge of page.judges) {
			if (needle && !judge.name.toLowerCase().includes(needle) && !judge.id.toLowerCase().includes(needle)) continue;
			results.push({ name: `${judge.name} (${judge.content_type})`, value: judge.id });
		}
		if (!page.hasMore || page.judges.length === 0) return { results };
		if (!needle || results.length > 0) break;
	}
	return { results, paginationToken: String(offset) };
}

/** Every judge of the account, newest first, filtered by name or ID. */
export async function searchJudges(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await search(this, filter, paginationToken);
}

/** The account's video judges (the only ones that can score social media videos). */
export async function searchVideoJudges(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await search(this, filter, paginationToken, 'video');
}
