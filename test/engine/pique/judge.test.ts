import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { executeContext } from '../../helpers/engine';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { JUDGES, judge, pique, runPique } from './helpers';

const sandbox = useSandbox({ hourMs: 60_000, piqueProcessingMs: 40 });

const list = { resource: 'judge', operation: 'list' };
const JUDGES_PATH = '/pique/v1/judges';

async function listSearch(method: 'searchJudges' | 'searchVideoJudges', filter?: string, token?: string) {
	const context = await executeContext(pique, { parameters: {}, credentials: { piqueApi: sandboxCredentials(sandbox.current).piqueApi } });
	return await pique.methods.listSearch[method].call(context as unknown as ILoadOptionsFunctions, filter, token);
}

describe('Pique → Judge', () => {
	it('Create sends the detectors of the fixed collection (config as JSON, weight); Get shows them', async () => {
		const s = sandbox.current;
		const [created] = await runPique(s, {
			resource: 'judge',
			operation: 'create',
			name: 'Thumbnail Check',
			description: 'Checks thumbnails',
			contentType: 'image',
			detectors: {
				detector: [
					{ detectorName: 'face_visible', config: '{"threshold": 70}', weight: 2 },
					{ detectorName: 'text_legibility', config: '{}', weight: 1 },
				],
			},
		});
		expect(created.json).toEqual({
			judgeId: expect.any(String),
			status: 'pending',
			name: 'Thumbnail Check',
			contentType: 'image',
			detectorNames: ['face_visible', 'text_legibility'],
			raw: { id: created.json.judgeId, status: 'pending' },
		});
		const [got] = await runPique(s, { resource: 'judge', operation: 'get', judge: judge(created.json.judgeId as string) });
		expect(got.json).toMatchObject({ judgeId: created.json.judgeId, name: 'Thumbnail Check', contentType: 'image', detectorNames: ['face_visible', 'text_legibility'] });
		const configs = (got.json.raw as { detector_configs: unknown[] }).detector_configs;
		expect(configs).toEqual([
			expect.objectContaining({ detector_name: 'face_visible', config: { threshold: 70 }, weight: 2 }),
			expect.objectContaining({ detector_name: 'text_legibility', config: {}, weight: 1 }),
		]);
	});

	it('Create refuses a detector config that is not a JSON object, and a judge without detectors, before sending', async () => {
		const s = sandbox.current;
		s.clearLog();
		const base = { resource: 'judge', operation: 'create', name: 'J', description: 'D', contentType: 'video' };
		const [badConfig] = await runPique(s, { ...base, detectors: { detector: [{ detectorName: 'hook', config: '[1,2]' }] } }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(badConfig.json.error).toBe('The config of detector "hook" is not a JSON object');
		const [none] = await runPique(s, { ...base, detectors: {} }, [{ json: {} }], { continueOnFail: true });
		expect(none.json.error).toBe('The judge has no detectors');
		expect(s.requests()).toHaveLength(0);
	});

	it('List with a Limit, a content type filter, and Return All paging with limit/offset', async () => {
		const s = sandbox.current;
		const names = Array.from({ length: 104 }, (_, index) => ({ json: { name: `Bulk judge ${index + 1}` } }));
		await runPique(
			s,
			{
				resource: 'judge',
				operation: 'create',
				name: '={{ $json.name }}',
				description: 'bulk',
				contentType: 'video',
				detectors: { detector: [{ detectorName: 'hook_strength', config: '{}' }] },
			},
			names,
		);
		s.clearLog();
		const all = await runPique(s, { ...list, returnAll: true, filters: { contentType: 'video' } });
		expect(all).toHaveLength(105);
		expect(new Set(all.map((item) => item.json.judgeId)).size).toBe(105);
		expect(all.at(-1)?.json).toMatchObject({
			judgeId: JUDGES.video,
			name: 'Social Video Hook',
			detectorNames: ['hook_strength', 'brand_safety', 'caption_presence'],
		});
		expect(s.requests({ pathPrefix: JUDGES_PATH }).map((entry) => entry.query)).toEqual([
			{ limit: '100', offset: '0', content_type: 'video' },
			{ limit: '100', offset: '100', content_type: 'video' },
		]);

		s.clearLog();
		const limited = await runPique(s, { ...list, limit: 3, filters: { contentType: 'video' } });
		expect(limited.map((item) => item.json.judgeId)).toEqual(all.slice(0, 3).map((item) => item.json.judgeId));
		expect(s.requests({ pathPrefix: JUDGES_PATH }).map((entry) => entry.query)).toEqual([{ limit: '3', offset: '0', content_type: 'video' }]);

		const images = await runPique(s, { ...list, returnAll: true, filters: { contentType: 'image' } });
		expect(images.map((item) => item.json.contentType)).toEqual(['image', 'image']);
		expect(images.map((item) => item.json.judgeId)).toContain(JUDGES.image);
		expect(all.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('the judge list search pages through the account and filters by name; the video list only has video judges', async () => {
		const first = await listSearch('searchJudges');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		const rest = await listSearch('searchJudges', undefined, first.paginationToken as string);
		expect(rest.paginationToken).toBeUndefined();
		expect(rest.results.map((result) => result.value)).toEqual(expect.arrayContaining([JUDGES.video, JUDGES.image, JUDGES.audio]));

		const found = await listSearch('searchJudges', 'product image');
		expect(found.results).toEqual([{ name: 'Product Image Standards (image)', value: JUDGES.image }]);
		const video = await listSearch('searchVideoJudges', 'social');
		expect(video.results).toEqual([{ name: 'Social Video Hook (video)', value: JUDGES.video }]);
		expect((await listSearch('searchVideoJudges', 'podcast')).results).toEqual([]);
	});

	it('an unknown judge (404) says where to find judge IDs', async () => {
		const s = sandbox.current;
		const [item] = await runPique(s, { resource: 'judge', operation: 'get', judge: judge('no-such-judge') }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe('Pique error 404: Judge not found');
		expect(item.json.errorDescription).toContain('Pick the judge from the list');
	});

	it('no judge selected is caught before any call', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { resource: 'judge', operation: 'get', judge: { __rl: true, mode: 'list', value: '' } }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('No judge is selected');
		expect(s.requests()).toHaveLength(0);
	});
});
