import { detectorFieldNames, flattenResult } from '../../nodes/Pique/flatten';
import { resultSchema } from '../../nodes/Pique/schemas';

const completed = resultSchema.parse({
	event: 'evaluation.completed',
	job_id: 'job-1',
	content_id: 'content-1',
	judge_id: 'judge-1',
	status: 'completed',
	overall_score: 71.5,
	detector_results: [
		{ detector_name: 'hook_strength', detector_config_id: 'd1', pass_check: true, score: 80, rationale: 'ok', metrics: {}, timestamps: [], flagged_frames: [] },
		{ detector_name: 'Brand Safety', detector_config_id: 'd2', pass_check: false, score: 40, rationale: 'low' },
	],
	timestamp: '2025-01-01T00:00:00.000Z',
	future_field: 'kept in raw',
});

describe('Pique flattenResult', () => {
	it('puts the job, the scores and passed at the top, keeps detector_results and raw', () => {
		expect(flattenResult(completed)).toEqual({
			jobId: 'job-1',
			status: 'completed',
			judgeId: 'judge-1',
			contentId: 'content-1',
			overallScore: 71.5,
			passed: false,
			hookStrengthScore: 80,
			brandSafetyScore: 40,
			failedDetectors: ['Brand Safety'],
			event: 'evaluation.completed',
			timestamp: '2025-01-01T00:00:00.000Z',
			detector_results: completed.detector_results,
			raw: completed,
		});
		expect((flattenResult(completed).raw as { future_field: string }).future_field).toBe('kept in raw');
	});

	it('passed is true only when every detector passed, and absent without detector results', () => {
		const allPass = { ...completed, detector_results: completed.detector_results?.map((d) => ({ ...d, pass_check: true })) };
		expect(flattenResult(allPass).passed).toBe(true);
		const unknownCheck = { ...completed, detector_results: [{ detector_name: 'x', score: 90, pass_check: null }] };
		expect(flattenResult(unknownCheck).passed).toBe(false);
		const pending = resultSchema.parse({ event: 'evaluation.pending', job_id: 'j', judge_id: 'k', status: 'processing', timestamp: 't' });
		expect(flattenResult(pending)).toEqual({ jobId: 'j', status: 'processing', judgeId: 'k', event: 'evaluation.pending', timestamp: 't', raw: pending });
	});

	it('a failed job carries Pique\'s error as text', () => {
		const failed = resultSchema.parse({ job_id: 'j', status: 'failed', error: 'Video is unavailable' });
		expect(flattenResult(failed)).toMatchObject({ status: 'failed', error: 'Video is unavailable' });
		const objectError = resultSchema.parse({ job_id: 'j', status: 'failed', error: { message: 'decode failed' } });
		expect(flattenResult(objectError).error).toBe('decode failed');
	});

	it('a detector without a score gets its field as null, not a missing field', () => {
		const noScore = { ...completed, detector_results: [{ detector_name: 'hook', pass_check: false, score: null }] };
		expect(flattenResult(noScore)).toMatchObject({ hookScore: null });
	});
});

describe('Pique detector field names', () => {
	it('camelCases names into safe ASCII field names ending in Score', () => {
		expect(
			detectorFieldNames(['hook_strength', 'Brand Safety', 'CTA-clarity', 'captionPresence', 'Qualité sonore', 'audio.loudness (LUFS)']),
		).toEqual(['hookStrengthScore', 'brandSafetyScore', 'ctaClarityScore', 'captionPresenceScore', 'qualiteSonoreScore', 'audioLoudnessLufsScore']);
	});

	it('never takes a result field, never starts with a digit, never repeats, never is empty', () => {
		expect(detectorFieldNames(['overall', '3s_hook', 'hook strength', 'hook_strength', 'HOOK-STRENGTH', '日本語', '', '__proto__'])).toEqual([
			'detectorOverallScore',
			'detector3sHookScore',
			'hookStrengthScore',
			'hookStrength2Score',
			'hookStrength3Score',
			'detector6Score',
			'detector7Score',
			'protoScore',
		]);
	});

	it('keeps long names readable but bounded', () => {
		const [field] = detectorFieldNames(['a'.repeat(500)]);
		expect(field).toBe(`${'a'.repeat(60)}Score`);
	});
});
