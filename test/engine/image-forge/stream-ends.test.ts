/*
 * Image Forge streams that end or stall the way real servers do (issue 13, examples 8 and 9): the
 * last event without its blank line, a stream of comments only, one endless event. The sandbox's
 * SSE faults produce each; the node runs in n8n-core against it.
 */
import { useSandbox } from '../../helpers/sandbox';
import { ANALYZE, json, pngFiles, runForge, uploaded } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2 });
const EXPORT = { resource: 'image', operation: 'export' };

beforeEach(() => {
	sandbox.current.clearLog();
	sandbox.current.clearFaults();
});

describe('stream endings', () => {
	it('an export stream whose "complete" lacks its blank line before closing: every image has its result (example 8)', async () => {
		const s = sandbox.current;
		const images = await uploaded(s, pngFiles(3));
		s.setFaults([{ match: { method: 'POST', path: /\/export$/ }, fault: { type: 'sseUnterminated' } }]);
		const output = await runForge(EXPORT, { sandbox: s, input: images, continueOnFail: true });
		expect(s.requests({ method: 'POST' }).filter((entry) => entry.path.endsWith('/export')).map((entry) => entry.fault)).toEqual(['sseUnterminated']);
		expect(json(output).map((item) => item.error)).toEqual([undefined, undefined, undefined]);
		expect(json(output).map((item) => item.imageId)).toEqual(images.map((image) => image.json.imageId));
		expect(json(output).every((item) => Array.isArray(item.variants))).toBe(true);
	});

	it('a stream of keep-alive comments only ends at the idle limit (Timeout), not never (example 9)', async () => {
		const s = sandbox.current;
		const images = await uploaded(s, pngFiles(2));
		s.setFaults([{ match: { method: 'POST', path: /\/analyze$/ }, fault: { type: 'sseCommentsOnly', everyMs: 100 } }]);
		const started = Date.now();
		const output = await runForge({ ...ANALYZE, options: { timeout: 1 } }, { sandbox: s, input: images, continueOnFail: true });
		expect(Date.now() - started).toBeLessThan(4000);
		expect(output).toHaveLength(2);
		expect(String(output[0].json.error)).toContain(
			'the stream broke off before Image Forge sent "complete" (no event arrived for 1 s, only keep-alive comments: raise "Timeout" if Image Forge is just slow)',
		);
	});

	it('one event of 10 MB without a line break fails with a clear error, not "Invalid string length" (example 9)', async () => {
		const s = sandbox.current;
		const images = await uploaded(s, pngFiles(1));
		s.setFaults([{ match: { method: 'POST', path: /\/analyze$/ }, fault: { type: 'sseHugeEvent', bytes: 10 * 1024 * 1024 } }]);
		const output = await runForge(ANALYZE, { sandbox: s, input: images, continueOnFail: true });
		expect(String(output[0].json.error)).toContain(
			'Image Forge sent an event too large to read (an event grew past 8388608 characters without ending)',
		);
	});

	it('a stream that keeps sending but runs past Stream Time Limit ends there; the images still without a result say so', async () => {
		const s = sandbox.current;
		const images = await uploaded(s, pngFiles(6));
		s.configure({ imageForgeMsPerImage: 400 });
		try {
			const started = Date.now();
			// 0.02 minutes = 1.2 s: progress events keep the idle limit (Timeout, 120 s) at bay.
			const output = await runForge({ ...ANALYZE, options: { streamTimeLimit: 0.02 } }, { sandbox: s, input: images, continueOnFail: true });
			expect(Date.now() - started).toBeLessThan(2500);
			const failed = json(output).filter((item) => typeof item.error === 'string');
			expect(failed.length).toBeGreaterThan(0);
			expect(failed.length).toBeLessThan(6);
			expect(String(failed[0].error)).toContain('(the stream ran longer than 1.2 s, the limit for one stream)');
		} finally {
			s.configure({ imageForgeMsPerImage: 2 });
		}
	});
});
