import type { BinaryHelperFunctions, ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RequestContext } from '../../shared/http/client';
import type { RetrySettings } from '../../shared/http/retry';
import type { LedgerProvider } from '../../shared/ledger';
import type { TriggerOptions } from '../options';

/** What a provider needs from the poll: credentials, HTTP (cancelled at the poll's deadline), binary data. */
export interface WorkContext extends RequestContext {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string, itemIndex?: number): Promise<T>;
	helpers: Pick<BinaryHelperFunctions, 'prepareBinaryData'>;
}

/** A job as the provider reports it right now. */
export interface JobSnapshot {
	/** `finished`: a result (EyeQuant `success`, Pique `completed`); `failed`: the provider's failure; else still running. */
	state: 'pending' | 'finished' | 'failed';
	/** The provider's own status word. */
	status: string;
	/** When the provider says the job finished, if it says (Pique's `timestamp`). */
	finishedAt?: number;
	/**
	 * The output item's fields from the provider's answer (flattened, `raw` included) and, when
	 * asked, its outputs as binary. Throws when an output could not be downloaded for a reason that
	 * may pass (the job is tried again next poll); outputs that expired are reported in the item.
	 */
	toItem(): Promise<{ json: IDataObject; binary?: INodeExecutionData['binary'] }>;
}

export interface ProviderSession {
	/** The ledger's account id of the credential (a hash, never the key). */
	account: string;
	check(jobId: string): Promise<JobSnapshot>;
}

export interface TriggerProvider {
	id: LedgerProvider;
	/** The provider's name in messages. */
	label: string;
	/** What one job is called in messages: "analysis", "evaluation". */
	jobNoun: string;
	/** What an item says about a job the provider deleted before the trigger saw it finish. */
	goneMessage: string;
	/** Where users submit or record jobs, for hints. */
	submitHint: string;
	connect(context: WorkContext, options: TriggerOptions, retry: Partial<RetrySettings>): Promise<ProviderSession>;
	/** Fields an expired job's item carries besides the common ones (e.g. EyeQuant's `screenshotId`). */
	idFields(jobId: string): IDataObject;
}
