import { fakeMp4 } from '../../../sandbox/fixtures';
import { useSandbox } from '../../helpers/sandbox';
import { JUDGES, fileItem, judge, ledgerJob, runPique, useTempLedger } from './helpers';

const sandbox = useSandbox({ hourMs: 60_000, piqueProcessingMs: 40 });
useTempLedger();

const track = { resource: 'job', operation: 'track' };

describe('Pique and the job ledger', () => {
	it('Upload and Evaluate Social Media Videos record every job for this account only', async () => {
		const s = sandbox.current;
		const [uploaded] = await runPique(s, { resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video) }, [
			fileItem(fakeMp4(128), 'a.mp4', 'video/mp4'),
		]);
		const social = await runPique(s, {
			resource: 'evaluation',
			operation: 'evaluateSocialMedia',
			judge: judge(JUDGES.video),
			videoUrls: ['https://www.tiktok.com/@a/video/1', 'https://www.youtube.com/shorts/unavailable'],
		});
		for (const jobId of [uploaded.json.jobId, ...social.map((item) => item.json.jobId)] as string[]) {
			expect(await ledgerJob(s, jobId)).toMatchObject({ provider: 'pique', jobId, state: 'pending' });
			expect(await ledgerJob(s, jobId, 'pq_another_key')).toBeUndefined();
		}
	});

	it('Job → Track checks the job exists, then records it (twice is harmless)', async () => {
		const s = sandbox.current;
		const [submitted] = await runPique(s, {
			resource: 'evaluation',
			operation: 'evaluateSocialMedia',
			judge: judge(JUDGES.video),
			videoUrls: ['https://www.tiktok.com/@a/video/2'],
		});
		const jobId = submitted.json.jobId as string;
		s.clearLog();
		for (let run = 0; run < 2; run++) {
			const [item] = await runPique(s, { ...track, jobId });
			expect(item.json).toMatchObject({ jobId, tracked: true, status: expect.any(String), judgeId: JUDGES.video });
		}
		expect(s.requests({ method: 'GET' })).toHaveLength(2);
		expect(await ledgerJob(s, jobId)).toMatchObject({ jobId, state: 'pending' });
	});

	it('Job → Track refuses an ID Pique does not know, and records nothing', async () => {
		const s = sandbox.current;
		const [item] = await runPique(s, { ...track, jobId: 'no-such-job' }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe('Pique error 404: Job not found');
		expect(await ledgerJob(s, 'no-such-job')).toBeUndefined();
	});

	it('Job → Track without the check records without calling Pique', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { ...track, jobId: 'submitted-elsewhere-1', options: { checkExists: false } });
		expect(item.json).toEqual({ jobId: 'submitted-elsewhere-1', tracked: true });
		expect(s.requests()).toHaveLength(0);
		expect(await ledgerJob(s, 'submitted-elsewhere-1')).toMatchObject({ state: 'pending' });
	});
});
