/**
 * What each example workflow must produce inside the real n8n: the fields and binary properties its
 * nodes promise, the bytes that landed in n8n's binary store, and the calls the sandbox saw.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import type { Sandbox } from '../../sandbox/server.ts';
import { isJpeg, isPng, readBinary, sha256 } from '../../scripts/lib/binaries.ts';
import { nodeItems } from '../../scripts/lib/n8n.ts';
import type { Execution, Item } from '../../scripts/lib/n8n.ts';

export interface CheckContext {
	execution: Execution;
	sandbox: Sandbox;
	userFolder: string;
	/** The size the sandbox makes every EyeQuant map (the e2e sets it, so sizes are exact). */
	mapBytes: number;
}

export type Check = (context: CheckContext) => Promise<void>;

/** Every example that runs with `n8n execute`, by workflow id. A new example needs its check here. */
export const CHECKS: Record<string, Check> = {
	vaiExample1EyeQt: checkEyeQuantArchive,
	vaiExample3Pique: checkPique,
	vaiExample4ImgIn: checkImageIntelligence,
	vaiExample5Forge: checkImageForge,
};

export const EYEQUANT_MAPS = ['attentionMap', 'hotspotsMap', 'clarityMap', 'excitingnessMap'] as const;

function only(items: Item[], what: string): Item {
	assert.equal(items.length, 1, `${what}: expected one item, got ${items.length}`);
	return items[0];
}

function assertScore(value: unknown, what: string): void {
	assert.equal(typeof value, 'number', `${what} should be a number, got ${JSON.stringify(value)}`);
	assert.ok((value as number) >= 0 && (value as number) <= 100, `${what} ${String(value)} should be 0–100`);
}

async function served(url: string): Promise<Buffer> {
	const response = await fetch(url);
	assert.equal(response.status, 200, `GET ${new URL(url).pathname} from the sandbox`);
	return Buffer.from(await response.arrayBuffer());
}

/** The archived maps are the sandbox's files, byte for byte, each downloaded once, no Authorization. */
export async function assertArchivedMaps(context: CheckContext, item: Item, urlsFrom: Record<string, unknown>): Promise<void> {
	for (const name of EYEQUANT_MAPS) {
		const ref = item.binary?.[name];
		assert.ok(ref, `binary property "${name}" is missing; the item has ${Object.keys(item.binary ?? {}).join(', ') || 'no binary'}`);
		assert.equal(ref.mimeType, 'image/png', `${name} mime type`);
		const bytes = readBinary(context.userFolder, ref);
		assert.ok(isPng(bytes), `${name} is not a PNG`);
		assert.equal(bytes.length, context.mapBytes, `${name} size in n8n's binary store`);
		const url = urlsFrom[name];
		assert.equal(typeof url, 'string', `${name}: the map URL field is kept next to the binary`);
		const original = await served(url as string);
		assert.equal(sha256(bytes), sha256(original), `${name} differs from the file the sandbox served`);
	}
}

async function checkEyeQuantArchive(context: CheckContext): Promise<void> {
	const { execution, sandbox } = context;
	const created = only(nodeItems(execution, 'Score the design'), 'Score the design');
	const screenshotId = created.json.screenshotId;
	assert.match(String(screenshotId), /^[0-9a-f]{24}$/, 'Create returns the screenshot id');

	const scored = only(nodeItems(execution, 'Wait for the scores'), 'Wait for the scores');
	assert.equal(scored.json.status, 'success');
	assert.equal(scored.json.screenshotId, screenshotId);
	assert.equal(typeof scored.json.analysisId, 'string', 'analysisId once the analysis succeeded');
	assertScore(scored.json.clarityScore, 'clarityScore');
	assertScore(scored.json.excitingnessScore, 'excitingnessScore');
	assert.equal(scored.binary, undefined, 'Download Outputs is off in this example: the archive node downloads');

	const archived = only(nodeItems(execution, 'Archive the maps'), 'Archive the maps');
	assert.equal(archived.json.clarityScore, scored.json.clarityScore, 'the archive node keeps the item fields');
	const mapRequests = sandbox.requests({ method: 'GET', pathPrefix: `/s3/eyequant-maps/${String(screenshotId)}/` });
	assert.deepEqual(
		mapRequests.map((entry) => entry.status),
		EYEQUANT_MAPS.map(() => 200),
		'each map downloaded once, and answered 200 (the sandbox refuses a request that carries Authorization)',
	);
	await assertArchivedMaps(context, archived, archived.json);
	assertInLedger(context.userFolder, 'eyeQuant', String(screenshotId));
}

/** Create registered the job with the ledger inside n8n (node:sqlite, in the n8n user folder). */
export function assertInLedger(userFolder: string, provider: string, jobId: string): void {
	const file = path.join(userFolder, '.n8n', 'visual-ai-ledger.sqlite');
	assert.ok(existsSync(file), `no job ledger at ${file}`);
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const row = db.prepare('SELECT state FROM jobs WHERE provider = ? AND job_id = ?').get(provider, jobId);
		assert.ok(row, `the ledger has no ${provider} job ${jobId}`);
	} finally {
		db.close();
	}
}

async function checkPique(context: CheckContext): Promise<void> {
	const { execution, sandbox, userFolder } = context;
	const downloaded = only(nodeItems(execution, 'Download the video'), 'Download the video');
	const video = downloaded.binary?.data;
	assert.ok(video, 'HTTP Request put the video into binary "data"');
	const bytes = readBinary(userFolder, video);

	const uploaded = only(nodeItems(execution, 'Upload to the judge'), 'Upload to the judge');
	const jobId = String(uploaded.json.jobId);
	assert.match(jobId, /^[0-9a-f-]{36}$/, 'Upload returns the job id');
	assert.equal(uploaded.json.contentType, 'video');
	assert.equal(uploaded.json.fileSizeBytes, bytes.length);
	assert.ok(!JSON.stringify(uploaded.json).includes('X-Goog-Signature'), 'the signed upload URL stays out of the item');
	const received = sandbox.uploads.get(jobId);
	assert.ok(received, 'the file reached the presigned upload URL');
	assert.equal(received.sha256, sha256(bytes), 'Pique received the video byte for byte');

	const verdict = only(nodeItems(execution, 'Wait for the verdict'), 'Wait for the verdict');
	assert.equal(verdict.json.jobId, jobId);
	assert.equal(verdict.json.status, 'completed');
	assertScore(verdict.json.overallScore, 'overallScore');
	for (const field of ['hookStrengthScore', 'brandSafetyScore', 'captionPresenceScore']) assertScore(verdict.json[field], field);
	assert.equal(typeof verdict.json.passed, 'boolean');

	const [approved, sentBack] = [nodeItems(execution, 'Approve'), nodeItems(execution, 'Send back')];
	assert.equal(nodeItems(execution, 'Passed?', verdict.json.passed ? 0 : 1).length, 1, 'the verdict takes the branch it says');
	assert.equal((verdict.json.passed ? approved : sentBack).length, 1);
	assert.equal(execution.data.resultData.runData[verdict.json.passed ? 'Send back' : 'Approve'], undefined);
	assertInLedger(userFolder, 'pique', jobId);
}

async function checkImageIntelligence(context: CheckContext): Promise<void> {
	const { execution, sandbox } = context;
	const created = only(nodeItems(execution, 'Ask about the cameras'), 'Ask about the cameras');
	assert.equal(typeof created.json.jobId, 'string', 'Create returns the job id');

	const answered = only(nodeItems(execution, 'Wait for the answer'), 'Wait for the answer');
	assert.equal(answered.json.jobId, created.json.jobId);
	assert.equal(answered.json.status, 'COMPLETED_SUCCESSFULLY');
	assert.equal(answered.json.answer, 'yes', String(answered.json.summary));
	assert.equal((answered.json.chosenImage as { customId?: string } | null)?.customId, 'garage', 'the garage camera is the one chosen');
	assert.equal(answered.json.imageCount, 3);
	assert.equal(answered.json.failedImageCount, 0);

	assert.equal(nodeItems(execution, 'Is the door open?', 0).length, 1, 'the yes goes to the true branch');
	assert.equal(nodeItems(execution, 'Is the door open?', 1).length, 0, 'nothing on the false branch');
	const alert = only(nodeItems(execution, 'Alert'), 'Alert');
	assert.equal(alert.json.camera, 'garage');
	assert.equal(execution.data.resultData.runData['All clear'], undefined, '"All clear" must not run');

	assert.equal(sandbox.requests({ method: 'POST', pathPrefix: '/imageintelligence/v2/oauth/token' }).length, 1, 'one token for Create and Wait');
	assert.equal(sandbox.requests({ method: 'POST', pathPrefix: '/imageintelligence/v2/ask' }).length, 1, 'one ask job for the three images');
}

async function checkImageForge(context: CheckContext): Promise<void> {
	const { execution, sandbox, userFolder } = context;
	const uploaded = nodeItems(execution, 'Upload to Image Forge');
	assert.equal(uploaded.length, 3, 'one item per uploaded image');
	const sessionIds = new Set(uploaded.map((item) => item.json.sessionId));
	assert.equal(sessionIds.size, 1, 'the three images share one session');

	const results = nodeItems(execution, 'Write SEO metadata');
	assert.equal(results.length, 3, 'one item per image out of Analyze');
	assert.deepEqual(
		results.map((item) => item.json.imageId),
		uploaded.map((item) => item.json.imageId),
		'results come out in upload order, one per image',
	);
	for (const [index, item] of results.entries()) {
		for (const field of ['title', 'alt', 'caption', 'description', 'filename']) {
			assert.equal(typeof item.json[field], 'string', `image ${index}: ${field}`);
			assert.ok((item.json[field] as string).length > 0, `image ${index}: ${field} is empty`);
		}
		assert.ok(Array.isArray(item.json.seoTags) && item.json.seoTags.length > 0, `image ${index}: seoTags`);
		const data = item.binary?.data;
		assert.ok(data, `image ${index}: the uploaded image stays on the item (Keep Binary)`);
		const bytes = readBinary(userFolder, data);
		assert.ok(index === 1 ? isJpeg(bytes) : isPng(bytes), `image ${index}: the bytes are the downloaded image`);
	}
	assert.equal(sandbox.requests({ method: 'POST', pathPrefix: '/imageforge/v1/sessions/upload' }).length, 1, 'one upload request');
	const analyses = sandbox.requests({ method: 'POST', provider: 'imageForge' }).filter((entry) => entry.path.endsWith('/analyze'));
	assert.equal(analyses.length, 1, 'one streamed analyze request for the session');
}
