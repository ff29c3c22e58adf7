/**
 * Visual AI Trigger on Pique, through the nodes: files uploaded with Pique → Evaluation → Upload
 * and videos sent with Evaluate Social Media Videos, emitted once per trigger node when they finish.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { Pique } from '../../../nodes/Pique/Pique.node';
import { SANDBOX_PIQUE_JUDGES } from '../../../sandbox/server';
import { fakeMp4 } from '../../../sandbox/fixtures';
import { runNode } from '../../helpers/engine';
import { sandboxCredentials, useSandbox } from '../../helpers/sandbox';
import { TriggerNode, counts, jsonClone, ledgerDump, pollOnce, pollTogether, useTempLedger } from './helpers';

useTempLedger();
const sandbox = useSandbox({ piqueProcessingMs: 150 });

const pique = new Pique();
const videoJudge = { __rl: true, mode: 'id', value: SANDBOX_PIQUE_JUDGES.video };

async function runPique(parameters: INodeParameters, input: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const [output] = await runNode(pique, { parameters, credentials: { piqueApi: sandboxCredentials(sandbox.current).piqueApi }, input });
	return output;
}

/** Uploads videos through the node; a file name with "fail" makes the sandbox fail the evaluation. */
async function upload(names: string[]): Promise<string[]> {
	const items = names.map((fileName) => ({
		json: {},
		binary: { data: { data: fakeMp4(2048).toString(BINARY_ENCODING), mimeType: 'video/mp4', fileName } },
	}));
	const output = await runPique({ resource: 'evaluation', operation: 'upload', judge: videoJudge }, items);
	return output.map((item) => String(item.json.jobId));
}

describe('Visual AI Trigger — Pique', () => {
	let passing: string[] = [];
	let failing: string[] = [];
	const strict = new TriggerNode(() => sandbox.current, { provider: 'pique', nodeId: 'strict' });
	const lenient = new TriggerNode(() => sandbox.current, { provider: 'pique', nodeId: 'lenient', options: { includeFailed: true } });

	beforeAll(async () => {
		passing = await upload(Array.from({ length: 16 }, (_, index) => `teaser-${index}.mp4`));
		failing = await upload(Array.from({ length: 4 }, (_, index) => `fail-${index}.mp4`));
	});

	it('two trigger nodes polling side by side each emit each of 20 uploaded evaluations once; failed ones only with Include Failed', async () => {
		const all = [...passing, ...failing];
		await pollTogether([strict, lenient], () => passing.every((id) => strict.jobIds().includes(id)) && all.every((id) => lenient.jobIds().includes(id)));
		expect([...counts(strict.jobIds()).entries()].sort()).toEqual(passing.map((id) => [id, 1]).sort());
		expect([...counts(lenient.jobIds()).entries()].sort()).toEqual(all.map((id) => [id, 1]).sort());

		for (const item of strict.emitted) {
			expect(item.json).toMatchObject({
				provider: 'pique',
				status: 'completed',
				judgeId: SANDBOX_PIQUE_JUDGES.video,
				submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				overallScore: expect.any(Number),
				passed: expect.any(Boolean),
				raw: expect.objectContaining({ job_id: item.json.jobId, status: 'completed' }),
			});
			// completedAt is Pique's own time of the last status change.
			expect(item.json.completedAt).toBe(new Date(String(item.json.timestamp)).toISOString());
			expect(item.binary).toBeUndefined();
		}
		for (const item of lenient.emitted.filter((entry) => failing.includes(String(entry.json.jobId)))) {
			expect(item.json).toMatchObject({ provider: 'pique', status: 'failed', error: expect.any(String) });
		}
		// Field order: the trigger's common fields first, then Pique's.
		expect(Object.keys(strict.emitted[0].json).slice(0, 5)).toEqual(['provider', 'jobId', 'status', 'submittedAt', 'completedAt']);
	});

	it('social-media evaluations are emitted too (one that failed at once with Include Failed)', async () => {
		const output = await runPique({ resource: 'evaluation', operation: 'evaluateSocialMedia', judge: videoJudge, videoUrls: ['https://www.tiktok.com/@brand/video/1', 'https://www.youtube.com/shorts/unavailable'] }, [{ json: {} }]);
		const [ok, gone] = output.map((item) => String(item.json.jobId));
		await lenient.pollUntil(() => [ok, gone].every((id) => lenient.jobIds().includes(id)));
		const byId = new Map(lenient.emitted.map((item) => [String(item.json.jobId), item.json]));
		expect(byId.get(ok)).toMatchObject({ status: 'completed' });
		expect(byId.get(gone)).toMatchObject({ status: 'failed' });
		await strict.pollUntil(() => strict.jobIds().includes(ok));
		expect(counts(strict.jobIds()).get(ok)).toBe(1);
		expect(strict.jobIds()).not.toContain(gone);
	});

	it('Fetch Test Event shows the newest finished evaluation and changes nothing', async () => {
		const before = await ledgerDump();
		const staticData = jsonClone(strict.committed);
		const items = await pollOnce(sandbox.current, { provider: 'pique', nodeId: 'strict' }, staticData, 'manual');
		expect(items).toHaveLength(1);
		expect(items?.[0].json).toMatchObject({ provider: 'pique', status: 'completed' });
		expect(await ledgerDump()).toBe(before);
		expect(staticData).toEqual(strict.committed);
	});

	it('once everything was delivered, a poll asks Pique nothing and emits nothing', async () => {
		const s = sandbox.current;
		s.clearLog();
		expect(await strict.poll()).toBeNull();
		expect(await lenient.poll()).toBeNull();
		expect(s.requests({ provider: 'pique' })).toHaveLength(0);
	});

	it('an evaluation that never gets its upload is given up after "Give Up After" hours (reported with Include Failed)', async () => {
		// A presigned upload whose PUT never happens stays `awaiting_upload` for ever.
		const s = sandbox.current;
		const response = await fetch(`${s.baseUrls.pique}/v1/evaluations/presigned-upload`, {
			method: 'POST',
			headers: { 'x-api-key': sandboxCredentials(s).piqueApi.apiKey as string, 'content-type': 'application/json' },
			body: JSON.stringify({ judge_id: SANDBOX_PIQUE_JUDGES.video, content_type: 'video', filename: 'never.mp4', file_size_bytes: 10 }),
		});
		const { job_id: jobId } = (await response.json()) as { job_id: string };
		await runPique({ resource: 'job', operation: 'track', jobId }, [{ json: {} }]);
		const patient = new TriggerNode(() => s, { provider: 'pique', nodeId: 'lenient', options: { includeFailed: true } });
		patient.committed = lenient.committed;
		expect(await patient.poll()).toBeNull(); // pending, not yet overdue
		const impatient = new TriggerNode(() => s, { provider: 'pique', nodeId: 'impatient', options: { includeFailed: true, giveUpAfterHours: 0.000001 } });
		await impatient.pollUntil(() => impatient.jobIds().includes(jobId));
		const item = impatient.emitted.find((entry) => entry.json.jobId === jobId);
		expect(item?.json).toMatchObject({ provider: 'pique', status: 'given_up', lastStatus: 'awaiting_upload', outputsAvailable: false });
		expect(String(item?.json.error)).toMatch(/had not finished .* after it was submitted .*Give Up After/);
		expect(await impatient.poll()).toBeNull();
	});
});
