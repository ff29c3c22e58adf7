import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapSettled } from '../../../shared/concurrency';
import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { batchesBySession, metadataFromItem, passBinary, readImageRef } from '../../images';
import type { ImageRef, ItemImage, SessionBatch } from '../../images';
import { outcomeError, streamBatch } from '../../stream';
import type { ImageOutcome, StreamLimits, StreamProtocol } from '../../stream';

export interface StreamedRun<T extends { imageId: string }> {
	protocol: StreamProtocol<T>;
	/** The request body for one session batch. */
	body(batch: SessionBatch): IDataObject;
	/** The output item's fields for one image's result. */
	toJson(ref: ImageRef, value: T, raw: unknown): IDataObject;
	concurrency: number;
	keepBinary: boolean;
	/** The idle limit: longest wait for the next event (keep-alive comments do not count). */
	timeoutMs: number;
	/** Other bounds on each session's stream (defaults in `streamBatch`). */
	streamLimits?: Partial<StreamLimits>;
	/** Read the items' metadata fields (Export sends them). */
	withMetadata?: boolean;
	/** At most this many images per session, refused before any call (Sample). */
	sessionLimit?: { max: number; refusal(count: number, sessionId: string): { message: string; description: string } };
}

/**
 * Analyze, Export and Sample: items grouped by session into one streamed request per session
 * (at most 100 images each), then one output item per input item, paired to it, in input order.
 */
export async function runStreamed<T extends { imageId: string }>(
	context: IExecuteFunctions,
	client: ApiClient,
	run: StreamedRun<T>,
): Promise<ItemOutcome[]> {
	const inputs = context.getInputData();
	const outcomes: Array<ItemOutcome | undefined> = new Array(inputs.length);
	const images: ItemImage[] = [];
	for (const [itemIndex, input] of inputs.entries()) {
		try {
			const ref = readImageRef(context, itemIndex);
			images.push({ itemIndex, ref, metadata: run.withMetadata ? metadataFromItem(input.json) : undefined });
		} catch (error) {
			outcomes[itemIndex] = error as Error;
		}
	}

	// The node would fail anyway: spend no credits.
	const firstProblem = outcomes.find((outcome) => outcome instanceof Error);
	if (firstProblem && !context.continueOnFail()) throw firstProblem;

	let batches = batchesBySession(images);
	if (run.sessionLimit) batches = refuseOversizedSessions(context, batches, run.sessionLimit, outcomes);

	const settled = await mapSettled(batches, run.concurrency, async (batch) =>
		await streamBatch(context, client, batch, run.body(batch), run.protocol, run.timeoutMs, run.streamLimits),
	);
	if (context.getExecutionCancelSignal()?.aborted) {
		const reason = settled.find((result) => result.status === 'rejected')?.reason as unknown;
		throw reason instanceof Error ? reason : new NodeOperationError(context.getNode(), 'The execution was cancelled');
	}

	const refOf = new Map(images.map((image) => [image.itemIndex, image.ref]));
	for (const [index, batch] of batches.entries()) {
		const result = settled[index];
		for (const itemIndex of batch.itemIndexes) {
			const ref = refOf.get(itemIndex) as ImageRef;
			if (result.status === 'rejected') {
				outcomes[itemIndex] = result.reason as Error;
				continue;
			}
			const outcome = result.value.get(ref.imageId) as ImageOutcome<T>;
			outcomes[itemIndex] = outcome.ok
				? { json: run.toJson(ref, outcome.value, outcome.raw), ...passBinary(context, itemIndex, run.keepBinary) }
				: outcomeError(context, outcome, itemIndex, ref.imageId);
		}
	}

	return outcomes.map(
		(outcome, itemIndex) => outcome ?? new NodeOperationError(context.getNode(), 'This item was not processed', { itemIndex }),
	);
}

/** Sessions over the limit: without Continue On Fail nothing is sent at all; with it, their items fail. */
function refuseOversizedSessions(
	context: IExecuteFunctions,
	batches: SessionBatch[],
	limit: NonNullable<StreamedRun<{ imageId: string }>['sessionLimit']>,
	outcomes: Array<ItemOutcome | undefined>,
): SessionBatch[] {
	const counts = new Map<string, number>();
	for (const batch of batches) counts.set(batch.sessionId, (counts.get(batch.sessionId) ?? 0) + batch.images.length);
	const kept: SessionBatch[] = [];
	for (const batch of batches) {
		const count = counts.get(batch.sessionId) ?? 0;
		if (count <= limit.max) {
			kept.push(batch);
			continue;
		}
		const { message, description } = limit.refusal(count, batch.sessionId);
		if (!context.continueOnFail()) {
			throw new NodeOperationError(context.getNode(), message, { description, itemIndex: batch.itemIndexes[0] });
		}
		for (const itemIndex of batch.itemIndexes) {
			outcomes[itemIndex] = new NodeOperationError(context.getNode(), message, { description, itemIndex });
		}
	}
	return kept;
}
