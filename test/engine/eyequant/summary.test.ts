import { useSandbox } from '../../helpers/sandbox';
import { createAnalyses, runEyeQuant } from './helpers';

const HOUR = 60_000;
// Long enough that a Get right after Generate still finds the text unfinished on a busy machine.
const sandbox = useSandbox({ hourMs: HOUR, eyeQuantProcessingMs: 300 });

const wait = { pollInterval: 0.02, timeout: 10 };

/** A finished analysis: its screenshot id and its analysis id. */
async function finished(title?: string): Promise<{ screenshotId: string; analysisId: string }> {
	const s = sandbox.current;
	const [screenshotId] = await createAnalyses(s, 1, title ? { title } : {});
	const [item] = await runEyeQuant(s, {
		resource: 'analysis',
		operation: 'waitForCompletion',
		screenshotId,
		...wait,
		options: { downloadOutputs: false },
	});
	return { screenshotId, analysisId: item.json.analysisId as string };
}

describe('EyeQuant → Analysis → Update Metadata', () => {
	it('sets description, goal and other fields on the analysis id', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished();
		s.clearLog();
		const [item] = await runEyeQuant(s, {
			resource: 'analysis',
			operation: 'updateMetadata',
			analysisId,
			metaDescription: 'Homepage hero',
			goal: 'Increase sign-ups',
			otherMetadata: { field: [{ name: 'campaign', value: 'spring' }] },
		});
		expect(item.json).toMatchObject({
			analysisId,
			updated: true,
			description: 'Homepage hero',
			goal: 'Increase sign-ups',
			campaign: 'spring',
		});
		expect(s.requests({ method: 'PUT', pathPrefix: `/eyequant/v2/update-meta/screenshot/${analysisId}` })).toHaveLength(1);
		// The goal shows up in the summary EyeQuant writes afterwards.
		const [summary] = await runEyeQuant(s, { resource: 'summary', operation: 'generate', analysisId, ...wait });
		expect(summary.json.summary).toContain('**Goal:** Increase sign-ups');
	});

	it('refuses to send nothing', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'updateMetadata', analysisId: 'x' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('No metadata to set');
	});

	it('explains a screenshot id given where the analysis id belongs', async () => {
		const s = sandbox.current;
		const { screenshotId } = await finished();
		const [item] = await runEyeQuant(
			s,
			{ resource: 'analysis', operation: 'updateMetadata', analysisId: screenshotId, goal: 'x' },
			[{ json: {} }],
			{ continueOnFail: true },
		);
		expect(item.json.error).toBe('EyeQuant error 404: analysis_not_found: no finished analysis has this analysis id');
		expect(item.json.errorDescription).toContain('take the analysis id (`analysisId`');
	});
});

describe.each(['summary', 'recommendations'] as const)('EyeQuant → %s', (kind) => {
	it('Generate waits until completed and returns the Markdown', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished('Landing page');
		s.clearLog();
		const [item] = await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId: '={{ $json.analysisId }}', ...wait }, [
			{ json: { analysisId } },
		]);
		expect(item.json).toMatchObject({ analysisId, status: 'completed', [kind]: expect.stringContaining(': Landing page') });
		expect(item.json.raw).toMatchObject({ status: 'completed', data: item.json[kind] });
		expect(s.requests({ method: 'POST' })).toHaveLength(1);
		expect(s.requests({ method: 'GET' }).length).toBeGreaterThanOrEqual(1);
	});

	it('Generate without waiting returns the started status at once; Get returns the text later', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished();
		const [started] = await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId, waitUntilCompleted: false });
		expect(started.json).toMatchObject({ analysisId, status: 'started', message: expect.any(String) });
		const [early] = await runEyeQuant(s, { resource: kind, operation: 'get', analysisId });
		expect(early.json).toMatchObject({ analysisId, status: expect.stringMatching(/^(started|processing)$/) });
		expect(early.json).not.toHaveProperty(kind);
		const [done] = await runEyeQuant(s, { resource: kind, operation: 'get', analysisId, waitUntilCompleted: true, ...wait });
		expect(done.json).toMatchObject({ status: 'completed', [kind]: expect.stringMatching(/^# /) });
	});

	it('Get before Generate explains what to do', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished();
		const [item] = await runEyeQuant(s, { resource: kind, operation: 'get', analysisId }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe(`EyeQuant error 404: ${kind}_not_found: no ${kind} ${kind === 'summary' ? 'was' : 'were'} generated for this analysis yet`);
		expect(item.json.errorDescription).toContain('Generate first');
	});

	it('a generation that fails is an error saying to run Generate again', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished('design [summary-fail]');
		const [item] = await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId, ...wait }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('EyeQuant error 500: generation_failed: EyeQuant could not generate the text');
		expect(item.json.errorDescription).toContain('Run Generate again');
	});

	it('an expired text (one hour after it started) is explained, and Generate regenerates it', async () => {
		const s = sandbox.current;
		const { analysisId } = await finished();
		await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId, ...wait });
		s.advanceTime(HOUR + 1000);
		const [expired] = await runEyeQuant(s, { resource: kind, operation: 'get', analysisId }, [{ json: {} }], { continueOnFail: true });
		expect(expired.json.error).toBe('EyeQuant error 410: analysis_expired: this generated text (or the analysis behind it) has expired');
		expect(expired.json.errorDescription).toContain('run Generate again');
		const [again] = await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId, ...wait });
		expect(again.json.status).toBe('completed');
	});

	it('an unknown analysis id', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, { resource: kind, operation: 'generate', analysisId: 'nope', ...wait }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('EyeQuant error 404: analysis_not_found: no finished analysis has this analysis id');
	});
});
