import { accountId, closeLedgers, openLedger } from '../../../nodes/shared/ledger';
import { SANDBOX_KEYS } from '../../../sandbox/server';
import { useSandbox } from '../../helpers/sandbox';
import { createAnalyses, runEyeQuant } from './helpers';

const sandbox = useSandbox({ hourMs: 60_000, eyeQuantProcessingMs: 20 });
afterAll(closeLedgers);

async function ledgerJob(jobId: string, key: string = SANDBOX_KEYS.eyeQuant.apiKey) {
	const ledger = await openLedger();
	return await ledger.get('eyeQuant', accountId(sandbox.current.baseUrls.eyeQuant, key), jobId);
}

describe('EyeQuant and the job ledger', () => {
	it('Analysis → Create registers each new analysis for the Visual AI Trigger', async () => {
		const ids = await createAnalyses(sandbox.current, 3, {});
		for (const id of ids) {
			expect(await ledgerJob(id)).toMatchObject({ provider: 'eyeQuant', jobId: id, state: 'pending' });
		}
		expect(await ledgerJob(ids[0], 'another-key')).toBeUndefined();
	});

	it('Job → Track checks the analysis exists, then registers it (twice is harmless)', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, {});
		s.clearLog();
		for (let run = 0; run < 2; run++) {
			const [item] = await runEyeQuant(s, { resource: 'job', operation: 'track', screenshotId: id });
			expect(item.json).toMatchObject({ screenshotId: id, tracked: true, status: expect.any(String) });
		}
		expect(s.requests({ method: 'GET' })).toHaveLength(2);
		expect(await ledgerJob(id)).toMatchObject({ jobId: id });
	});

	it('Job → Track refuses an id EyeQuant does not know, and records nothing', async () => {
		const s = sandbox.current;
		const [item] = await runEyeQuant(s, { resource: 'job', operation: 'track', screenshotId: 'no-such-analysis' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe('EyeQuant error 404 client_error: Analysis no-such-analysis not found.');
		expect(await ledgerJob('no-such-analysis')).toBeUndefined();
	});

	it('Job → Track without the check registers without calling EyeQuant', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runEyeQuant(s, {
			resource: 'job',
			operation: 'track',
			screenshotId: 'submitted-elsewhere-1',
			options: { checkExists: false },
		});
		expect(item.json).toEqual({ screenshotId: 'submitted-elsewhere-1', tracked: true });
		expect(s.requests()).toHaveLength(0);
		expect(await ledgerJob('submitted-elsewhere-1')).toMatchObject({ state: 'pending' });
	});
});
