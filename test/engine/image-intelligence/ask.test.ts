import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetTokens } from '../../../nodes/ImageIntelligence/token';
import { designJpeg, designPng } from '../../../sandbox/fixtures';
import { useSandbox } from '../../helpers/sandbox';
import { askUrls, imageItem, runII, waitParameters } from './helpers';

const sandbox = useSandbox({ imageIntelligenceProcessingMs: 30 });

beforeEach(() => {
	forgetTokens();
	sandbox.current.clearFaults();
	sandbox.current.configure({ imageIntelligenceProcessingMs: 30 });
});

const images = (item: { json: IDataObject }) => item.json.imageResults as IDataObject[];

describe('Image Intelligence: Ask', () => {
	it('Create → Wait for Completion: "yes", the chosen image, and a reason for every failed image', async () => {
		const s = sandbox.current;
		s.clearLog();
		const created = await runII(
			s,
			askUrls('Is the garage door open?', [
				{ url: `${s.url}/files/design.png`, customId: 'cam-1' },
				{ url: `${s.url}/files/design.jpg?answer=yes`, customId: 'cam-2' },
				{ url: `${s.url}/files/missing.png`, customId: 'cam-3' },
				{ url: `${s.url}/files/not-an-image.txt`, customId: 'cam-4' },
			]),
		);
		expect(created).toHaveLength(1);
		expect(created[0].json).toMatchObject({ status: 'IN_PROGRESS', answer: 'pending', finished: false, chosenImage: null, imageCount: 4 });
		expect(created[0].json.summary).toMatch(/^Still in progress/);

		const [done] = await runII(s, waitParameters(), created);
		expect(done.json).toMatchObject({
			jobId: created[0].json.jobId,
			status: 'COMPLETED_PARTIAL_ERROR',
			answer: 'yes',
			finished: true,
			question: 'Is the garage door open?',
			chosenImage: { customId: 'cam-2', url: `${s.url}/files/design.jpg?answer=yes` },
			failedImageCount: 2,
		});
		expect(done.json.summary).toBe('Yes: Image Intelligence chose image cam-2. 2 of 4 images failed (see imageResults[].reason).');
		expect(images(done).map((image) => [image.customId, image.status, image.ok])).toEqual([
			['cam-1', 'COMPLETED_SUCCESSFULLY', true],
			['cam-2', 'COMPLETED_SUCCESSFULLY', true],
			['cam-3', 'IMAGE_DOWNLOAD_ERROR', false],
			['cam-4', 'INVALID_IMAGE_FORMAT_ERROR', false],
		]);
		expect(images(done)[0].reason).toBeUndefined();
		expect(images(done)[2].reason).toContain('could not download the image');
		expect(images(done)[3].reason).toContain('Send a JPEG or PNG');
		expect((done.json.raw as IDataObject).status).toBe('COMPLETED_PARTIAL_ERROR');
		expect(done.pairedItem).toEqual({ item: 0 });

		const [got] = await runII(s, { resource: 'ask', operation: 'get' }, created);
		expect(got.json).toMatchObject({ answer: 'yes', status: 'COMPLETED_PARTIAL_ERROR', chosenImage: { customId: 'cam-2' } });
		expect(s.requests({ method: 'POST', pathPrefix: '/imageintelligence/v2/ask' })).toHaveLength(1);
	});

	it('"no" when the job chose no image', async () => {
		const s = sandbox.current;
		const created = await runII(s, askUrls('Is anyone at the door?', [`${s.url}/files/design.png?answer=no`, `${s.url}/files/design.jpg?answer=no`]));
		const [done] = await runII(s, waitParameters(), created);
		expect(done.json).toMatchObject({ status: 'COMPLETED_SUCCESSFULLY', answer: 'no', chosenImage: null, failedImageCount: 0 });
		expect(done.json.summary).toBe('No: Image Intelligence chose none of the images.');
	});

	it('"no" when every image failed, and the summary says why', async () => {
		const s = sandbox.current;
		const created = await runII(s, askUrls('Is it raining?', [`${s.url}/files/missing.png`, `${s.url}/files/broken.png`]));
		const [done] = await runII(s, waitParameters(), created);
		expect(done.json).toMatchObject({ status: 'COMPLETED_ALL_ERROR', answer: 'no', chosenImage: null, failedImageCount: 2 });
		expect(done.json.summary).toBe('No, but only because no image could be looked at: all 2 images failed (see imageResults[].reason).');
		expect(images(done).every((image) => typeof image.reason === 'string')).toBe(true);
	});

	it('Get of a running job says it is still in progress', async () => {
		const s = sandbox.current;
		s.configure({ imageIntelligenceProcessingMs: 60_000 });
		const created = await runII(s, askUrls('Is the gate closed?', [`${s.url}/files/design.png`]));
		const [item] = await runII(s, { resource: 'ask', operation: 'get', jobId: created[0].json.jobId as string });
		expect(item.json).toMatchObject({ status: 'IN_PROGRESS', answer: 'pending', finished: false });
		expect(item.json.summary).toContain('Wait for Completion');
	});

	it('binary files go as base64 blobs; the file name is the image custom ID; the provider read the exact bytes', async () => {
		const s = sandbox.current;
		const png = designPng();
		const jpeg = designJpeg();
		const item = imageItem(png, 'yes-front.png', 'front');
		item.binary = { ...item.binary, ...imageItem(jpeg, 'back.jpg', 'back').binary };
		const created = await runII(
			s,
			{ resource: 'ask', operation: 'create', question: 'Is there a parcel?', imageSource: 'binary', binaryPropertyName: 'front, back' },
			[item],
		);
		const [done] = await runII(s, waitParameters(), created);
		expect(done.json).toMatchObject({ answer: 'yes', chosenImage: { customId: 'yes-front.png' }, imageCount: 2, failedImageCount: 0 });
		const proxies = images(done).map((image) => image.proxyUrl as string);
		const served = await Promise.all(proxies.map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
		expect(served[0].equals(png)).toBe(true);
		expect(served[1].equals(jpeg)).toBe(true);
	});

	it('binary files without file names as custom IDs', async () => {
		const s = sandbox.current;
		const created = await runII(
			s,
			{
				resource: 'ask',
				operation: 'create',
				question: 'Is there a parcel?',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				options: { fileNameAsCustomId: false },
			},
			[imageItem(designPng(), 'door.png')],
		);
		expect(images(created[0])[0].customId).toBeUndefined();
	});

	it('One Job for All Input Items: one URL per item makes one job, paired with every item', async () => {
		const s = sandbox.current;
		s.clearLog();
		const input = ['a', 'b', 'yes-c'].map((name) => ({ json: { url: `${s.url}/files/design.png?cam=${name}`, camera: name } }));
		const created = await runII(
			s,
			{ ...askUrls('Is a light on?', [{ url: '={{ $json.url }}', customId: '={{ $json.camera }}' }]), jobGrouping: 'allItems' },
			input,
		);
		expect(created).toHaveLength(1);
		expect(created[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(images(created[0]).map((image) => image.customId)).toEqual(['a', 'b', 'yes-c']);
		const [done] = await runII(s, waitParameters(), created);
		expect(done.json).toMatchObject({ answer: 'yes', chosenImage: { customId: 'yes-c' } });
		expect(s.requests({ method: 'POST', pathPrefix: '/imageintelligence/v2/ask' })).toHaveLength(1);
	});

	it('a URL field whose expression returns a list: every URL becomes an image, custom IDs numbered', async () => {
		const s = sandbox.current;
		const urls = [1, 2, 3].map((n) => `${s.url}/files/design.png?n=${n}`);
		const [created] = await runII(s, askUrls('Is it dark?', [{ url: '={{ $json.urls }}', customId: 'cam' }]), [{ json: { urls } }]);
		expect(images(created).map((image) => [image.url, image.customId])).toEqual([
			[urls[0], 'cam-1'],
			[urls[1], 'cam-2'],
			[urls[2], 'cam-3'],
		]);
		const [fromText] = await runII(s, askUrls('Is it dark?', [{ url: `${urls[0]}, ${urls[1]}\n${urls[2]}` }]));
		expect(images(fromText).map((image) => image.url)).toEqual(urls);
	});

	it('sends examples, custom ID, feed ID and webhook URL; the webhook fires when the job finishes', async () => {
		const s = sandbox.current;
		const yes = [`${s.url}/files/design.png?example=yes-1`, `${s.url}/files/design.png?example=yes-2`];
		const no = [`${s.url}/files/design.jpg?example=no-1`];
		const [created] = await runII(
			s,
			askUrls('Is the door open?', [`${s.url}/files/design.png`], {
				options: {
					customId: 'door-42',
					feedId: 'front-door',
					webhookUrl: `${s.url}/files/webhook-receiver`,
					yesExamples: yes.join('\n'),
					noExamples: no[0],
				},
			}),
		);
		expect(created.json).toMatchObject({ customId: 'door-42', feedId: 'front-door' });
		expect(created.json.raw).toMatchObject({ webhookUrl: `${s.url}/files/webhook-receiver`, examples: { yes, no } });
		await runII(s, waitParameters(), [created]);
		for (let i = 0; i < 50 && !s.webhookDeliveries.some((d) => d.jobId === created.json.jobId); i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(s.webhookDeliveries.some((delivery) => delivery.jobId === created.json.jobId)).toBe(true);
	});

	it('Search by feed ID, custom ID and creation time, newest first, with a limit', async () => {
		const s = sandbox.current;
		const feedId = `feed-${Date.now()}`;
		const jobs: IDataObject[] = [];
		for (const name of ['first', 'second', 'third']) {
			const [item] = await runII(s, askUrls('Is it open?', [`${s.url}/files/design.png`], { options: { feedId, customId: `${feedId}-${name}` } }));
			jobs.push(item.json);
			s.advanceTime(10);
		}
		const search = async (filters: INodeParameters) => await runII(s, { resource: 'ask', operation: 'search', returnAll: true, filters });

		const all = await search({ feedId });
		expect(all.map((item) => item.json.customId)).toEqual([`${feedId}-third`, `${feedId}-second`, `${feedId}-first`]);
		expect(all.every((item) => ['yes', 'no', 'pending'].includes(item.json.answer as string))).toBe(true);

		const one = await search({ customId: `${feedId}-second` });
		expect(one.map((item) => item.json.jobId)).toEqual([jobs[1].jobId]);

		const limited = await runII(s, { resource: 'ask', operation: 'search', returnAll: false, limit: 2, filters: { feedId } });
		expect(limited).toHaveLength(2);

		const secondAt = (jobs[1].raw as IDataObject).createdAt as number;
		s.clearLog();
		const after = await search({ feedId, createdAfter: new Date(secondAt).toISOString() });
		expect(after.map((item) => item.json.jobId)).toEqual([jobs[2].jobId]);
		expect(s.requests({ method: 'GET', pathPrefix: '/imageintelligence/v2/ask' })[0].query).toMatchObject({ feedId, after: String(secondAt) });

		const before = await search({ feedId, createdBefore: new Date(secondAt).toISOString() });
		expect(before.map((item) => item.json.jobId)).toEqual([jobs[0].jobId]);

		const byExpression = await search({ feedId, createdBefore: '={{ $now.plus({ days: 1 }) }}' });
		expect(byExpression).toHaveLength(3);

		const none = await search({ feedId: `${feedId}-nothing` });
		expect(none).toEqual([]);
	});

	it('Wait for Completion over many items at once', async () => {
		const s = sandbox.current;
		const input = Array.from({ length: 6 }, (_v, n) => ({ json: { url: `${s.url}/files/design.png?n=${n}` } }));
		const created = await runII(s, askUrls('Is it open?', [{ url: '={{ $json.url }}' }]), input);
		expect(created).toHaveLength(6);
		const done = await runII(s, waitParameters({ options: { concurrency: 3 } }), created);
		expect(done.map((item) => item.json.finished)).toEqual([true, true, true, true, true, true]);
		expect(done.map((item) => item.json.jobId)).toEqual(created.map((item) => item.json.jobId));
		expect(done.map((item) => item.pairedItem)).toEqual(input.map((_v, item) => ({ item })));
	});
});
