import { ImageForge } from '../../../nodes/ImageForge/ImageForge.node';
import { runNode } from '../../helpers/engine';
import { sendJson, startTestServer } from '../../helpers/http-server';

/**
 * Stream faults the sandbox cannot produce (its faults leave SSE payloads intact): a server on
 * 127.0.0.1 that answers the analyze call with a broken event stream, read by the real node.
 */
type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
afterEach(async () => await server?.close());

const IMAGES = ['img_a', 'img_b', 'img_c'].map((imageId, index) => ({
	json: { sessionId: 'sess_1', imageId, uploadPath: `uploads/${imageId}.png`, originalFilename: `photo-${index + 1}.png` },
}));
const METADATA = { title: 'T', alt: 'A', caption: 'C', description: 'D', filename: 'f', seoTags: ['x'] };

async function analyze(stream: string, contentType = 'text/event-stream') {
	server = await startTestServer((_request, response) => {
		response.writeHead(200, { 'content-type': contentType });
		response.end(stream);
	});
	return await runNode(new ImageForge(), {
		parameters: { resource: 'image', operation: 'analyze' },
		credentials: { imageForgeApi: { apiKey: 'sk-unit-test-key', baseUrl: `${server.url}/forge` } },
		input: IMAGES,
		continueOnFail: true,
	});
}

describe('Image → Analyze against a malformed stream', () => {
	it('a result it cannot read fails only that image, naming the field; an unreadable event is reported on the images it left without a result', async () => {
		const [output] = await analyze(
			[
				`event: result\ndata: ${JSON.stringify({ imageId: 'img_a', metadata: METADATA })}\n\n`,
				`event: result\ndata: ${JSON.stringify({ imageId: 'img_b', metadata: { ...METADATA, title: 7 } })}\n\n`,
				'event: result\ndata: {"imageId": "img_c", "metadata": {\n\n',
				'event: complete\ndata: {"status":"completed","processed":1,"total":3}\n\n',
			].join(''),
		);
		expect(server.seen[0].url).toBe('/forge/v1/sessions/sess_1/analyze');
		expect(JSON.parse(server.seen[0].body)).toEqual({
			sessionId: 'sess_1',
			images: IMAGES.map(({ json }) => ({ id: json.imageId, uploadPath: json.uploadPath, originalFilename: json.originalFilename })),
		});
		expect(output[0].json.title).toBe('T');
		expect(output[1].json.error).toBe(
			'Image Forge sent a metadata result for "photo-2.png" (image img_b) that this node does not understand: `metadata.title`: Invalid input: expected string, received number',
		);
		expect(output[2].json.error).toBe(
			'No metadata result for "photo-3.png" (image img_c): Image Forge said it was complete without sending a result for it. 1 of 3 images got no metadata result: photo-3.png (img_c)',
		);
		expect(output[2].json.errorDescription).toContain('Image Forge also sent 1 event(s) that were not JSON');
	});

	it('an answer that is not an event stream is a clear error for every image', async () => {
		const [output] = await analyze('{"ok":true}', 'application/json');
		for (const item of output) {
			expect(item.json.error).toBe('Image Forge answered with application/json instead of an event stream');
			expect(item.json.errorDescription).toContain('started with: {"ok":true}');
		}
	});

	it('an error event without an image fails every image that got no result, with the provider\'s words', async () => {
		const [output] = await analyze(
			`event: result\ndata: ${JSON.stringify({ imageId: 'img_a', metadata: METADATA })}\n\nevent: error\ndata: {"error":"Worker crashed"}\n\n`,
		);
		expect(output[0].json.title).toBe('T');
		expect(output[1].json.error).toBe(
			'No metadata result for "photo-2.png" (image img_b): Image Forge reported an error for the whole request: Worker crashed. 2 of 3 images got no metadata result: photo-2.png (img_b), photo-3.png (img_c)',
		);
		expect(output[2].json.error).toContain('(image img_c): Image Forge reported an error for the whole request');
	});

	it('a stream cut in the middle of an event says so', async () => {
		const [output] = await analyze(`event: result\ndata: ${JSON.stringify({ imageId: 'img_a', metadata: METADATA })}\n\nevent: result\ndata: {"imageId":"img_b"`);
		expect(output[1].json.error).toContain('the stream ended in the middle of an event, before Image Forge sent "complete"');
	});

	it('the key never reaches an error item', async () => {
		server = await startTestServer((_request, response) => sendJson(response, 500, { error: 'Key sk-unit-test-key failed' }));
		const [output] = await runNode(new ImageForge(), {
			parameters: { resource: 'image', operation: 'analyze' },
			credentials: { imageForgeApi: { apiKey: 'sk-unit-test-key', baseUrl: server.url } },
			input: IMAGES,
			continueOnFail: true,
		});
		expect(output[0].json.error).toBe('Image Forge error 500: Key *** failed');
		expect(JSON.stringify(output)).not.toContain('sk-unit-test-key');
	});
});
