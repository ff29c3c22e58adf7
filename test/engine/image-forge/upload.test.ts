import { designJpeg, designPng } from '../../../sandbox/fixtures.ts';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { UPLOAD, binaryItems, failure, json, pngFiles, runForge } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2 });
const uploads = () => sandbox.current.requests({ method: 'POST', pathPrefix: '/imageforge/v1/sessions/upload' });

beforeEach(() => {
	sandbox.current.clearLog();
	sandbox.current.clearFaults();
});

describe('Session → Upload', () => {
	it('sends every binary property of every item in one request and outputs one item per image, paired to its item', async () => {
		const hero = designPng(300, 200);
		const input = await binaryItems([
			[
				{ name: 'hero.png', bytes: hero },
				{ name: 'team.jpg', bytes: designJpeg(), mimeType: 'image/jpeg', property: 'photo' },
			],
			[{ name: 'red-sneakers.png', bytes: designPng(64, 48) }],
		]);
		const output = await runForge(UPLOAD, { sandbox: sandbox.current, input });

		expect(uploads()).toHaveLength(1);
		expect(uploads()[0].status).toBe(200);
		const sessionId = output[0].json.sessionId;
		expect(sessionId).toEqual(expect.any(String));
		expect(json(output)).toEqual([
			expect.objectContaining({ sessionId, originalFilename: 'hero.png', size: hero.length, width: 300, height: 200, binaryProperty: 'data' }),
			expect.objectContaining({ sessionId, originalFilename: 'team.jpg', size: designJpeg().length, width: 96, height: 64, binaryProperty: 'photo' }),
			expect.objectContaining({ sessionId, originalFilename: 'red-sneakers.png', width: 64, height: 48, binaryProperty: 'data' }),
		]);
		for (const item of output) {
			expect(item.json.imageId).toMatch(/^img_/);
			expect(item.json.uploadPath).toEqual(expect.any(String));
			expect(item.json.raw).toEqual(expect.objectContaining({ id: item.json.imageId }));
		}
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }]);
		// Each image item carries its own file, byte for byte.
		expect(Object.keys(output[1].binary ?? {})).toEqual(['photo']);
		expect(await binaryBytes(output[0], 'data')).toEqual(hero);
		expect(await binaryBytes(output[1], 'photo')).toEqual(designJpeg());
	});

	it('uploads only the named binary properties', async () => {
		const input = await binaryItems([
			[
				{ name: 'keep.png', bytes: designPng(50, 50), property: 'image' },
				{ name: 'skip.png', bytes: designPng(20, 20), property: 'thumbnail' },
			],
		]);
		const output = await runForge({ ...UPLOAD, binaryProperties: 'image' }, { sandbox: sandbox.current, input });
		expect(json(output)).toEqual([expect.objectContaining({ originalFilename: 'keep.png', binaryProperty: 'image' })]);
		expect(uploads()).toHaveLength(1);
	});

	it('keeps file names with quotes and non-ASCII letters intact', async () => {
		const input = await binaryItems([[{ name: 'Café "menu" №1.png', bytes: designPng(30, 30) }]]);
		const [item] = await runForge(UPLOAD, { sandbox: sandbox.current, input });
		expect(item.json.originalFilename).toBe('Café "menu" №1.png');
	});

	it('a missing named property fails that item before anything is sent (Continue On Fail: an error item, the rest uploaded)', async () => {
		const input = await binaryItems([[{ name: 'a.png', bytes: designPng(30, 30) }], [{ name: 'b.png', bytes: designPng(31, 30), property: 'other' }]]);
		const error = await failure(runForge({ ...UPLOAD, binaryProperties: 'data' }, { sandbox: sandbox.current, input }));
		expect(error.message).toBe('No binary property "data" on this item');
		expect(error.description).toContain('other');
		expect(uploads()).toHaveLength(0);

		const output = await runForge({ ...UPLOAD, binaryProperties: 'data' }, { sandbox: sandbox.current, input, continueOnFail: true });
		expect(json(output)).toEqual([
			expect.objectContaining({ originalFilename: 'a.png' }),
			{ error: 'No binary property "data" on this item', errorDescription: expect.stringContaining('other') },
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(uploads()).toHaveLength(1);
	});

	it('an item without binary data says what to put before the node', async () => {
		const error = await failure(runForge(UPLOAD, { sandbox: sandbox.current, input: [{ json: { note: 'no files' } }] }));
		expect(error.message).toBe('This item has no binary data to upload');
		expect(uploads()).toHaveLength(0);
	});

	it('refuses more than 100 images before sending anything', async () => {
		const input = await binaryItems(pngFiles(101));
		const error = await failure(runForge(UPLOAD, { sandbox: sandbox.current, input }));
		expect(error.message).toBe('Image Forge takes at most 100 images per upload; this run has 101');
		expect(error.description).toContain('Loop Over Items');
		expect(uploads()).toHaveLength(0);
	});
});
