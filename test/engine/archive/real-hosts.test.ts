/*
 * Archive Outputs against what real hosts do (issue 13, examples 1-7): redirects, content codings,
 * mime aliases, GCS expiry, content negotiation, trickling bodies, retries that must not multiply.
 * Every condition comes from the sandbox's faults; nothing is mocked.
 */
import { gzipSync } from 'node:zlib';

import type { IDataObject } from 'n8n-workflow';

import { designJpeg, designPng } from '../../../sandbox/fixtures';
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { storedFiles } from '../eyequant/helpers';
import { runArchive } from './helpers';

const origin = useSandbox({ hourMs: 60_000 });
/** A second host on another port: the "short link" host that redirects to the origin. */
const shortener = useSandbox({ hourMs: 60_000 });

afterEach(() => {
	origin.current.clearFaults();
	origin.current.clearLog();
	shortener.current.clearLog();
});

/** A URL on `base` that answers with `fault` (the sandbox's per-request fault parameter). */
function faulted(base: string, path: string, fault: IDataObject, query = ''): string {
	return `${base}${path}?${query ? `${query}&` : ''}__fault=${encodeURIComponent(JSON.stringify(fault))}`;
}

function item(outputs: IDataObject) {
	return [{ json: { outputs } }];
}

describe('redirects (example 1)', () => {
	it('a 302 from a short link is followed: map.png is stored as image/png, the origin asked once', async () => {
		const target = `${origin.current.url}/files/design.png`;
		const short = faulted(shortener.current.url, '/files/short/abc', { type: 'redirect', status: 302, location: target });
		const [out] = await runArchive({}, item({ map: short }));
		expect(out.binary?.map).toMatchObject({ mimeType: 'image/png', fileName: expect.stringMatching(/^[0-9a-f]{12}_map\.png$/), fileExtension: 'png' });
		expect((await binaryBytes(out, 'map')).equals(designPng(320, 200))).toBe(true);
		expect(shortener.current.requests().map((entry) => entry.status)).toEqual([302]);
		expect(origin.current.requests().map((entry) => [entry.path, entry.status])).toEqual([['/files/design.png', 200]]);
	});

	it('a chain of hops (301, 307, 308) is followed to the end', async () => {
		const s = origin.current;
		const last = `${s.url}/files/design.jpg`;
		const third = faulted(s.url, '/files/hop3', { type: 'redirect', status: 308, location: last });
		const second = faulted(shortener.current.url, '/files/hop2', { type: 'redirect', status: 307, location: third });
		const first = faulted(s.url, '/files/hop1', { type: 'redirect', status: 301, location: second });
		const [out] = await runArchive({}, item({ photo: first }));
		expect(out.binary?.photo).toMatchObject({ mimeType: 'image/jpeg', fileName: expect.stringMatching(/^[0-9a-f]{12}_photo\.jpg$/) });
		expect((await binaryBytes(out, 'photo')).equals(designJpeg())).toBe(true);
	});

	it('every hop passes Allowed Hosts: a redirect to a host not listed is refused and never asked', async () => {
		const target = `${origin.current.url}/files/design.png`;
		const short = faulted(shortener.current.url, '/files/short/abc', { type: 'redirect', location: target });
		const allowed = new URL(shortener.current.url).host;
		await expect(runArchive({ options: { allowedHosts: allowed } }, item({ map: short }))).rejects.toThrow(
			`outputs.map was not downloaded: ${new URL(origin.current.url).host} is not in "Allowed Hosts"`,
		);
		expect(origin.current.requests()).toHaveLength(0);
	});

	it('a redirect loop stops after 10 hops with a clear error', async () => {
		const s = origin.current;
		const loop = `${s.url}/files/loop`;
		s.setFaults([{ match: { path: '/files/loop' }, fault: { type: 'redirect', status: 302, location: '/files/loop' } }]);
		await expect(runArchive({}, item({ map: loop }))).rejects.toThrow('outputs.map redirected more than 10 times');
		expect(s.requests({ pathPrefix: '/files/loop' })).toHaveLength(11);
	});
});

describe('content codings (example 2)', () => {
	it.each(['gzip', 'deflate', 'br', 'zstd'])('a PNG served with Content-Encoding: %s is stored decoded', async (coding) => {
		const url = faulted(origin.current.url, '/files/design.png', { type: 'encoding', coding });
		const [out] = await runArchive({}, item({ map: url }));
		expect(out.binary?.map).toMatchObject({ mimeType: 'image/png', fileName: expect.stringMatching(/^[0-9a-f]{12}_map\.png$/) });
		expect((await binaryBytes(out, 'map')).equals(designPng(320, 200))).toBe(true);
	});

	it('Max File Size counts decoded bytes: 8 MiB of zeros gzipped to a few KB stops at 1 MB', async () => {
		const url = faulted(origin.current.url, '/files/zeros/8388608.bin', { type: 'encoding', coding: 'gzip' });
		expect(gzipSync(Buffer.alloc(8 * 1024 * 1024)).length).toBeLessThan(1024 * 1024);
		const executionId = `real-hosts-inflate-${Date.now()}`;
		await expect(runArchive({ options: { maxFileSizeMb: 1 } }, item({ blob: url }), { executionId })).rejects.toThrow(
			'outputs.blob is larger than the limit of 1048576 bytes',
		);
		expect(storedFiles(executionId)).toEqual([]);
	});
});

describe('mime aliases (example 3)', () => {
	it.each([
		['image/jpg', 'design.jpg', 'image/jpeg', 'heatmap.jpg'],
		['IMAGE/JPEG; charset=binary', 'design.jpg', 'image/jpeg', 'heatmap.jpg'],
		['image/x-png', 'design.png', 'image/png', 'heatmap.png'],
	])('served as %s: stored as %s', async (served, file, mimeType, fileName) => {
		const url = faulted(origin.current.url, `/files/${file}`, { type: 'contentType', value: served });
		const [out] = await runArchive({}, item({ heatmap: url }));
		// No job id on the item: every file is named after a hash of its link (nodes/shared/file-names.ts).
		expect(out.binary?.heatmap).toMatchObject({ mimeType });
		expect(out.binary?.heatmap?.fileName).toMatch(new RegExp(`^[0-9a-f]{12}_${fileName.replace('.', '\\.')}$`));
	});
});

describe('expired Google Cloud Storage links (example 4)', () => {
	it('400 ExpiredToken on an X-Goog-Date link: "The link expired at …" with linkExpired, like S3', async () => {
		const url = faulted(origin.current.url, '/gcs/maps/heatmap.png', { type: 'expired', style: 'gcs' }, 'X-Goog-Date=20261130T090000Z&X-Goog-Expires=3600&X-Goog-Signature=abc123');
		await expect(runArchive({}, item({ map: url }))).rejects.toThrow(/^The link expired at 2026-11-30T10:00:00\.000Z: outputs\.map \(/);
		const [out] = await runArchive({}, item({ map: url }), { continueOnFail: true });
		expect(out.json.failedUrls).toEqual([expect.objectContaining({ field: 'outputs.map', expired: true })]);
		expect(JSON.stringify([out.json.error, out.json.errorDescription, out.json.failedUrls])).not.toContain('abc123');
	});
});

describe('expired links behind a redirect', () => {
	it('a short link that redirects to an expired GCS link: the expiry time comes from the link that answered', async () => {
		const signed = faulted(origin.current.url, '/gcs/maps/heatmap.png', { type: 'expired', style: 'gcs' }, 'X-Goog-Date=20261130T090000Z&X-Goog-Expires=600');
		const short = faulted(shortener.current.url, '/files/short/gcs', { type: 'redirect', location: signed });
		const [out] = await runArchive({}, item({ map: short }), { continueOnFail: true });
		expect(out.json.error).toMatch(/^The link expired at 2026-11-30T09:10:00\.000Z: outputs\.map \(/);
		expect(out.json.failedUrls).toEqual([expect.objectContaining({ expired: true })]);
	});
});

describe('content negotiation (example 5)', () => {
	it('links are asked for any type: a host that answers 406 to Accept: application/json serves the file', async () => {
		const s = origin.current;
		const refused = await fetch(`${s.url}/files/design.png`, { headers: { accept: 'application/json' } });
		expect(refused.status).toBe(406);
		const [out] = await runArchive({}, item({ map: `${s.url}/files/design.png` }));
		expect(out.binary?.map).toMatchObject({ mimeType: 'image/png' });
	});
});

describe('deadlines (example 6)', () => {
	it('Timeout 1 s bounds the whole download: a body sent 1 byte every 400 ms fails after about 1 s per try', async () => {
		const url = faulted(origin.current.url, '/files/design.png', { type: 'trickle', bytes: 1, everyMs: 400 });
		const executionId = `real-hosts-trickle-${Date.now()}`;
		const started = Date.now();
		await expect(runArchive({ options: { timeout: 1, retries: 0 } }, item({ map: url }), { executionId })).rejects.toThrow(
			'The download of outputs.map did not finish within the timeout of 1 s',
		);
		const took = Date.now() - started;
		expect(took).toBeGreaterThanOrEqual(950);
		expect(took).toBeLessThan(2500);
		expect(storedFiles(executionId)).toEqual([]);
	});
});

describe('retries (example 7)', () => {
	it('Retries = 2 on 429, 429, then a 200 that resets mid-body: 3 requests in all, not 9', async () => {
		const s = origin.current;
		s.setFaults([
			{ match: { path: '/files/blob/' }, times: 2, fault: { type: 'status', status: 429, retryAfter: 0 } },
			{ match: { path: '/files/blob/' }, fault: { type: 'reset', afterBytes: 1000 } },
		]);
		await expect(runArchive({ options: { retries: 2 } }, item({ blob: `${s.url}/files/blob/65536.bin` }))).rejects.toThrow(
			/^The download of outputs\.blob broke off \((ECONNRESET|UND_ERR_SOCKET)\)/,
		);
		expect(s.requests({ pathPrefix: '/files/blob/' }).map((entry) => entry.status)).toEqual([429, 429, 200]);
	});

	it('a body that breaks off once is fetched again within the same budget', async () => {
		const s = origin.current;
		s.setFaults([{ match: { path: '/files/blob/' }, times: 1, fault: { type: 'reset', afterBytes: 1000 } }]);
		const [out] = await runArchive({ options: { retries: 2 } }, item({ blob: `${s.url}/files/blob/65536.bin` }));
		expect((await binaryBytes(out, 'blob')).length).toBe(65536);
		expect(s.requests({ pathPrefix: '/files/blob/' })).toHaveLength(2);
	});
});
