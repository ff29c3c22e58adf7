import { designPng, garbageBytes } from '../../../sandbox/fixtures.ts';
import { useSandbox } from '../../helpers/sandbox';
import { ANALYZE, KEYS, failure, json, pngFiles, runForge, uploaded } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2 });
const calls = (suffix: string) => sandbox.current.requests({ method: 'POST' }).filter((entry) => entry.path.endsWith(suffix));

const EXPORT = { resource: 'image', operation: 'export' };
const SAMPLE = { resource: 'image', operation: 'sample' };
const SINGLE = { resource: 'image', operation: 'analyzeSingle' };

beforeEach(() => {
	sandbox.current.clearLog();
	sandbox.current.clearFaults();
});

describe('Image → Analyze Single', () => {
	it('answers each item with its own request, without a stream', async () => {
		const images = await uploaded(sandbox.current, [[{ name: 'blue-vase.png', bytes: designPng(120, 200) }], ...pngFiles(1)]);
		sandbox.current.clearLog();
		const output = await runForge(SINGLE, { sandbox: sandbox.current, input: images });
		expect(calls('/analyze-single')).toHaveLength(2);
		expect(json(output)).toEqual([
			expect.objectContaining({ imageId: images[0].json.imageId, title: expect.stringMatching(/Blue Vase/), filename: expect.stringMatching(/portrait/) }),
			expect.objectContaining({ imageId: images[1].json.imageId, alt: expect.any(String), seoTags: expect.any(Array) }),
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('an image that does not decode is that item\'s error (422)', async () => {
		const images = await uploaded(sandbox.current, [[{ name: 'broken.png', bytes: garbageBytes(300) }], ...pngFiles(1)]);
		const output = await runForge(SINGLE, { sandbox: sandbox.current, input: images, continueOnFail: true });
		expect(output[0].json.error).toBe('Image Forge error 422: Could not decode broken.png: not a PNG or JPEG image');
		expect(output[1].json.title).toEqual(expect.any(String));
	});
});

describe('Image → Export', () => {
	it('Upload → Analyze → Export with defaults: files named after the SEO filename, one item per image with its variants', async () => {
		const images = await uploaded(sandbox.current, [[{ name: 'IMG_0042.png', bytes: designPng(1200, 800) }], ...pngFiles(1, 'mug')]);
		const analyzed = await runForge(ANALYZE, { sandbox: sandbox.current, input: images });
		sandbox.current.clearLog();
		const output = await runForge(EXPORT, { sandbox: sandbox.current, input: analyzed });

		expect(calls('/export')).toHaveLength(1);
		const [first, second] = output;
		expect(first.json).toEqual(
			expect.objectContaining({
				imageId: images[0].json.imageId,
				format: 'webp',
				preset: 'high',
				filename: analyzed[0].json.filename,
				path: `exports/${String(images[0].json.sessionId)}/${String(analyzed[0].json.filename)}.webp`,
				width: 1200,
				height: 800,
				variantCount: 1,
			}),
		);
		expect(first.json.variants).toEqual([expect.objectContaining({ name: 'original', size: expect.any(Number) })]);
		expect(second.json.path).toMatch(new RegExp(`${String(analyzed[1].json.filename)}\\.webp$`));
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('responsive widths and the format become variants; without input metadata the original name is used', async () => {
		const images = await uploaded(sandbox.current, [[{ name: 'wide-banner.png', bytes: designPng(1000, 250) }]]);
		const [item] = await runForge(
			{ ...EXPORT, format: 'avif', preset: 'low', responsive: true, responsiveSizes: '320, 640, 2000', options: { useInputMetadata: false } },
			{ sandbox: sandbox.current, input: images },
		);
		expect(item.json.variants).toEqual([
			expect.objectContaining({ name: 'original', path: expect.stringMatching(/wide-banner\.avif$/), width: 1000 }),
			expect.objectContaining({ name: '320w', width: 320, height: 80 }),
			expect.objectContaining({ name: '640w', width: 640, height: 160 }),
		]);
		expect(item.json.variantCount).toBe(3);
	});

	it('widths that are not whole numbers are refused before anything is sent', async () => {
		const images = await uploaded(sandbox.current, pngFiles(1));
		sandbox.current.clearLog();
		const error = await failure(runForge({ ...EXPORT, responsive: true, responsiveSizes: '320, wide' }, { sandbox: sandbox.current, input: images }));
		expect(error.message).toBe('"Widths" must be whole numbers of pixels, e.g. 320, 640, 1024 (got "320, wide")');
		expect(calls('/export')).toHaveLength(0);
	});

	it('an image that fails gets an error item, the others their export', async () => {
		const images = await uploaded(sandbox.current, [...pngFiles(2), [{ name: 'corrupt.png', bytes: garbageBytes(200) }]]);
		const output = await runForge(EXPORT, { sandbox: sandbox.current, input: images, continueOnFail: true });
		expect(output[0].json.path).toEqual(expect.any(String));
		expect(output[1].json.path).toEqual(expect.any(String));
		expect(output[2].json.error).toBe(
			`Image Forge could not export "corrupt.png" (image ${String(images[2].json.imageId)}): Could not decode corrupt.png: not a PNG or JPEG image`,
		);
	});
});

describe('Image → Sample', () => {
	it('previews up to 5 images for free', async () => {
		const images = await uploaded(sandbox.current, pngFiles(5));
		const before = sandbox.current.imageForgeBalance(KEYS.apiKey);
		const output = await runForge({ ...SAMPLE, format: 'jpeg' }, { sandbox: sandbox.current, input: images });
		expect(output).toHaveLength(5);
		expect(output.every((item) => String(item.json.path).endsWith('.jpg'))).toBe(true);
		expect(sandbox.current.imageForgeBalance(KEYS.apiKey)).toBe(before);
	});

	it('refuses more than 5 images of a session before calling Image Forge', async () => {
		const images = await uploaded(sandbox.current, pngFiles(6));
		sandbox.current.clearLog();
		const error = await failure(runForge(SAMPLE, { sandbox: sandbox.current, input: images }));
		expect(error.message).toBe(`Sample takes at most 5 images per session; session ${String(images[0].json.sessionId)} has 6 in this run`);
		expect(error.description).toContain('Limit node');
		expect(calls('/sample')).toHaveLength(0);

		// With Continue On Fail the oversized session's items are error items; other sessions are still sampled.
		const small = await uploaded(sandbox.current, pngFiles(1, 'small'));
		sandbox.current.clearLog();
		const output = await runForge(SAMPLE, { sandbox: sandbox.current, input: [...images, ...small], continueOnFail: true });
		expect(output.slice(0, 6).every((item) => String(item.json.error).startsWith('Sample takes at most 5 images'))).toBe(true);
		expect(output[6].json.path).toEqual(expect.any(String));
		expect(calls('/sample')).toHaveLength(1);
	});
});
