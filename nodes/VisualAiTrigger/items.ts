import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { LedgerJob } from '../shared/ledger';
import type { JobSnapshot, TriggerProvider } from './providers/types';

function iso(ms: number | undefined): string | undefined {
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

function common(provider: TriggerProvider, job: LedgerJob, status: string, completedAt?: number): IDataObject {
	const json: IDataObject = { provider: provider.id, jobId: job.jobId, status, submittedAt: iso(job.submittedAt) };
	if (completedAt !== undefined) json.completedAt = iso(completedAt);
	return json;
}

/** A finished (or failed) job: the common fields first, then the provider's flattened result and `raw`. */
export async function resultItem(
	provider: TriggerProvider,
	job: LedgerJob,
	snapshot: JobSnapshot,
	now: number,
): Promise<INodeExecutionData> {
	const { json, binary } = await snapshot.toItem();
	const completedAt = snapshot.finishedAt ?? job.finishedAt ?? now;
	return { json: { ...common(provider, job, snapshot.status, completedAt), ...json }, ...(binary ? { binary } : {}) };
}

/** A job the provider deleted before the trigger saw it finish: the item says what is gone. */
export function expiredItem(provider: TriggerProvider, job: LedgerJob): INodeExecutionData {
	return {
		json: {
			...common(provider, job, 'expired'),
			...provider.idFields(job.jobId),
			outputsAvailable: false,
			error: provider.goneMessage,
			errorCode: 'resource_gone',
		},
	};
}

/** A job still unfinished after "Give Up After": the trigger stops checking it. */
export function givenUpItem(provider: TriggerProvider, job: LedgerJob, hours: number, lastStatus: string): INodeExecutionData {
	return {
		json: {
			...common(provider, job, 'given_up'),
			...provider.idFields(job.jobId),
			lastStatus,
			outputsAvailable: false,
			error: `This ${provider.jobNoun} had not finished ${hours} h after it was submitted (last seen: ${lastStatus}), so the trigger stopped checking it ("Give Up After")`,
		},
	};
}
