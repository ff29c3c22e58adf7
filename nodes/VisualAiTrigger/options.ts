import type { INodeProperties, IPollFunctions } from 'n8n-workflow';

import type { LedgerProvider } from '../shared/ledger';

export interface TriggerOptions {
	includeFailed: boolean;
	downloadOutputs: boolean;
	maxJobsPerPoll: number;
	concurrency: number;
	/** 0 = never give up. */
	giveUpAfterHours: number;
	mapTimeoutMs: number;
}

/** Options only EyeQuant has: its maps die an hour after the analysis finished. */
const EYEQUANT_ONLY = ['downloadOutputs', 'mapTimeout'];

const allOptions: INodeProperties[] = [
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 5,
		description:
			'How many jobs are checked at the same time. Lower it if the provider answers 429 (rate limited); raise it for large backlogs.',
	},
	{
		displayName: 'Download Outputs',
		name: 'downloadOutputs',
		type: 'boolean',
		default: true,
		description:
			'Whether to put every map into the item\'s binary data (attentionMap, perceptionMap, hotspotsMap, clarityMap, excitingnessMap). EyeQuant deletes them one hour after the analysis finished.',
	},
	{
		displayName: 'Give Up After (Hours)',
		name: 'giveUpAfterHours',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 24,
		description:
			'Stop checking a job that has not finished this long after it was submitted, and report it with status "given_up" (with Include Failed). 0 = never.',
	},
	{
		displayName: 'Include Failed',
		name: 'includeFailed',
		type: 'boolean',
		default: false,
		description:
			'Whether to also emit jobs that gave no result: failed at the provider, expired before the trigger saw them finish, or given up. Off: they are recorded and skipped.',
	},
	{
		displayName: 'Map Download Timeout (Seconds)',
		name: 'mapTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long a map download may wait for the next bytes before it is retried; a map that does not arrive is tried again at the next poll',
	},
	{
		displayName: 'Max Jobs per Poll',
		name: 'maxJobsPerPoll',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 500,
		description:
			'At most this many jobs are checked in one poll (finished ones first, then those checked longest ago); the rest wait for the next poll',
	},
];

/**
 * The trigger's Options collection. For one provider (EyeQuant Trigger, Pique Trigger): only that
 * provider's options. Without one (the Visual AI Trigger, where the Provider parameter decides):
 * EyeQuant's own options shown only while Provider is EyeQuant.
 */
export function optionsProperty(provider?: LedgerProvider): INodeProperties {
	const options = allOptions
		.filter((option) => provider !== 'pique' || !EYEQUANT_ONLY.includes(option.name))
		.map((option) =>
			provider === undefined && EYEQUANT_ONLY.includes(option.name)
				? { ...option, displayOptions: { show: { '/provider': ['eyeQuant'] } } }
				: option,
		);
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options };
}

function numberOf(options: Record<string, unknown>, name: string, fallback: number, min: number): number {
	const value = options[name];
	return typeof value === 'number' && Number.isFinite(value) ? Math.max(min, value) : fallback;
}

function booleanOf(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
	const value = options[name];
	return typeof value === 'boolean' ? value : fallback;
}

/** The Options collection as numbers and flags, with the defaults the panel shows. */
export function readOptions(context: IPollFunctions, provider: LedgerProvider): TriggerOptions {
	const options = context.getNodeParameter('options', {}) as Record<string, unknown>;
	return {
		includeFailed: booleanOf(options, 'includeFailed', false),
		downloadOutputs: provider === 'eyeQuant' && booleanOf(options, 'downloadOutputs', true),
		maxJobsPerPoll: Math.floor(numberOf(options, 'maxJobsPerPoll', 500, 1)),
		concurrency: Math.floor(numberOf(options, 'concurrency', 5, 1)),
		giveUpAfterHours: numberOf(options, 'giveUpAfterHours', 24, 0),
		mapTimeoutMs: numberOf(options, 'mapTimeout', 60, 1) * 1000,
	};
}

/**
 * How long a hand-off to n8n may stay unconfirmed (n8n has not committed the node's cursor) before
 * its jobs are taken as lost and emitted again. n8n commits within moments of a poll returning;
 * only a poll n8n abandoned or discarded stays unconfirmed. Overridable for tests and tuning.
 */
export function settleMs(env: NodeJS.ProcessEnv = process.env): number {
	const seconds = Number(env.N8N_VISUAL_AI_TRIGGER_SETTLE_SECONDS);
	return Number.isFinite(seconds) && seconds >= 0 && env.N8N_VISUAL_AI_TRIGGER_SETTLE_SECONDS !== '' ? seconds * 1000 : 300_000;
}
