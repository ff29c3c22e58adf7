/** Pique → Evaluation → Upload with Wait for the Result → Poll Until Done: one call uploads, waits, and returns the scores. */
import { fakeMp4 } from '../../../sandbox/fixtures';
import { useSandbox } from '../../helpers/sandbox';
import { JUDGES, fileItem, judge, ledgerJob, runPique, useTempLedger } from './helpers';

useTempLedger();
const sandbox = useSandbox({ piqueProcessingMs: 60 });

it('uploads, waits with the Wait for Completion code, and returns the finished evaluation; the job is recorded for the trigger', async () => {
	const s = sandbox.current;
	s.clearLog();
	const [item] = await runPique(
		s,
		{ resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video), waitMode: 'poll', pollInterval: 0.05 },
		[fileItem(fakeMp4(4096), 'teaser.mp4', 'video/mp4')],
	);
	expect(item.json).toMatchObject({
		jobId: expect.any(String),
		status: 'completed',
		overallScore: expect.any(Number),
		passed: expect.any(Boolean),
		fileName: 'teaser.mp4',
		uploadedAt: expect.any(String),
	});
	expect(s.requests({ provider: 'pique', method: 'POST' })).toHaveLength(1);
	expect(await ledgerJob(s, String(item.json.jobId))).toBeDefined();
	// Without it, Upload returns as soon as the file landed.
	const [quick] = await runPique(s, { resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video) }, [fileItem(fakeMp4(4096), 'b.mp4', 'video/mp4')]);
	expect(quick.json.status).not.toBe('completed');
});

it('Evaluate Social Media Videos with Wait for the Result → Poll Until Done: each video’s finished result, paired with its input item', async () => {
	const s = sandbox.current;
	const output = await runPique(
		s,
		{
			resource: 'evaluation',
			operation: 'evaluateSocialMedia',
			judge: judge(JUDGES.video),
			videoUrls: ['https://www.tiktok.com/@brand/video/1', 'https://www.youtube.com/shorts/unavailable'],
			waitMode: 'poll',
			pollInterval: 0.05,
		},
		[{ json: {} }],
	);
	expect(output.map((item) => item.json.status).sort()).toEqual(['completed', 'failed']);
	const completed = output.find((item) => item.json.status === 'completed');
	expect(completed?.json).toMatchObject({ overallScore: expect.any(Number), videoUrl: 'https://www.tiktok.com/@brand/video/1' });
	expect(output.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
});
