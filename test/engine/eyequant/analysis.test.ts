import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { ALL_OUTPUTS, createAnalyses, designItem, runEyeQuant, served } from './helpers';

const HOUR = 60_000;
const sandbox = useSandbox({ hourMs: HOUR, eyeQuantProcessingMs: 40 });

const wait = { resource: 'analysis', operation: 'waitForCompletion', pollInterval: 0.02, timeout: 10 };

describe('EyeQuant → Analysis → Create', () => {
	it('sends the binary design as base64 with medium, title and the chosen predictions, and returns the screenshot id', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runEyeQuant(
			s,
			{ resource: 'analysis', operation: 'create', medium: 'mobileWeb', title: 'Homepage hero', ...ALL_OUTPUTS },
			[designItem()],
		);
		expect(item.json).toMatchObject({
			screenshotId: expect.stringMatching(/^[0-9a-f]{24}$/),
			status: 'pending',
			medium: 'mobileWeb',
			title: 'Homepage hero',
			predictions: {
				attention: { outputs: ['attentionMap', 'perceptionMap', 'hotspotsMap'] },
				clarity: { outputs: ['score', 'map'] },
				excitingness: { outputs: ['score', 'map'] },
			},
			raw: { id: item.json.screenshotId },
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(s.requests({ method: 'POST', pathPrefix: '/eyequant/v2/analyses' })).toHaveLength(1);
	});

	it('uses the documented default (attention map only) when nothing else is chosen', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, {});
		const [item] = await runEyeQuant(s, { ...wait, screenshotId: id, options: { downloadOutputs: false } });
		expect(item.json.attentionMap).toEqual(expect.stringContaining('/attentionMap.png?'));
		expect(item.json).not.toHaveProperty('perceptionMap');
		expect(item.json).not.toHaveProperty('clarityScore');
	});

	it('downloads an image URL and submits it (JPEG works as well as PNG)', async () => {
		const s = sandbox.current;
		s.clearLog();
		const [item] = await runEyeQuant(s, {
			resource: 'analysis',
			operation: 'create',
			imageSource: 'url',
			imageUrl: `${s.url}/files/design.jpg`,
			predictions: ['clarity'],
			clarityOutputs: ['score'],
		});
		expect(item.json.screenshotId).toEqual(expect.any(String));
		expect(s.requests({ provider: 'files' })).toHaveLength(1);
		const [done] = await runEyeQuant(s, { ...wait, screenshotId: item.json.screenshotId as string });
		expect(done.json).toMatchObject({ status: 'success', clarityScore: expect.any(Number) });
	});

	it('runs many items at once (bounded concurrency), each paired with its input', async () => {
		const s = sandbox.current;
		s.configure({ latencyMs: 300 });
		s.clearLog();
		try {
			const output = await runEyeQuant(
				s,
				{ resource: 'analysis', operation: 'create', options: { concurrency: 5 } },
				Array.from({ length: 10 }, () => designItem()),
			);
			expect(output.map((item) => item.pairedItem)).toEqual(Array.from({ length: 10 }, (_, item) => ({ item })));
			expect(new Set(output.map((item) => item.json.screenshotId)).size).toBe(10);
			// Five requests reached the sandbox before it could have answered the first one.
			const arrivals = s.requests({ method: 'POST' }).map((entry) => entry.at);
			expect(arrivals[4] - arrivals[0]).toBeLessThan(300);
		} finally {
			s.configure({ latencyMs: 0 });
		}
	});
});

describe('EyeQuant → Analysis → Get', () => {
	it('flattens scores and map URLs for no-code use and keeps the raw answer', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s);
		s.advanceTime(1000);
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id });
		const raw = item.json.raw as { _internal_exposed_id: string; outputs: Record<string, Record<string, unknown>> };
		expect(item.json).toMatchObject({
			screenshotId: id,
			analysisId: raw._internal_exposed_id,
			status: 'success',
			clarityScore: raw.outputs.clarity.score,
			excitingnessScore: raw.outputs.excitingness.score,
			attentionMap: raw.outputs.attention.attentionMap,
			perceptionMap: raw.outputs.attention.perceptionMap,
			hotspotsMap: raw.outputs.attention.hotspotsMap,
			clarityMap: raw.outputs.clarity.map,
			excitingnessMap: raw.outputs.excitingness.map,
			inputImage: raw.outputs.input.image,
		});
		expect(item.binary).toBeUndefined();
	});

	it('says "pending" for an analysis that is not finished', async () => {
		const s = sandbox.current;
		s.configure({ eyeQuantProcessingMs: 60_000 });
		try {
			const [id] = await createAnalyses(s);
			const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id });
			expect(item.json).toEqual({ screenshotId: id, status: 'pending', raw: { id, status: 'pending' } });
		} finally {
			s.configure({ eyeQuantProcessingMs: 40 });
		}
	});

	it('can download the maps too (Download Outputs), byte-identical to what the sandbox serves', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s);
		s.advanceTime(1000);
		const [item] = await runEyeQuant(s, {
			resource: 'analysis',
			operation: 'get',
			screenshotId: id,
			options: { downloadOutputs: true },
		});
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['attentionMap', 'clarityMap', 'excitingnessMap', 'hotspotsMap', 'perceptionMap']);
		const bytes = await binaryBytes(item, 'clarityMap');
		expect(bytes.equals(await served(item.json.clarityMap as string))).toBe(true);
	});

	it('explains a 410 as the one-hour expiry, not a generic 4xx', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s);
		s.advanceTime(HOUR + 1000);
		const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe(
			'EyeQuant error 410 resource_gone: this analysis expired one hour after it finished; results can no longer be retrieved',
		);
		expect(item.json.errorDescription).toEqual(expect.stringContaining('Wait for Completion with "Download Outputs"'));
	});
});

describe('EyeQuant → Analysis → Wait for Completion', () => {
	it('polls until success and puts every map into binary, byte-identical to the sandbox', async () => {
		const s = sandbox.current;
		s.configure({ eyeQuantProcessingMs: 200 });
		try {
			const [id] = await createAnalyses(s);
			s.clearLog();
			const [item] = await runEyeQuant(s, { ...wait, screenshotId: id });
			expect(item.json).toMatchObject({ screenshotId: id, status: 'success', analysisId: expect.any(String) });
			expect(s.requests({ method: 'GET', pathPrefix: `/eyequant/v2/analyses/${id}` }).length).toBeGreaterThan(1);
			for (const map of ['attentionMap', 'perceptionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap']) {
				const binary = item.binary?.[map];
				expect(binary).toMatchObject({ mimeType: 'image/png', fileName: `${id}_${map}.png`, fileExtension: 'png' });
				expect(binary?.id).toEqual(expect.any(String));
				const bytes = await binaryBytes(item, map);
				expect(bytes.equals(await served(item.json[map] as string))).toBe(true);
			}
			// Map URLs are presigned: the API key never goes there (the sandbox's S3 would answer 400).
			expect(s.requests({ provider: 's3' }).every((entry) => entry.status === 200)).toBe(true);
		} finally {
			s.configure({ eyeQuantProcessingMs: 40 });
		}
	});

	it('returns a failed analysis as an item (status failed, EyeQuant error), without downloading', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, { title: 'broken [fail]' });
		s.clearLog();
		const [item] = await runEyeQuant(s, { ...wait, screenshotId: id });
		expect(item.json).toMatchObject({ screenshotId: id, status: 'failed', errorCode: 'server_error', error: expect.any(String) });
		expect(item.binary).toBeUndefined();
		expect(s.requests({ provider: 's3' })).toHaveLength(0);
	});

	it('treats a failed analysis as an error when asked to', async () => {
		const s = sandbox.current;
		const [id] = await createAnalyses(s, 1, { title: 'broken [fail]' });
		const [item] = await runEyeQuant(s, { ...wait, screenshotId: id, options: { errorIfFailed: true } }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe(`EyeQuant analysis ${id} failed (server_error)`);
	});

	it('gives up after the timeout with a clear message', async () => {
		const s = sandbox.current;
		s.configure({ eyeQuantProcessingMs: 60_000 });
		try {
			const [id] = await createAnalyses(s);
			const [item] = await runEyeQuant(s, { ...wait, screenshotId: id, pollInterval: 0.05, timeout: 0.3 }, [{ json: {} }], {
				continueOnFail: true,
			});
			expect(item.json.error).toBe(`EyeQuant analysis ${id} was still not finished after 0.3 s`);
		} finally {
			s.configure({ eyeQuantProcessingMs: 40 });
		}
	});

	it('stops waiting when the execution is cancelled', async () => {
		const s = sandbox.current;
		s.configure({ eyeQuantProcessingMs: 60_000 });
		try {
			const [id] = await createAnalyses(s);
			const controller = new AbortController();
			s.clearLog();
			const running = runEyeQuant(s, { ...wait, screenshotId: id, pollInterval: 5, timeout: 60 }, [{ json: {} }], {
				abortSignal: controller.signal,
			});
			// Cancel during the 5 s pause after the first status check.
			while (s.requests({ method: 'GET', status: 200 }).length === 0) await new Promise((resolve) => setImmediate(resolve));
			await new Promise((resolve) => setTimeout(resolve, 100));
			controller.abort();
			await expect(running).rejects.toThrow(`Stopped waiting for EyeQuant analysis ${id}: the execution was cancelled`);
			expect(s.requests({ method: 'GET' })).toHaveLength(1);
		} finally {
			s.configure({ eyeQuantProcessingMs: 40 });
		}
	});

	it('waits for many analyses at once, each item with its own maps', async () => {
		const s = sandbox.current;
		const ids = await createAnalyses(s, 6, {});
		const output = await runEyeQuant(
			s,
			{ ...wait, screenshotId: '={{ $json.id }}' },
			ids.map((id) => ({ json: { id } })),
		);
		expect(output.map((item) => item.json.screenshotId)).toEqual(ids);
		for (const item of output) {
			const bytes = await binaryBytes(item, 'attentionMap');
			expect(bytes.equals(await served(item.json.attentionMap as string))).toBe(true);
		}
	});
});
