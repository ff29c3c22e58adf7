import type { ServerResponse } from 'node:http';

import type { INodeExecutionData } from 'n8n-workflow';

import { jobFileBaseName } from '../../../nodes/shared/file-names';
import { blobBytes, designPng } from '../../../sandbox/fixtures';
import { binaryBytes } from '../../helpers/engine';
import { startTestServer } from '../../helpers/http-server';
import { useSandbox } from '../../helpers/sandbox';
import { createAnalyses, runEyeQuant, served, storedFiles } from '../eyequant/helpers';
import { runArchive, runArchiveWithHints } from './helpers';

const HOUR = 60_000;
const sandbox = useSandbox({ hourMs: HOUR, eyeQuantProcessingMs: 20 });

const ALL = {
	predictions: ['attention', 'clarity'],
	attentionOutputs: ['attentionMap', 'hotspotsMap'],
	clarityOutputs: ['score', 'map'],
};

afterEach(() => {
	sandbox.current.clearFaults();
});

/** A finished analysis as EyeQuant → Get outputs it (flat fields + raw). */
async function eyeQuantGetItem(): Promise<INodeExecutionData> {
	const s = sandbox.current;
	const [id] = await createAnalyses(s, 1, ALL);
	s.advanceTime(1000);
	const [item] = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: id });
	return { json: item.json };
}

describe('Archive Outputs with EyeQuant results', () => {
	it('a raw EyeQuant answer: every URL under "outputs", named after its path, byte-identical, no auth header needed', async () => {
		const s = sandbox.current;
		const flat = await eyeQuantGetItem();
		s.clearLog();
		const [item] = await runArchive({}, [{ json: flat.json.raw as INodeExecutionData['json'] }]);
		expect(s.requests({ provider: 's3' }).map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
		expect(Object.keys(item.binary ?? {})).toEqual(['attention_attentionMap', 'attention_hotspotsMap', 'clarity_map', 'input_image']);
		expect(item.binary?.attention_attentionMap).toMatchObject({
			mimeType: 'image/png',
			fileName: `${String(flat.json.screenshotId)}_attention_attentionMap.png`,
			fileExtension: 'png',
		});
		expect(item.binary?.attention_attentionMap.id).toEqual(expect.any(String));
		const raw = flat.json.raw as { outputs: { attention: { attentionMap: string }; input: { image: string } } };
		expect((await binaryBytes(item, 'attention_attentionMap')).equals(await served(raw.outputs.attention.attentionMap))).toBe(true);
		expect((await binaryBytes(item, 'input_image')).equals(await served(raw.outputs.input.image))).toBe(true);
		expect(item.json).toEqual(flat.json.raw);
	});

	it('one file-naming rule, unique per job: many items’ files never share a name; Wait for Completion names its maps the same way', async () => {
		const s = sandbox.current;
		const ids = await createAnalyses(s, 3, ALL);
		s.advanceTime(1000);
		const got = await runEyeQuant(s, { resource: 'analysis', operation: 'get', screenshotId: '={{ $json.id }}' }, ids.map((id) => ({ json: { id } })));
		const archived = await runArchive({}, got.map((item) => ({ json: item.json })));
		const names = archived.flatMap((item) => Object.values(item.binary ?? {}).map((binary) => binary.fileName));
		expect(names.length).toBeGreaterThanOrEqual(9);
		expect(new Set(names).size).toBe(names.length);
		archived.forEach((item, index) => {
			expect(item.binary?.attentionMap?.fileName).toBe(`${jobFileBaseName(ids[index], 'attentionMap')}.png`);
		});
		const [waited] = await runEyeQuant(s, { resource: 'analysis', operation: 'waitForCompletion', pollInterval: 0.02, timeout: 10, screenshotId: ids[0] });
		expect(waited.binary?.attentionMap?.fileName).toBe(`${jobFileBaseName(ids[0], 'attentionMap')}.png`);
	});

	it('"Archive after EyeQuant Get" works with the defaults: top-level map fields name the files, raw duplicates are fetched once', async () => {
		const s = sandbox.current;
		const flat = await eyeQuantGetItem();
		s.clearLog();
		const { output, hints } = await runArchiveWithHints({}, [flat]);
		const [item] = output;
		expect(s.requests({ provider: 's3' })).toHaveLength(4);
		expect(Object.keys(item.binary ?? {})).toEqual(['attentionMap', 'hotspotsMap', 'clarityMap', 'inputImage']);
		for (const name of ['attentionMap', 'hotspotsMap', 'clarityMap', 'inputImage']) {
			expect((await binaryBytes(item, name)).equals(await served(flat.json[name] as string))).toBe(true);
		}
		expect(item.json).toEqual(flat.json);
		expect(hints).toEqual([]);
	});

	it('an expired map link fails the item with "The link expired …", never an empty file', async () => {
		const s = sandbox.current;
		const flat = await eyeQuantGetItem();
		s.advanceTime(HOUR);
		const executionId = `archive-expired-${Date.now()}`;
		await expect(runArchive({}, [flat], { executionId })).rejects.toThrow(
			/^The link expired at \S+Z: attentionMap \(http:\/\/127\.0\.0\.1:\d+\/s3\/eyequant-maps\/[0-9a-f]+\/attentionMap\.png\?\[redacted\]\) \(and 3 more of 4 URLs: hotspotsMap, clarityMap, inputImage\)$/,
		);
		expect(storedFiles(executionId)).toEqual([]);
	});

	it('Continue On Fail: an error item names the expired URLs; the other items are archived', async () => {
		const s = sandbox.current;
		const old = await eyeQuantGetItem();
		s.advanceTime(HOUR);
		const fresh = await eyeQuantGetItem();
		const output = await runArchive({}, [old, fresh], { continueOnFail: true });
		expect(output).toHaveLength(2);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(output[0].json).toMatchObject({ screenshotId: old.json.screenshotId, clarityScore: old.json.clarityScore });
		expect(output[0].json.error).toMatch(/^The link expired at \S+: attentionMap \(/);
		expect(output[0].json.failedUrls).toEqual([
			expect.objectContaining({ field: 'attentionMap', expired: true, url: expect.stringMatching(/attentionMap\.png\?\[redacted\]$/) }),
			expect.objectContaining({ field: 'hotspotsMap', expired: true }),
			expect.objectContaining({ field: 'clarityMap', expired: true }),
			expect.objectContaining({ field: 'inputImage', expired: true }),
		]);
		expect(output[0].binary).toEqual({});
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(output[1].json.error).toBeUndefined();
		expect((await binaryBytes(output[1], 'attentionMap')).equals(await served(fresh.json.attentionMap as string))).toBe(true);
	});

	it('a tampered link (403 SignatureDoesNotMatch) is refused, not called expired', async () => {
		const flat = await eyeQuantGetItem();
		const tampered = (flat.json.attentionMap as string).replace(/X-Amz-Signature=([0-9a-f])/, (_all, digit: string) => `X-Amz-Signature=${digit === '0' ? '1' : '0'}`);
		const [item] = await runArchive({ source: 'paths', paths: 'map' }, [{ json: { map: tampered } }], {
			continueOnFail: true,
		});
		expect(item.json.error).toBe(
			'map error 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.',
		);
		expect(item.json.errorDescription).toContain('Presigned links work only exactly as handed out');
		expect(item.json.failedUrls).toEqual([expect.objectContaining({ expired: false })]);
	});

	it('a file archived here can be analysed by EyeQuant straight from n8n\'s binary store', async () => {
		const s = sandbox.current;
		const [archived] = await runArchive({ source: 'paths', paths: 'design' }, [{ json: { design: `${s.url}/files/design.png` } }]);
		expect(archived.binary?.design.id).toEqual(expect.any(String));
		const [created] = await runEyeQuant(s, { resource: 'analysis', operation: 'create', binaryPropertyName: 'design' }, [archived]);
		expect(created.json.screenshotId).toEqual(expect.any(String));
	});
});

describe('Archive Outputs on any item', () => {
	it('an item with no URLs passes through unchanged, with a hint in the execution log', async () => {
		const s = sandbox.current;
		const input: INodeExecutionData[] = [
			{ json: { name: 'no links', text: 'see https://example.com' }, binary: { keep: { data: 'aGk=', mimeType: 'text/plain' } } },
			{ json: { outputs: { map: `${s.url}/files/design.png` } } },
		];
		const { output, hints, logs } = await runArchiveWithHints({}, input);
		expect(output[0]).toEqual({ ...input[0], pairedItem: { item: 0 } });
		expect(Object.keys(output[1].binary ?? {})).toEqual(['map']);
		expect(hints).toEqual([
			{ message: '1 of 2 item(s) had no http(s) links in the whole item and passed through unchanged', type: 'info', location: 'outputPane' },
		]);
		expect(logs).toContain('Archive Outputs: 1 of 2 item(s) had no http(s) links in the whole item and passed through unchanged (items 0)');
	});

	it('whole item, explicit fields, and removing archived URL fields', async () => {
		const s = sandbox.current;
		const json = { id: 7, images: [`${s.url}/files/design.png`, `${s.url}/files/design.jpg`], meta: { thumb: `${s.url}/files/design.png?width=10&height=10` } };
		const [whole] = await runArchive({ source: 'item' }, [{ json }]);
		expect(Object.keys(whole.binary ?? {})).toEqual(['images_0', 'images_1', 'meta_thumb']);
		expect(whole.binary?.images_1).toMatchObject({ mimeType: 'image/jpeg', fileName: '7_images_1.jpg' });
		const [picked] = await runArchive({ source: 'paths', paths: 'images[1], meta.thumb', options: { keepUrlFields: false } }, [{ json }]);
		expect(Object.keys(picked.binary ?? {})).toEqual(['images_1', 'meta_thumb']);
		expect(picked.json).toEqual({ id: 7, images: [json.images[0]], meta: {} });
		expect((await binaryBytes(picked, 'meta_thumb')).equals(designPng(10, 10))).toBe(true);
	});

	it('an explicit field that holds no link is an error for that item', async () => {
		const [item] = await runArchive({ source: 'paths', paths: 'name' }, [{ json: { name: 'design' } }], { continueOnFail: true });
		expect(item.json.error).toBe('The field name does not hold an http(s) URL');
	});

	it('never sends an Authorization (or any credential) header', async () => {
		const server = await startTestServer((_request, response) => {
			response.writeHead(200, { 'content-type': 'image/png' });
			response.end(designPng(8, 8));
		});
		try {
			await runArchive({}, [{ json: { outputs: { a: `${server.url}/a.png?X-Amz-Signature=abc` } } }], {
				credentials: { eyeQuantApi: { apiKey: 'eq-secret', baseUrl: server.url } },
			});
			expect(server.seen).toHaveLength(1);
			expect(server.seen[0].headers.authorization).toBeUndefined();
			expect(JSON.stringify(server.seen[0].headers)).not.toContain('eq-secret');
		} finally {
			await server.close();
		}
	});

	it('mime type from the answer, else from the bytes; a file name from the path and its extension', async () => {
		const png = designPng(16, 16);
		const server = await startTestServer((request, response) => {
			response.writeHead(200, { 'content-type': 'application/octet-stream' });
			response.end(request.url.startsWith('/png') ? png : Buffer.from('plain bytes'));
		});
		try {
			const [item] = await runArchive({}, [{ json: { outputs: { heat: `${server.url}/png`, blob: `${server.url}/other` } } }]);
			// No job id in the item: a short hash of the link stands for the job.
			expect(item.binary?.heat).toMatchObject({ mimeType: 'image/png', fileName: expect.stringMatching(/^[0-9a-f]{12}_heat\.png$/) });
			expect(item.binary?.blob).toMatchObject({ mimeType: 'application/octet-stream', fileName: expect.stringMatching(/^[0-9a-f]{12}_blob$/) });
			expect((await binaryBytes(item, 'heat')).equals(png)).toBe(true);
		} finally {
			await server.close();
		}
	});

	it('an empty answer and a 410 are errors, never a 0-byte file', async () => {
		const server = await startTestServer((request, response: ServerResponse) => {
			if (request.url === '/empty') {
				response.writeHead(200, { 'content-type': 'image/png' });
				response.end();
				return;
			}
			response.writeHead(410, { 'content-type': 'application/json' });
			response.end(JSON.stringify({ error: { code: 'resource_gone', message: 'This resource is no longer available.' } }));
		});
		try {
			const output = await runArchive(
				{},
				[{ json: { outputs: { a: `${server.url}/empty` } } }, { json: { outputs: { b: `${server.url}/gone` } } }],
				{ continueOnFail: true },
			);
			expect(output[0].json.error).toBe('outputs.a answered with an empty file');
			expect(output[1].json.error).toBe(`The link expired: outputs.b (${server.url}/gone)`);
			expect(output[1].json.failedUrls).toEqual([expect.objectContaining({ expired: true })]);
		} finally {
			await server.close();
		}
	});

	it('a file over Max File Size fails its item and stores nothing', async () => {
		const s = sandbox.current;
		const executionId = `archive-size-${Date.now()}`;
		const [item] = await runArchive(
			{ options: { maxFileSizeMb: 1 } },
			[{ json: { outputs: { big: `${s.url}/files/blob/2000000.bin` } } }],
			{ continueOnFail: true, executionId },
		);
		expect(item.json.error).toBe('outputs.big is larger than the limit of 1048576 bytes');
		expect(storedFiles(executionId)).toEqual([]);
	});

	it('a file of several MiB (written in pieces) lands byte-identical', async () => {
		const s = sandbox.current;
		const size = 5 * 1024 * 1024 + 7;
		const [item] = await runArchive({}, [{ json: { outputs: { blob: `${s.url}/files/blob/${size}.bin?seed=9` } } }]);
		expect(item.binary?.blob).toMatchObject({ bytes: size, mimeType: 'application/octet-stream' });
		expect((await binaryBytes(item, 'blob')).equals(blobBytes(size, 9))).toBe(true);
	});

	it('Max File Size also stops a body that does not declare its length', async () => {
		const server = await startTestServer((_request, response) => {
			response.writeHead(200, { 'content-type': 'image/png' });
			const piece = Buffer.alloc(512 * 1024, 1);
			response.write(piece);
			response.write(piece);
			response.end(piece);
		});
		try {
			const executionId = `archive-chunked-${Date.now()}`;
			const [item] = await runArchive(
				{ options: { maxFileSizeMb: 1 } },
				[{ json: { outputs: { big: `${server.url}/big.png` } } }],
				{ continueOnFail: true, executionId },
			);
			expect(item.json.error).toBe('outputs.big is larger than the limit of 1048576 bytes');
			expect(storedFiles(executionId)).toEqual([]);
		} finally {
			await server.close();
		}
	});

	it('a download that resets mid-body is retried ("Retries"), and with no retries left fails clearly', async () => {
		const s = sandbox.current;
		const url = `${s.url}/files/blob/500000.bin?seed=3`;
		s.setFaults([{ match: { provider: 'files' }, times: 1, fault: { type: 'reset', afterBytes: 100_000 } }]);
		const [item] = await runArchive({}, [{ json: { outputs: { blob: url } } }]);
		expect((await binaryBytes(item, 'blob')).equals(blobBytes(500_000, 3))).toBe(true);

		s.setFaults([{ match: { provider: 'files' }, fault: { type: 'reset', afterBytes: 100_000 } }]);
		const executionId = `archive-reset-${Date.now()}`;
		s.clearLog();
		const [failed] = await runArchive({ options: { retries: 1 } }, [{ json: { outputs: { blob: url } } }], {
			continueOnFail: true,
			executionId,
		});
		expect(failed.json.error).toMatch(/^The download of outputs\.blob broke off \((ECONNRESET|UND_ERR_SOCKET)\)$/);
		expect(s.requests({ provider: 'files' })).toHaveLength(2);
		expect(storedFiles(executionId)).toEqual([]);
	});

	it('Allowed Hosts: links elsewhere are left alone, with a warning hint', async () => {
		const s = sandbox.current;
		s.clearLog();
		const input = [{ json: { outputs: { map: `${s.url}/files/design.png` } } }];
		const { output, hints } = await runArchiveWithHints({ options: { allowedHosts: '*.amazonaws.com' } }, input);
		expect(output[0]).toEqual({ ...input[0], pairedItem: { item: 0 } });
		expect(s.requests()).toHaveLength(0);
		expect(hints).toContainEqual({
			message: `Links on hosts that are not in "Allowed Hosts" were left alone: ${new URL(s.url).host}`,
			type: 'warning',
			location: 'outputPane',
		});
		const [allowed] = await runArchive({ options: { allowedHosts: '127.0.0.1' } }, input);
		expect(Object.keys(allowed.binary ?? {})).toEqual(['map']);
	});

	it('downloads across items never exceed Concurrency at once', async () => {
		let inFlight = 0;
		let peak = 0;
		const server = await startTestServer((_request, response) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			setTimeout(() => {
				response.writeHead(200, { 'content-type': 'image/png' });
				response.end(designPng(4, 4), () => inFlight--);
			}, 20);
		});
		try {
			const input = Array.from({ length: 12 }, (_, index) => ({
				json: { outputs: { a: `${server.url}/${index}/a`, b: `${server.url}/${index}/b` } },
			}));
			const output = await runArchive({ options: { concurrency: 3 } }, input);
			expect(output).toHaveLength(12);
			expect(output.every((item) => item.binary?.a && item.binary?.b)).toBe(true);
			expect(server.seen).toHaveLength(24);
			expect(peak).toBe(3);
		} finally {
			await server.close();
		}
	});
});
