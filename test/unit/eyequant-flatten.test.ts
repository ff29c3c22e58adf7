import { flattenAnalysis, mapUrls } from '../../nodes/EyeQuant/flatten';
import { analysisSchema } from '../../nodes/EyeQuant/schemas';
import { EYEQUANT_PROFILE } from '../../nodes/EyeQuant/transport';

const S3 = 'https://eyequant-maps.s3.amazonaws.com/abc';

describe('flattenAnalysis', () => {
	it('puts scores and every map URL at the top, keeping the answer under raw', () => {
		const answer = analysisSchema.parse({
			id: 'abc',
			_internal_exposed_id: 'an-1',
			status: 'success',
			outputs: {
				attention: { attentionMap: `${S3}/a.png?sig`, perceptionMap: `${S3}/p.png`, hotspotsMap: `${S3}/h.png` },
				clarity: { score: 71, map: `${S3}/c.png` },
				excitingness: { score: 64, map: `${S3}/e.png` },
				input: { image: `${S3}/in.png` },
			},
			extra: 'kept',
		});
		const flat = flattenAnalysis(answer);
		expect(flat).toEqual({
			screenshotId: 'abc',
			analysisId: 'an-1',
			status: 'success',
			clarityScore: 71,
			excitingnessScore: 64,
			attentionMap: `${S3}/a.png?sig`,
			perceptionMap: `${S3}/p.png`,
			hotspotsMap: `${S3}/h.png`,
			clarityMap: `${S3}/c.png`,
			excitingnessMap: `${S3}/e.png`,
			inputImage: `${S3}/in.png`,
			raw: answer,
		});
		expect(flat.raw.extra).toBe('kept');
		expect(mapUrls(flat).map(({ name }) => name)).toEqual(['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap']);
	});

	it('a pending analysis has no analysis id and no outputs; a failed one says why', () => {
		expect(flattenAnalysis(analysisSchema.parse({ id: 'a', status: 'pending' }))).toEqual({
			screenshotId: 'a',
			status: 'pending',
			raw: { id: 'a', status: 'pending' },
		});
		const failed = flattenAnalysis(
			analysisSchema.parse({ id: 'a', status: 'failed', error: { code: 'unreadable_input_image', message: 'Cannot read' } }),
		);
		expect(failed).toMatchObject({ status: 'failed', error: 'Cannot read', errorCode: 'unreadable_input_image' });
		expect(flattenAnalysis(analysisSchema.parse({ id: 'a', status: 'failed', error: 'boom' }))).toMatchObject({ error: 'boom' });
		expect(mapUrls(failed)).toEqual([]);
	});

	it('a score of null stays out of the flat fields', () => {
		const flat = flattenAnalysis(analysisSchema.parse({ id: 'a', status: 'success', outputs: { clarity: { score: null } } }));
		expect(flat).not.toHaveProperty('clarityScore');
	});
});

describe('EyeQuant error wording', () => {
	const explain = (status: number, code?: string, message?: string) => EYEQUANT_PROFILE.explain?.(status, { code, message });

	it('410 resource_gone is the one-hour expiry', () => {
		expect(explain(410, 'resource_gone', 'This resource is no longer available.')?.message).toBe(
			'this analysis expired one hour after it finished; results can no longer be retrieved',
		);
		expect(explain(410)?.message).toBe('this analysis expired one hour after it finished; results can no longer be retrieved');
	});

	it('{success:false,msg} codes of summaries and recommendations are explained', () => {
		expect(explain(404, undefined, 'analysis_not_found')?.message).toContain('no finished analysis has this analysis id');
		expect(explain(404, undefined, 'summary_not_found')?.hint).toContain('Summary → Generate');
		expect(explain(404, undefined, 'recommendations_not_found')?.hint).toContain('Recommendations → Generate');
		expect(explain(410, undefined, 'analysis_expired')?.hint).toContain('run Generate again');
		expect(explain(500, undefined, 'generation_failed')?.message).toContain('could not generate');
	});

	it('documented input codes get a hint; free text is left alone', () => {
		expect(explain(400, 'blank_input_image', 'blank')?.hint).toContain('single colour');
		expect(explain(503, 'over_capacity', 'busy')?.hint).toContain('over capacity');
		expect(explain(400, undefined, 'Something went wrong')).toBeUndefined();
	});
});
