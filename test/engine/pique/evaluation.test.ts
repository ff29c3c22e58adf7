import { createHash } from 'node:crypto';

import { designJpeg, fakeMp4 } from '../../../sandbox/fixtures';
import { useSandbox } from '../../helpers/sandbox';
import { JUDGES, fileItem, judge, ledgerJob, runPique, storedFileItem, useTempLedger } from './helpers';

const sandbox = useSandbox({ hourMs: 60_000, piqueProcessingMs: 40 });
useTempLedger();

const upload = { resource: 'evaluation', operation: 'upload' };
const social = { resource: 'evaluation', operation: 'evaluateSocialMedia' };
const wait = { resource: 'evaluation', operation: 'waitForCompletion', pollInterval: 0.02, timeout: 10 };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Pique → Evaluation', () => {
	it('Upload streams a file from the filesystem binary store with exactly the upload headers; the bytes land unchanged', async () => {
		const s = sandbox.current;
		const bytes = fakeMp4(300_000);
		const item = await storedFileItem(bytes, 'launch teaser.mp4', 'video/mp4');
		s.clearLog();
		const [out] = await runPique(s, { ...upload, judge: judge(JUDGES.video), options: { title: 'Teaser' } }, [item]);
		expect(out.json).toEqual({
			jobId: expect.any(String),
			status: 'pending',
			judgeId: JUDGES.video,
			contentType: 'video',
			fileName: 'launch teaser.mp4',
			fileSizeBytes: 300_000,
			mimeType: 'video/mp4',
			binaryProperty: 'data',
			uploadedAt: expect.any(String),
			submittedAt: expect.any(String),
			raw: { job_id: out.json.jobId, expires_at: expect.any(String) },
		});
		expect(out.pairedItem).toEqual({ item: 0 });
		const landed = s.uploads.get(out.json.jobId as string);
		expect(landed).toEqual({ bytes: 300_000, sha256: sha256(bytes), contentType: 'video/mp4' });
		expect(s.requests({ method: 'POST' })).toHaveLength(1);
		expect(s.requests({ method: 'PUT', provider: 'gcs', status: 200 })).toHaveLength(1);
		expect(JSON.stringify(out.json)).not.toMatch(/X-Goog-Signature|upload_url/i);
		expect(await ledgerJob(s, out.json.jobId as string)).toMatchObject({ jobId: out.json.jobId, state: 'pending' });
	});

	it('Upload infers image/audio from the mime type, or from the extension of a generic file; the choice can be overridden', async () => {
		const s = sandbox.current;
		const jpeg = designJpeg();
		const output = await runPique(s, { ...upload, judge: '={{ { __rl: true, mode: "id", value: $json.judge } }}' }, [
			fileItem(jpeg, 'product.jpg', 'image/jpeg', 'data', { judge: JUDGES.image }),
			fileItem(Buffer.from('ID3 sound'), 'episode.mp3', 'application/octet-stream', 'data', { judge: JUDGES.audio }),
		]);
		expect(output.map((item) => item.json.contentType)).toEqual(['image', 'audio']);
		const [overridden] = await runPique(s, { ...upload, judge: judge(JUDGES.video), contentType: 'video' }, [
			fileItem(fakeMp4(1000), 'clip', 'application/octet-stream'),
		]);
		expect(overridden.json).toMatchObject({ contentType: 'video', fileName: 'clip' });
		expect(s.uploads.get(overridden.json.jobId as string)?.bytes).toBe(1000);
	});

	it('Upload of a file Pique cannot evaluate is refused before anything is sent', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { ...upload, judge: judge(JUDGES.image) }, [fileItem(Buffer.from('{}'), 'notes.json', 'application/json')], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('Pique cannot evaluate "notes.json" (application/json)');
		expect(item.json.errorDescription).toContain('set "Content Type"');
		expect(s.requests()).toHaveLength(0);
	});

	it('Upload to a judge of another content type: Pique\'s 422 names the field', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { ...upload, judge: judge(JUDGES.video) }, [fileItem(designJpeg(), 'a.jpg', 'image/jpeg')], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('Pique error 422: body.content_type: Judge "Social Video Hook" evaluates video, not image');
		expect(item.json.errorDescription).toContain('Pique rejected a parameter');
		expect(s.requests({ provider: 'gcs' })).toHaveLength(0);
	});

	it('Wait for Completion flattens the result: overallScore, passed, one field per detector, detector_results and raw', async () => {
		const s = sandbox.current;
		const [uploaded] = await runPique(s, { ...upload, judge: judge(JUDGES.video) }, [fileItem(fakeMp4(2000), 'pass-me.mp4', 'video/mp4')]);
		const [done] = await runPique(s, { ...wait, jobId: uploaded.json.jobId as string });
		expect(done.json).toMatchObject({
			jobId: uploaded.json.jobId,
			status: 'completed',
			judgeId: JUDGES.video,
			overallScore: expect.any(Number),
			passed: true,
			hookStrengthScore: expect.any(Number),
			brandSafetyScore: expect.any(Number),
			captionPresenceScore: expect.any(Number),
			failedDetectors: [],
			event: 'evaluation.completed',
		});
		const raw = done.json.raw as { detector_results: Array<{ detector_name: string; score: number }> };
		expect(done.json.detector_results).toEqual(raw.detector_results);
		expect(done.json.hookStrengthScore).toBe(raw.detector_results.find((d) => d.detector_name === 'hook_strength')?.score);
	});

	it('Wait for Completion of a failed job: status failed and Pique\'s error, or an error when asked', async () => {
		const s = sandbox.current;
		const [uploaded] = await runPique(s, { ...upload, judge: judge(JUDGES.video) }, [fileItem(fakeMp4(500), 'will-fail.mp4', 'video/mp4')]);
		const [failed] = await runPique(s, { ...wait, jobId: uploaded.json.jobId as string });
		expect(failed.json).toMatchObject({ status: 'failed', error: expect.stringContaining('could not be processed') });
		expect(failed.json).not.toHaveProperty('passed');
		const [asError] = await runPique(s, { ...wait, jobId: uploaded.json.jobId as string, options: { errorIfFailed: true } }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(asError.json.error).toBe(`Pique evaluation ${uploaded.json.jobId as string} failed`);
	});

	it('Get Result reads a job by the ID of the incoming item: every detector failed', async () => {
		const s = sandbox.current;
		const [rejected] = await runPique(s, { ...upload, judge: judge(JUDGES.image) }, [fileItem(designJpeg(), 'reject.jpg', 'image/jpeg')]);
		const get = { resource: 'evaluation', operation: 'getResult', jobId: '={{ $json.jobId }}' };
		s.advanceTime(1000);
		const [result] = await runPique(s, get, [{ json: { jobId: rejected.json.jobId } }]);
		expect(result.json).toMatchObject({ status: 'completed', passed: false, sharpnessScore: expect.any(Number), brandColorsScore: expect.any(Number) });
		expect(result.json.failedDetectors).toEqual(['sharpness', 'brand_colors', 'text_legibility']);
	});

	it('Evaluate Social Media Videos: a list of 45 URLs goes out in batches of 20, 20 and 5; one item per job, in order', async () => {
		const s = sandbox.current;
		s.clearLog();
		const urls = Array.from({ length: 45 }, (_, index) => `https://www.tiktok.com/@brand/video/${index + 1}`);
		const output = await runPique(s, { ...social, judge: judge(JUDGES.video), videoUrls: urls });
		expect(output.map((item) => item.json.videoUrl)).toEqual(urls);
		expect(output.every((item) => item.json.status === 'pending' && typeof item.json.jobId === 'string')).toBe(true);
		expect(output.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(new Set(output.map((item) => item.json.jobId)).size).toBe(45);
		expect(s.requests({ method: 'POST', pathPrefix: '/pique/v1/evaluations/social-media' })).toHaveLength(3);
		for (const item of [output[0], output[44]]) expect(await ledgerJob(s, item.json.jobId as string)).toMatchObject({ state: 'pending' });
	});

	it('Evaluate Social Media Videos with one URL per item: batched across items, each job paired to its item, failures at once kept', async () => {
		const s = sandbox.current;
		s.clearLog();
		const inputs = Array.from({ length: 23 }, (_, index) => ({
			json: { url: index === 4 ? 'https://www.youtube.com/shorts/unavailable' : `https://www.instagram.com/reel/${index}` },
		}));
		const output = await runPique(s, { ...social, urlSource: 'item', judge: judge(JUDGES.video) }, inputs);
		expect(output).toHaveLength(23);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.videoUrl).toBe(inputs[index].json.url);
		});
		expect(output[4].json).toMatchObject({ status: 'failed', error: expect.stringContaining('unavailable') });
		expect(s.requests({ method: 'POST' })).toHaveLength(2);
		const [done] = await runPique(s, { ...wait, jobId: output[0].json.jobId as string });
		expect(done.json).toMatchObject({ status: 'completed', hookStrengthScore: expect.any(Number) });
	});

	it('Evaluate Social Media Videos refuses an item with a bad link before sending anything', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { ...social, judge: judge(JUDGES.video), videoUrls: ['https://www.tiktok.com/@a/video/1', 'tiktok.com/@a/video/2'] }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('"tiktok.com/@a/video/2" is not an http(s) video link');
		expect(s.requests()).toHaveLength(0);
	});
});
