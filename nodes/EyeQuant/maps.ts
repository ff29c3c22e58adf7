import type { IBinaryKeyData } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { mapSettled } from '../shared/concurrency';
import { downloadToBinary, isExpiredLinkError } from '../shared/download';
import type { DownloadContext } from '../shared/download';
import { apiError } from '../shared/http/errors';
import { redactUrl } from '../shared/http/redact';
import { flattenAnalysis, mapUrls } from './flatten';
import type { FlatAnalysis, MapName } from './flatten';
import type { EyeQuantAnalysis } from './schemas';
import { jobFileBaseName } from '../shared/file-names';

export interface MapDownloadOptions {
	itemIndex?: number;
	/** Idle timeout of each download. */
	timeoutMs?: number;
	maxBytes?: number;
	/** Attempts per map, for the request and a body that breaks off. Default 3. */
	tries?: number;
	/** Maps downloaded at once. Default 5 (an analysis has at most five). */
	concurrency?: number;
}

export interface MapDownloadFailure {
	map: MapName;
	/** The map URL without its query string. */
	displayUrl: string;
	/** The presigned link had expired (EyeQuant's one hour). */
	expired: boolean;
	error: NodeError;
}

export interface MapDownloads {
	/** The maps that landed, under `attentionMap`, `perceptionMap`, `hotspotsMap`, `clarityMap`, `excitingnessMap`. */
	binary: IBinaryKeyData;
	failures: MapDownloadFailure[];
}

/**
 * Streams every map of a successful analysis into n8n binary data, a few at a time. One map that
 * fails (expired, broke off) does not stop the others: the caller gets what landed and what did
 * not, and decides (see `mapDownloadError`). File names follow the pack's one rule (`jobFileBaseName`): `<screenshotId>_<map>.png`.
 */
export async function downloadAnalysisMaps(
	context: DownloadContext,
	analysis: EyeQuantAnalysis | FlatAnalysis,
	options: MapDownloadOptions = {},
): Promise<MapDownloads> {
	const flat = isFlat(analysis) ? analysis : flattenAnalysis(analysis);
	const maps = mapUrls(flat);
	const settled = await mapSettled(maps, options.concurrency ?? 5, async ({ name, url }) =>
		await downloadToBinary(context, url, {
			baseName: jobFileBaseName(flat.screenshotId, name),
			source: `EyeQuant ${name}`,
			maxBytes: options.maxBytes,
			timeoutMs: options.timeoutMs,
			tries: options.tries ?? 3,
			itemIndex: options.itemIndex,
		}),
	);
	const binary: IBinaryKeyData = {};
	const failures: MapDownloadFailure[] = [];
	for (const [index, result] of settled.entries()) {
		const { name, url } = maps[index];
		if (result.status === 'fulfilled') {
			binary[name] = result.value;
			continue;
		}
		const error =
			result.reason instanceof NodeError
				? result.reason
				: new NodeOperationError(context.getNode(), result.reason instanceof Error ? result.reason : String(result.reason), {
						itemIndex: options.itemIndex,
					});
		failures.push({ map: name, displayUrl: redactUrl(url), expired: isExpiredLinkError(error), error });
	}
	return { binary, failures };
}

function isFlat(analysis: EyeQuantAnalysis | FlatAnalysis): analysis is FlatAnalysis {
	return typeof analysis.screenshotId === 'string' && typeof analysis.raw === 'object';
}

/** One error for the maps that could not be downloaded, naming each and saying why. */
export function mapDownloadError(
	context: DownloadContext,
	flat: FlatAnalysis,
	failures: MapDownloadFailure[],
	itemIndex?: number,
): NodeError {
	if (failures.length === 1) {
		const error = failures[0].error;
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	const expired = failures.every((failure) => failure.expired);
	const names = failures.map((failure) => failure.map).join(', ');
	const message = expired
		? `The links of ${failures.length} EyeQuant maps expired (${names}) before they could be downloaded`
		: `${failures.length} EyeQuant maps could not be downloaded (${names})`;
	return apiError(
		context.getNode(),
		{ screenshotId: flat.screenshotId, maps: names },
		{
			message,
			description: failures.map((failure) => `${failure.map}: ${failure.error.message}`).join(' — '),
			itemIndex,
		},
	);
}
