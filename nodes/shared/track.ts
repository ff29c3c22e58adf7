import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption, optionsCollection } from './descriptions';
import type { ApiClient } from './http/client';
import { registerJobs } from './ledger';
import type { LedgerProvider } from './ledger';
import { booleanOption, idParameter, optionsOf } from './parameters';
import type { ItemOperation } from './router';

/** The client of a node whose jobs go into the job ledger: the API client and the ledger account id. */
export interface LedgerClient {
	client: ApiClient;
	/** `accountId(base URL, key)`: which credential's jobs these are, never the key itself. */
	account: string;
}

/** How Job → Track differs between EyeQuant and Pique: names, and how a job is read. */
export interface TrackSettings {
	provider: LedgerProvider;
	/** The provider's name in descriptions, e.g. "EyeQuant". */
	providerName: string;
	/** The id parameter (its `name` is read, its `displayName` names it in errors). */
	idField: INodeProperties;
	/** The id parameter's description on Track. */
	idDescription: string;
	/** The Check It Exists option's description. */
	checkDescription: string;
	/** The job as its node outputs it; throws the provider's error (404, 410…). */
	fetch(client: ApiClient, id: string, itemIndex: number): Promise<IDataObject>;
}

/**
 * Job → Track: registers a job submitted elsewhere (another workflow, a script, the provider's app)
 * with the job ledger, so the trigger emits it when it finishes; optionally checks it exists first.
 */
export function trackOperation(settings: TrackSettings): ItemOperation<LedgerClient> {
	const { idField } = settings;
	const properties: INodeProperties[] = [
		{ ...idField, description: settings.idDescription },
		optionsCollection([
			{
				displayName: 'Check It Exists',
				name: 'checkExists',
				type: 'boolean',
				default: true,
				description: settings.checkDescription,
			},
			concurrencyOption(settings.providerName),
		]),
	];
	return {
		description: updateDisplayOptions({ show: { resource: ['job'], operation: ['track'] } }, properties),
		async execute(context, itemIndex, { client, account }) {
			const id = idParameter(context, idField.name, idField.displayName, itemIndex);
			const check = booleanOption(optionsOf(context, itemIndex), 'checkExists', true);
			const job = check ? await settings.fetch(client, id, itemIndex) : { [idField.name]: id };
			await registerJobs(context, settings.provider, account, [{ jobId: id }]);
			return { json: { ...job, tracked: true } };
		},
	};
}
