import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { downloadToBinary, isExpiredLinkError } from '../shared/download';
import { itemJobKey, jobFileBaseName } from '../shared/file-names';
import { apiError } from '../shared/http/errors';
import { redactUrl } from '../shared/http/redact';
import { planUrls, withoutPaths } from './find-urls';
import type { FoundUrl, UrlPlan, UrlSource } from './find-urls';

export interface ArchiveSettings {
	source: UrlSource;
	allowedHosts: string[];
	keepUrlFields: boolean;
	/** Undefined: no limit. */
	maxBytes?: number;
	timeoutMs: number;
	/** Attempts per URL, for the request and for a body that breaks off. */
	tries: number;
}

export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export interface ArchivedItem {
	item: INodeExecutionData;
	plan: UrlPlan;
}

interface Failure {
	found: FoundUrl;
	error: NodeError;
}

/**
 * Downloads every URL of one item into binary properties named after where the URL was, each
 * file named by the pack's one rule (`jobFileBaseName`: `<job id>_<property>`, unique per job). An
 * item without URLs comes back unchanged. Failed downloads fail the item; with Continue On
 * Fail the item keeps everything that did land and lists what did not in `failedUrls`.
 */
export async function archiveItem(
	context: IExecuteFunctions,
	itemIndex: number,
	input: INodeExecutionData,
	settings: ArchiveSettings,
	limit: Limit,
): Promise<ArchivedItem> {
	const plan = planUrls(input.json, settings.source, settings.allowedHosts);
	if (plan.notUrls.length > 0) {
		const [first] = plan.notUrls;
		throw new NodeOperationError(context.getNode(), `The field ${first.label} does not hold an http(s) URL`, {
			itemIndex,
			description: `It holds "${first.value}". List only fields whose value is a link (or an object or list of links) under "Fields".`,
		});
	}
	if (plan.urls.length === 0) return { item: unchanged(input), plan };

	const settled = await Promise.allSettled(
		plan.urls.map(
			async (found) =>
				await limit(
					async () =>
						await downloadToBinary(context, found.url, {
							baseName: jobFileBaseName(itemJobKey(input.json, found.url), found.name),
							source: found.label,
							maxBytes: settings.maxBytes,
							timeoutMs: settings.timeoutMs,
							tries: settings.tries,
							allowedHosts: settings.allowedHosts,
							itemIndex,
						}),
				),
		),
	);
	const binary: IBinaryKeyData = { ...(input.binary ?? {}) };
	const archived: FoundUrl[] = [];
	const failures: Failure[] = [];
	settled.forEach((result, index) => {
		const found = plan.urls[index];
		if (result.status === 'fulfilled') {
			binary[found.name] = result.value;
			archived.push(found);
		} else {
			failures.push({ found, error: asNodeError(context, result.reason, itemIndex) });
		}
	});

	const json = settings.keepUrlFields ? input.json : withoutPaths(input.json, archived.flatMap((found) => found.paths));
	if (failures.length === 0) return { item: { json, binary }, plan };

	const error = combinedError(context, failures, plan.urls.length, itemIndex);
	if (!context.continueOnFail()) throw error;
	const failedUrls: IDataObject[] = failures.map(({ found, error: cause }) => ({
		field: found.label,
		url: redactUrl(found.url),
		expired: isExpiredLinkError(cause),
		error: cause.message,
	}));
	return {
		item: {
			json: { ...json, error: error.message, ...(error.description ? { errorDescription: error.description } : {}), failedUrls },
			binary,
		},
		plan,
	};
}

/** The input item as it came (no pairedItem: the runner pairs it with this input). */
function unchanged(input: INodeExecutionData): INodeExecutionData {
	return input.binary ? { json: input.json, binary: input.binary } : { json: input.json };
}

function asNodeError(context: IExecuteFunctions, reason: unknown, itemIndex: number): NodeError {
	if (reason instanceof NodeError) return reason;
	return new NodeOperationError(context.getNode(), reason instanceof Error ? reason : String(reason), { itemIndex });
}

/** The first failure's own message (e.g. "The link expired at …: outputs.x (url)"), plus how many more. */
function combinedError(context: IExecuteFunctions, failures: Failure[], total: number, itemIndex: number): NodeError {
	const [first, ...rest] = failures;
	if (rest.length === 0) {
		first.error.context.itemIndex ??= itemIndex;
		return first.error;
	}
	const message = `${first.error.message} (and ${rest.length} more of ${total} URLs: ${rest.map(({ found }) => found.label).join(', ')})`;
	return apiError(
		context.getNode(),
		{ failed: failures.map(({ found }) => found.label).join(', ') },
		{
			message,
			description: failures.map(({ found, error }) => `${found.label}: ${error.message}`).join('\n'),
			itemIndex,
		},
	);
}
