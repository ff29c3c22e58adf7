import { designPng, garbageBytes } from '../../sandbox/fixtures';
import type { Sandbox } from '../../sandbox/server';
import { SANDBOX_KEYS, call, startReceiver, startTestSandbox, until } from './helpers';

const HOUR = 60_000;
let sandbox: Sandbox;
let api: string;
let token: string;

type Job = {
	id: string;
	createdAt: number;
	status: string;
	customId?: string;
	feedId?: string;
	question: string;
	jobResults: { image?: { id: string; url: string; customId?: string; status: string } };
	imageResults: Array<{ id: string; url: string; proxyUrl?: string; customId?: string; status: string }>;
};

async function getToken(clientId: string = SANDBOX_KEYS.imageIntelligence.clientId) {
	return call<{ accessToken: string; expiresAt: number; issuedAt: number; orgName: string; appName: string; scope: string }>(
		`${api}/oauth/token`,
		{ method: 'POST', json: { clientId, clientSecret: SANDBOX_KEYS.imageIntelligence.clientSecret } },
	);
}

beforeAll(async () => {
	sandbox = await startTestSandbox({ hourMs: HOUR });
	api = sandbox.baseUrls.imageIntelligence;
	token = (await getToken()).body.accessToken;
});
afterAll(() => sandbox.close());

const bearer = () => ({ authorization: `Bearer ${token}` });
const file = (name: string) => `${sandbox.url}/files/${name}`;

function ask(body: unknown, headers: Record<string, string> = bearer()) {
	return call<Job & { code?: string; message?: string }>(`${api}/ask`, { method: 'POST', headers, json: body });
}

async function completed(id: string): Promise<Job> {
	const r = await until(
		() => call<Job>(`${api}/ask/${id}`, { headers: bearer() }),
		(x) => x.body.status !== 'IN_PROGRESS',
	);
	return r.body;
}

describe('Image Intelligence tokens', () => {
	it('exchanges client id and secret for a 24-hour token (times in ms)', async () => {
		sandbox.clearLog();
		const r = await getToken();
		expect(r.status).toBe(200);
		expect(r.body).toEqual({
			accessToken: expect.any(String),
			expiresAt: expect.any(Number),
			issuedAt: expect.any(Number),
			orgName: expect.any(String),
			appName: expect.any(String),
			scope: 'ask:read ask:create detect:create detect:read',
		});
		expect(r.body.expiresAt - r.body.issuedAt).toBe(24 * HOUR);
		expect(Math.abs(r.body.issuedAt - Date.now())).toBeLessThan(24 * HOUR * 3);
		expect(sandbox.requests({ pathPrefix: '/imageintelligence/v2/oauth/token' })).toHaveLength(1);
	});

	it('refuses a wrong client (401) and requests without a valid token (401)', async () => {
		const bad = await call(`${api}/oauth/token`, { method: 'POST', json: { clientId: 'x', clientSecret: 'y' } });
		expect(bad.status).toBe(401);
		expect(bad.body).toMatchObject({ code: 'invalid_client', message: expect.any(String) });
		expect((await call(`${api}/ask`, {})).status).toBe(401);
		expect((await call(`${api}/ask`, { headers: { authorization: 'Bearer unknown' } })).status).toBe(401);
	});

	it('expires tokens after 24 sandbox hours', async () => {
		const t = (await getToken()).body.accessToken;
		const headers = { authorization: `Bearer ${t}` };
		expect((await call(`${api}/ask`, { headers })).status).toBe(200);
		sandbox.advanceTime(24 * HOUR);
		expect((await call(`${api}/ask`, { headers })).status).toBe(401);
		token = (await getToken()).body.accessToken;
	});

	it('gives 403 to a client without the ask:create scope', async () => {
		const ro = (await getToken(SANDBOX_KEYS.imageIntelligence.readOnlyClientId)).body;
		expect(ro.scope).toBe('ask:read');
		const r = await ask({ images: [{ url: file('design.png') }], question: 'Q?' }, { authorization: `Bearer ${ro.accessToken}` });
		expect(r.status).toBe(403);
	});
});

describe('Image Intelligence ask limits', () => {
	const img = () => ({ url: file('design.png') });
	const long = (n: number) => 'x'.repeat(n);
	const cases: Array<[string, () => unknown]> = [
		['no images', () => ({ images: [], question: 'Q?' })],
		['65 images', () => ({ images: Array.from({ length: 65 }, img), question: 'Q?' })],
		['no question', () => ({ images: [img()] })],
		['a 257-character question', () => ({ images: [img()], question: long(257) })],
		['4 yes examples', () => ({ images: [img()], question: 'Q?', examples: { yes: [1, 2, 3, 4].map(() => file('design.png')) } })],
		['an empty no list', () => ({ images: [img()], question: 'Q?', examples: { no: [] } })],
		['a 513-character url', () => ({ images: [{ url: `http://127.0.0.1/${long(500)}` }], question: 'Q?' })],
		['an image customId of 65', () => ({ images: [{ ...img(), customId: long(65) }], question: 'Q?' })],
		['a job customId of 65', () => ({ images: [img()], question: 'Q?', customId: long(65) })],
		['a feedId of 65', () => ({ images: [img()], question: 'Q?', feedId: long(65) })],
		['a 513-character webhookUrl', () => ({ images: [img()], question: 'Q?', webhookUrl: `http://127.0.0.1/${long(500)}` })],
		['url and blob together', () => ({ images: [{ ...img(), blob: 'AAAA' }], question: 'Q?' })],
	];
	it.each(cases)('answers 400 for %s', async (_name, body) => {
		const r = await ask(body());
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ code: 'bad_request', message: expect.any(String) });
	});

	it('accepts the edges: 64 images, a 256-character question, 3 examples each, 64-character ids', async () => {
		const r = await ask({
			images: Array.from({ length: 64 }, (_, i) => ({ url: file(`design.png?i=${i}`), customId: long(64) })),
			question: long(256),
			examples: { yes: [file('design.png'), file('design.png'), file('design.png')], no: [file('blank.png')] },
			customId: long(64),
			feedId: long(64),
		});
		expect(r.status).toBe(200);
		expect(r.body.status).toBe('IN_PROGRESS');
		expect(r.body.imageResults).toHaveLength(64);
		expect((await completed(r.body.id)).status).toBe('COMPLETED_SUCCESSFULLY');
	});

	it('answers 413 for a body over 20 MB', async () => {
		const blob = Buffer.alloc(16 * 1024 * 1024, 1).toString('base64');
		const r = await ask({ images: [{ blob }], question: 'Q?' });
		expect(r.status).toBe(413);
	});
});

describe('Image Intelligence ask jobs', () => {
	it('goes IN_PROGRESS -> COMPLETED_SUCCESSFULLY and picks the image marked "yes"', async () => {
		const r = await ask({
			images: [{ url: file('design.png?n=1') }, { url: file('design.png?answer=yes') }, { url: file('design.jpg'), customId: 'cam-2' }],
			question: 'Is the garage door open?',
			customId: 'job-yes',
			feedId: 'feed-a',
		});
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ id: expect.any(String), status: 'IN_PROGRESS', question: 'Is the garage door open?', jobResults: {} });
		expect(r.body.imageResults.every((i) => i.status === 'IN_PROGRESS')).toBe(true);
		const job = await completed(r.body.id);
		expect(job.status).toBe('COMPLETED_SUCCESSFULLY');
		expect(job.imageResults.map((i) => i.status)).toEqual(Array(3).fill('COMPLETED_SUCCESSFULLY'));
		expect(job.jobResults.image?.url).toBe(file('design.png?answer=yes'));
		expect(job.imageResults[2]).toMatchObject({ customId: 'cam-2', proxyUrl: expect.stringContaining('/files/ii/') });
		const proxy = await fetch(String(job.imageResults[0].proxyUrl));
		expect(proxy.headers.get('content-type')).toBe('image/png');
	});

	it('answers no when every image is marked "no" (customId or url)', async () => {
		const r = await ask({ images: [{ url: file('design.png'), customId: 'no-1' }, { url: file('design.png?label=no') }], question: 'Is it raining?' });
		const job = await completed(r.body.id);
		expect(job.status).toBe('COMPLETED_SUCCESSFULLY');
		expect(job.jobResults).toEqual({});
	});

	it('is deterministic for unmarked images and accepts base64 blobs', async () => {
		const body = { images: [{ blob: designPng(64, 64).toString('base64') }, { url: file('design.jpg') }], question: 'Is there a cat?' };
		const a = await completed((await ask(body)).body.id);
		const b = await completed((await ask(body)).body.id);
		expect(a.status).toBe('COMPLETED_SUCCESSFULLY');
		expect(Boolean(a.jobResults.image)).toBe(Boolean(b.jobResults.image));
		expect(a.imageResults[0].url).toContain('/files/ii/');
		const blobCopy = await fetch(a.imageResults[0].url);
		expect(blobCopy.status).toBe(200);
	});

	it('reports per-image download and format errors (partial and all-error jobs)', async () => {
		const r = await ask({
			images: [
				{ url: file('design.png') },
				{ url: file('missing.png') },
				{ url: 'https://images.example.com/door.png' },
				{ url: file('design.png?broken=1') },
				{ url: file('not-an-image.txt') },
				{ blob: garbageBytes(100).toString('base64') },
			],
			question: 'Is the door open?',
		});
		const job = await completed(r.body.id);
		expect(job.status).toBe('COMPLETED_PARTIAL_ERROR');
		expect(job.imageResults.map((i) => i.status)).toEqual([
			'COMPLETED_SUCCESSFULLY',
			'IMAGE_DOWNLOAD_ERROR',
			'IMAGE_DOWNLOAD_ERROR',
			'IMAGE_DOWNLOAD_ERROR',
			'INVALID_IMAGE_FORMAT_ERROR',
			'INVALID_IMAGE_FORMAT_ERROR',
		]);
		const all = await completed((await ask({ images: [{ url: file('missing.png?answer=yes') }], question: 'Q?' })).body.id);
		expect(all.status).toBe('COMPLETED_ALL_ERROR');
		expect(all.jobResults).toEqual({});
		// The sandbox never went to example.com: only loopback fetches appear in its own log.
		expect(sandbox.requests({ provider: 'files' }).every((e) => e.path.startsWith('/files/'))).toBe(true);
	});

	it('GET /ask/{id} answers 404 for unknown jobs', async () => {
		const r = await call(`${api}/ask/00000000-0000-0000-0000-000000000000`, { headers: bearer() });
		expect(r.status).toBe(404);
	});

	it('searches by customId, feedId, before and after (newest first)', async () => {
		const feed = `feed-${Date.now()}`;
		const one = (await ask({ images: [{ url: file('design.png') }], question: 'A?', customId: 'search-1', feedId: feed })).body;
		await new Promise((resolve) => setTimeout(resolve, 5));
		const two = (await ask({ images: [{ url: file('design.png') }], question: 'B?', customId: 'search-2', feedId: feed })).body;
		const byFeed = await call<Job[]>(`${api}/ask?feedId=${feed}`, { headers: bearer() });
		expect(byFeed.body.map((j) => j.id)).toEqual([two.id, one.id]);
		const byCustom = await call<Job[]>(`${api}/ask?customId=search-1`, { headers: bearer() });
		expect(byCustom.body.map((j) => j.id)).toEqual([one.id]);
		const after = await call<Job[]>(`${api}/ask?feedId=${feed}&after=${one.createdAt}`, { headers: bearer() });
		expect(after.body.map((j) => j.id)).toEqual([two.id]);
		const before = await call<Job[]>(`${api}/ask?feedId=${feed}&before=${two.createdAt}`, { headers: bearer() });
		expect(before.body.map((j) => j.id)).toEqual([one.id]);
		expect((await call(`${api}/ask?before=yesterday`, { headers: bearer() })).status).toBe(400);
	});

	it('POSTs the finished job to its webhookUrl', async () => {
		const receiver = await startReceiver();
		try {
			const r = await ask({ images: [{ url: file('design.png?answer=yes') }], question: 'Webhook?', webhookUrl: receiver.url });
			await until(async () => receiver.received.length, (n) => n > 0);
			const body = JSON.parse(receiver.received[0].body) as Job;
			expect(body).toMatchObject({ id: r.body.id, status: 'COMPLETED_SUCCESSFULLY', jobResults: { image: expect.any(Object) } });
			expect(receiver.received[0].headers['content-type']).toBe('application/json');
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(receiver.received).toHaveLength(1);
		} finally {
			await receiver.close();
		}
	});
});
