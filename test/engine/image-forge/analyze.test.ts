import { designPng } from '../../../sandbox/fixtures.ts';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { ANALYZE, KEYS, json, pngFiles, runForge, runForgeWithLogs, uploaded } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2 });
const analyzeCalls = () => sandbox.current.requests({ method: 'POST' }).filter((entry) => entry.path.endsWith('/analyze'));

beforeEach(() => {
	sandbox.current.clearLog();
	sandbox.current.clearFaults();
});

const METADATA_FIELDS = ['title', 'alt', 'caption', 'description', 'filename', 'seoTags'];

describe('Image → Analyze', () => {
	it('works straight after Session → Upload with its defaults: one item per image, with the metadata, paired and in order', async () => {
		const images = await uploaded(sandbox.current, [
			[{ name: 'red-sneakers.png', bytes: designPng(300, 200) }],
			...pngFiles(2, 'garden-chair'),
		]);
		sandbox.current.clearLog();
		const { output, logs } = await runForgeWithLogs(ANALYZE, { sandbox: sandbox.current, input: images });

		expect(analyzeCalls()).toHaveLength(1);
		expect(output).toHaveLength(3);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const [index, item] of output.entries()) {
			expect(item.json).toEqual(
				expect.objectContaining({
					sessionId: images[index].json.sessionId,
					imageId: images[index].json.imageId,
					originalFilename: images[index].json.originalFilename,
					uploadPath: images[index].json.uploadPath,
				}),
			);
			for (const field of METADATA_FIELDS) expect(item.json[field]).toBeDefined();
			expect(item.json.seoTags).toEqual(expect.arrayContaining([expect.any(String)]));
			expect(item.json.raw).toEqual(expect.objectContaining({ imageId: item.json.imageId, metadata: expect.any(Object) }));
		}
		expect(output[0].json.title).toMatch(/Red Sneakers/);
		expect(output[0].json.filename).toMatch(/red-sneakers/);
		// The uploaded image travels on, so a later node can save it under its new name.
		expect(await binaryBytes(output[0], 'data')).toEqual(await binaryBytes(images[0], 'data'));

		const progress = logs.filter((line) => line.meta?.event === 'progress');
		expect(progress.map((line) => line.message)).toEqual([
			expect.stringMatching(/1\/3 processing red-sneakers\.png$/),
			expect.stringMatching(/2\/3 processing garden-chair-1\.png$/),
			expect.stringMatching(/3\/3 processing garden-chair-2\.png$/),
		]);
		expect(logs.filter((line) => line.meta?.event === 'complete')).toHaveLength(1);
	});

	it('groups items by session: one streamed request per session, outputs still in input order', async () => {
		const first = await uploaded(sandbox.current, pngFiles(2, 'alpha'));
		const second = await uploaded(sandbox.current, pngFiles(2, 'beta'));
		sandbox.current.clearLog();
		const input = [first[0], second[0], first[1], second[1]];
		const output = await runForge(ANALYZE, { sandbox: sandbox.current, input });

		expect(analyzeCalls().map((entry) => entry.path).sort()).toEqual(
			[`/imageforge/v1/sessions/${String(first[0].json.sessionId)}/analyze`, `/imageforge/v1/sessions/${String(second[0].json.sessionId)}/analyze`].sort(),
		);
		expect(output.map((item) => item.json.originalFilename)).toEqual(['alpha-1.png', 'beta-1.png', 'alpha-2.png', 'beta-2.png']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	});

	it('asks once for an image that two items name, and answers both', async () => {
		const images = await uploaded(sandbox.current, pngFiles(1, 'twice'));
		sandbox.current.clearLog();
		const before = sandbox.current.imageForgeBalance(KEYS.apiKey);
		const output = await runForge(ANALYZE, { sandbox: sandbox.current, input: [images[0], images[0]] });
		expect(json(output).map((item) => item.imageId)).toEqual([images[0].json.imageId, images[0].json.imageId]);
		expect(sandbox.current.imageForgeBalance(KEYS.apiKey)).toBe(before - 1);
	});

	it('leaves the binary data behind when Keep Binary Data is off', async () => {
		const images = await uploaded(sandbox.current, pngFiles(1, 'plain'));
		const [item] = await runForge({ ...ANALYZE, options: { keepBinary: false } }, { sandbox: sandbox.current, input: images });
		expect(item.binary).toBeUndefined();
		expect(item.json.title).toEqual(expect.any(String));
	});

	it('an item without a session id is an error for that item, and nothing is spent when the node would fail', async () => {
		const images = await uploaded(sandbox.current, pngFiles(1, 'ok'));
		sandbox.current.clearLog();
		const input = [images[0], { json: { something: 'else' } }];
		await expect(runForge(ANALYZE, { sandbox: sandbox.current, input })).rejects.toThrow('No Session ID for this item');
		expect(analyzeCalls()).toHaveLength(0);

		const output = await runForge(ANALYZE, { sandbox: sandbox.current, input, continueOnFail: true });
		expect(output[0].json.title).toEqual(expect.any(String));
		expect(output[1].json).toEqual({ error: 'No Session ID for this item', errorDescription: expect.stringContaining('Session → Upload') });
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});
});
