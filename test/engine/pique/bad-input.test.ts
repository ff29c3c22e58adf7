import { createHash } from 'node:crypto';

import { fakeMp4 } from '../../../sandbox/fixtures';
import { useSandbox } from '../../helpers/sandbox';
import { JUDGES, expectRejection, fileItem, judge, ledgerJob, runPique, storedFileItem, untilRequest, useTempLedger } from './helpers';

const HOUR = 60_000;
const sandbox = useSandbox({ hourMs: HOUR, piqueProcessingMs: 40 });
useTempLedger();

const upload = { resource: 'evaluation', operation: 'upload', judge: judge(JUDGES.video) };
const getResult = { resource: 'evaluation', operation: 'getResult' };
const RESULTS = '/pique/v1/evaluations/results/';
const PRESIGN = '/pique/v1/evaluations/presigned-upload';
const SOCIAL = '/pique/v1/evaluations/social-media';

afterEach(() => sandbox.current.clearFaults());

/** A job whose file never arrives: the upload's PUT is refused. */
async function awaitingUploadJob(): Promise<string> {
	const s = sandbox.current;
	s.setFaults([{ match: { provider: 'gcs' }, times: 1, fault: { type: 'status', status: 403 } }]);
	const [item] = await runPique(s, upload, [fileItem(fakeMp4(100), 'never.mp4', 'video/mp4')], { continueOnFail: true });
	s.clearFaults();
	expect(item.json.status).toBe('awaiting_upload');
	return item.json.jobId as string;
}

describe('Pique: bad input and provider trouble', () => {
	it('a wrong API key (401): the message names the problem and never contains the key', async () => {
		const s = sandbox.current;
		const key = 'pq_wrong_secret_key_987654';
		const error = await expectRejection(
			runPique(s, { ...getResult, jobId: 'any' }, [{ json: {} }], {
				credentials: { piqueApi: { apiKey: key, environment: 'custom', baseUrl: s.baseUrls.pique } },
			}),
		);
		expect(error.message).toBe('Pique error 401: Pique refused the API key');
		expect(error.description).toContain('Check the API key (it starts with pq_) and the Environment');
		expect(JSON.stringify({ message: error.message, description: error.description, error })).not.toContain(key);

		// A server that echoes the request (and so the key) back in its error body: still nowhere.
		s.setFaults([{ match: { provider: 'pique' }, fault: { type: 'echo', format: 'text', status: 400 } }]);
		const echoed = await expectRejection(
			runPique(s, { ...getResult, jobId: 'any' }, [{ json: {} }], {
				credentials: { piqueApi: { apiKey: key, environment: 'custom', baseUrl: s.baseUrls.pique } },
			}),
		);
		s.clearFaults();
		expect(echoed.message).toMatch(/^Pique error 400: Bad request: GET /);
		expect(JSON.stringify({ message: echoed.message, description: echoed.description, error: echoed, stack: echoed.stack })).not.toContain(key);
	});

	it('an unknown job ID (404) says which ID Pique wants', async () => {
		const s = sandbox.current;
		const [item] = await runPique(s, { ...getResult, jobId: 'no-such-job' }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe('Pique error 404: Job not found');
		expect(item.json.errorDescription).toContain('Use the `jobId` that Evaluation → Upload or Evaluate Social Media Videos returned');
	});

	it('an empty job ID is caught before any call', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runPique(s, { ...getResult, jobId: '={{ $json.nothing }}' }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toBe('Job ID is empty');
		expect(s.requests()).toHaveLength(0);
	});

	it('a malformed provider body: cut-off JSON, and a result without `status`, each named clearly', async () => {
		const s = sandbox.current;
		const jobId = await awaitingUploadJob();
		s.setFaults([{ match: { path: RESULTS }, times: 1, fault: { type: 'malformedJson' } }]);
		const [cut] = await runPique(s, { ...getResult, jobId }, [{ json: {} }], { continueOnFail: true });
		expect(cut.json.error).toBe('Pique returned a body that is not valid JSON');
		expect(cut.json.errorDescription).toContain('This is a fault at the provider');
		s.setFaults([{ match: { path: RESULTS }, times: 1, fault: { type: 'dropField', field: 'status' } }]);
		const [dropped] = await runPique(s, { ...getResult, jobId }, [{ json: {} }], { continueOnFail: true });
		expect(dropped.json.error).toBe(
			'Pique returned an answer this node does not understand: `status`: Invalid input: expected string, received undefined',
		);
	});

	it('429 then success: Retry-After is waited out and each call retried', async () => {
		const s = sandbox.current;
		const jobId = await awaitingUploadJob();
		s.clearLog();
		s.setFaults([{ match: { path: RESULTS }, times: 2, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [item] = await runPique(s, { ...getResult, jobId });
		expect(item.json).toMatchObject({ jobId, status: 'awaiting_upload' });
		expect(s.requests({ pathPrefix: RESULTS })).toHaveLength(3);
		expect(s.requests({ pathPrefix: RESULTS, status: 429 })).toHaveLength(2);
	});

	it('a presigned upload that meets 429 is retried (Pique did nothing) and creates one job', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { path: PRESIGN }, times: 2, fault: { type: 'status', status: 429, retryAfter: 0 } }]);
		const [item] = await runPique(s, upload, [fileItem(fakeMp4(64), 'a.mp4', 'video/mp4')]);
		expect(item.json.status).toBe('pending');
		expect(s.requests({ pathPrefix: PRESIGN })).toHaveLength(3);
		expect(s.requests({ pathPrefix: PRESIGN, status: 200 })).toHaveLength(1);
	});

	it('5xx exhaustion: a clear "gave up after 5 tries"', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { path: RESULTS }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		const [item] = await runPique(s, { ...getResult, jobId: 'whatever' }, [{ json: {} }], { continueOnFail: true });
		expect(item.json.error).toEqual(expect.stringMatching(/^Pique error 503: /));
		expect(item.json.errorDescription).toContain('Gave up after 5 tries');
		expect(s.requests({ pathPrefix: RESULTS })).toHaveLength(5);
	});

	it('no POST is sent twice on a 503: presigned-upload, social-media and judge creation may have acted', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { method: 'POST' }, fault: { type: 'status', status: 503 } }]);
		const [uploaded] = await runPique(s, upload, [fileItem(fakeMp4(64), 'a.mp4', 'video/mp4')], { continueOnFail: true });
		expect(uploaded.json.error).toEqual(expect.stringMatching(/^Pique error 503: /));
		const [social] = await runPique(
			s,
			{ resource: 'evaluation', operation: 'evaluateSocialMedia', judge: judge(JUDGES.video), videoUrls: ['https://www.tiktok.com/@a/video/1'] },
			[{ json: {} }],
			{ continueOnFail: true },
		);
		expect(social.json.error).toEqual(expect.stringMatching(/^Pique error 503: /));
		const [created] = await runPique(
			s,
			{ resource: 'judge', operation: 'create', name: 'J', description: 'D', detectors: { detector: [{ detectorName: 'x', config: '{}' }] } },
			[{ json: {} }],
			{ continueOnFail: true },
		);
		expect(created.json.error).toEqual(expect.stringMatching(/^Pique error 503: /));
		expect(s.requests({ method: 'POST', pathPrefix: PRESIGN })).toHaveLength(1);
		expect(s.requests({ method: 'POST', pathPrefix: SOCIAL })).toHaveLength(1);
		expect(s.requests({ method: 'POST', pathPrefix: '/pique/v1/judges' })).toHaveLength(1);
		expect(s.requests({ provider: 'gcs' })).toHaveLength(0);
	});

	it('cancel mid-wait stops polling at once', async () => {
		const s = sandbox.current;
		const jobId = await awaitingUploadJob();
		s.clearLog();
		const abort = new AbortController();
		const running = runPique(s, { resource: 'evaluation', operation: 'waitForCompletion', jobId, pollInterval: 30, timeout: 600 }, [{ json: {} }], {
			abortSignal: abort.signal,
		});
		await untilRequest(s, { pathPrefix: RESULTS, status: 200 });
		// Let the answer reach the node, which then sleeps for the 30 s poll interval.
		await new Promise((resolve) => setTimeout(resolve, 100));
		abort.abort();
		const error = await expectRejection(running);
		expect(error.message).toBe(`Stopped waiting for Pique evaluation ${jobId}: the execution was cancelled`);
		expect(s.requests({ pathPrefix: RESULTS })).toHaveLength(1);
	});

	it('a wait that times out on a job whose file never arrived says so', async () => {
		const s = sandbox.current;
		const jobId = await awaitingUploadJob();
		const [item] = await runPique(
			s,
			{ resource: 'evaluation', operation: 'waitForCompletion', jobId, pollInterval: 0.02, timeout: 0.1 },
			[{ json: {} }],
			{ continueOnFail: true },
		);
		expect(item.json.error).toBe(`Pique evaluation ${jobId} was still not finished after 0.1 s: its file was never uploaded (status awaiting_upload)`);
	});

	it('a missing binary property: says which properties the item has, and sends nothing', async () => {
		const s = sandbox.current;
		s.clearLog();
		const error = await expectRejection(runPique(s, { ...upload, binaryPropertyName: 'video' }, [fileItem(fakeMp4(64), 'a.mp4', 'video/mp4')]));
		expect(error.message).toBe('No binary property "video" on this item');
		expect(error.description).toContain('data');
		expect(s.requests()).toHaveLength(0);
	});

	it('a 0-byte file (in memory or in the binary store) is refused before anything is sent', async () => {
		const s = sandbox.current;
		s.clearLog();
		const output = await runPique(
			s,
			upload,
			[fileItem(Buffer.alloc(0), 'empty.mp4', 'video/mp4'), await storedFileItem(Buffer.alloc(0), 'empty-too.mp4', 'video/mp4')],
			{ continueOnFail: true },
		);
		expect(output.map((item) => item.json.error)).toEqual([
			'The file in binary property "data" is empty (0 bytes)',
			'The file in binary property "data" is empty (0 bytes)',
		]);
		expect(s.requests()).toHaveLength(0);
	});

	it('an upload URL that expires between presign and PUT: the job is left awaiting_upload, the item says why', async () => {
		const s = sandbox.current;
		s.clearLog();
		// The PUT is held up long enough for the upload URL's 15 sandbox minutes to pass.
		s.setFaults([{ match: { provider: 'gcs', method: 'PUT' }, times: 1, fault: { type: 'latency', ms: 200 } }]);
		const running = runPique(s, upload, [fileItem(fakeMp4(5000), 'late.mp4', 'video/mp4')], { continueOnFail: true });
		await untilRequest(s, { provider: 'gcs' });
		s.advanceTime(HOUR / 4 + 1000);
		const [item] = await running;
		const jobId = item.json.jobId as string;
		expect(item.json).toMatchObject({ jobId, status: 'awaiting_upload', judgeId: JUDGES.video, fileName: 'late.mp4' });
		expect(item.json.error).toBe(
			`The upload of "late.mp4" failed, so Pique job ${jobId} is left awaiting_upload (Pique upload error 400 ExpiredToken: The provided token has expired.)`,
		);
		expect(item.json.errorDescription).toContain('The upload URL expired before the file arrived');
		expect(item.json.errorDescription).toContain('Run Upload again');
		expect(JSON.stringify(item.json)).not.toMatch(/X-Goog-Signature|pique-uploads/);
		expect(s.requests({ provider: 'gcs' })).toHaveLength(1);
		expect(s.uploads.has(jobId)).toBe(false);
		expect(await ledgerJob(s, jobId)).toBeUndefined();
	});

	it('a PUT the storage keeps failing: retried, then the job is left awaiting_upload (and the node fails without Continue On Fail)', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { provider: 'gcs' }, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		const error = await expectRejection(runPique(s, upload, [fileItem(fakeMp4(5000), 'clip.mp4', 'video/mp4')]));
		expect(error.message).toMatch(/^The upload of "clip.mp4" failed, so Pique job [0-9a-f-]{36} is left awaiting_upload \(Pique upload error 503 \w+: /);
		expect(error.description).toContain('Gave up after 5 tries');
		expect(s.requests({ provider: 'gcs' })).toHaveLength(5);
		const jobId = /Pique job (\S+)/.exec(error.message)?.[1] as string;
		const [state] = await runPique(s, { ...getResult, jobId });
		expect(state.json.status).toBe('awaiting_upload');
	});

	it('a PUT whose connection is reset is sent again from the first byte (the file re-read from the binary store); it lands whole', async () => {
		const s = sandbox.current;
		const bytes = fakeMp4(2_000_000);
		const item = await storedFileItem(bytes, 'big.mp4', 'video/mp4');
		s.clearLog();
		s.setFaults([{ match: { provider: 'gcs' }, times: 1, fault: { type: 'reset' } }]);
		const [out] = await runPique(s, upload, [item]);
		expect(out.json.status).toBe('pending');
		expect(s.requests({ provider: 'gcs' }).map((entry) => entry.status)).toEqual([0, 200]);
		expect(s.uploads.get(out.json.jobId as string)?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
	});

	it('a storage answer that stalls after its 200 does not hold the item: the upload counts', async () => {
		const s = sandbox.current;
		s.clearLog();
		s.setFaults([{ match: { provider: 'gcs' }, times: 1, fault: { type: 'stall', afterBytes: 0 } }]);
		const [out] = await runPique(s, upload, [fileItem(fakeMp4(3000), 'ok.mp4', 'video/mp4')]);
		expect(out.json.status).toBe('pending');
		expect(s.uploads.get(out.json.jobId as string)?.bytes).toBe(3000);
		expect(s.requests({ provider: 'gcs' }).map((entry) => [entry.status, entry.fault])).toEqual([[200, 'stall']]);
		expect(await ledgerJob(s, out.json.jobId as string)).toMatchObject({ state: 'pending' });
	});
});
