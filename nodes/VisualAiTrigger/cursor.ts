import type { IDataObject } from 'n8n-workflow';

/**
 * The node's cursor in n8n's static data: the token of the last batch this node handed to n8n
 * (never a job list; the ledger holds the jobs). n8n commits it only together with the poll's
 * items, so the next poll can tell a hand-off n8n took (token present) from one it dropped.
 */
export interface TriggerCursor {
	batch?: string;
	seq?: number;
}

export function readCursor(staticData: IDataObject): TriggerCursor {
	return {
		batch: typeof staticData.ledgerBatch === 'string' && staticData.ledgerBatch ? staticData.ledgerBatch : undefined,
		seq: typeof staticData.ledgerSeq === 'number' ? staticData.ledgerSeq : undefined,
	};
}

/** Call last, just before returning the items: n8n must not see a token whose items it did not get. */
export function writeCursor(staticData: IDataObject, cursor: Required<TriggerCursor>): void {
	staticData.ledgerBatch = cursor.batch;
	staticData.ledgerSeq = cursor.seq;
}
