import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The parameter that says whether (and how) a submitting operation waits for its jobs' results. */
export const WAIT_MODE = 'waitMode';

/**
 * The values of "Wait for the Result": `none` outputs the submitted jobs at once; `poll` checks the
 * job until it finished and holds the worker meanwhile (the one an AI agent's tool call can use: it
 * needs the answer in the same call); `callback` puts the execution to wait until the provider calls
 * back (nodes/shared/webhooks/callback-wait.ts), freeing the worker.
 */
export const WAIT_MODES = { none: 'none', poll: 'poll', callback: 'callback' } as const;

export type WaitMode = (typeof WAIT_MODES)[keyof typeof WAIT_MODES];

/** What an operation's "Wait for the Result" offers, beyond No. */
export interface WaitModeChoices {
	/** The provider's name as users know it ("Pique"), for the option names and descriptions. */
	provider: string;
	/** Poll Until Done's own parameters (Poll Interval, Timeout…); each is shown only in that mode. */
	pollSettings: INodeProperties[];
	/** The "Until <provider> Calls Back" option and its own parameters (shown only in that mode), if the provider calls back. */
	callback?: { option: INodePropertyOptions; settings: INodeProperties[] };
}

/**
 * "Wait for the Result" (No | Poll Until Done | Until <provider> Calls Back) followed by each mode's
 * own parameters under display options of that mode. With a callback mode the parameter takes no
 * expression: the node decides once per execution (item 0) whether to put the execution to wait.
 */
export function waitModeParameter(choices: WaitModeChoices): INodeProperties[] {
	const { provider, pollSettings, callback } = choices;
	const shownIn = (mode: WaitMode) => (property: INodeProperties): INodeProperties => ({
		...property,
		displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, [WAIT_MODE]: [mode] } },
	});
	const options: INodePropertyOptions[] = [
		{
			name: 'No',
			value: WAIT_MODES.none,
			description: 'Output the submitted job at once; read its result later (Get, Wait for Completion, a trigger)',
		},
		{
			name: 'Poll Until Done',
			value: WAIT_MODES.poll,
			description: `Check the job until ${provider} has finished it and output the result in this one call, as Wait for Completion does. Holds the n8n worker meanwhile; the mode an AI agent's tool call can use.`,
		},
	];
	if (callback) options.push(callback.option);
	return [
		{
			displayName: 'Wait for the Result',
			name: WAIT_MODE,
			type: 'options',
			...(callback ? { noDataExpression: true } : {}),
			options,
			default: WAIT_MODES.none,
		},
		...pollSettings.map(shownIn(WAIT_MODES.poll)),
		...(callback ? callback.settings.map(shownIn(WAIT_MODES.callback)) : []),
	];
}

/** The item's "Wait for the Result" (`none` when unset or unknown). */
export function waitModeOf(context: IExecuteFunctions, itemIndex: number): WaitMode {
	const value = context.getNodeParameter(WAIT_MODE, itemIndex, WAIT_MODES.none);
	return value === WAIT_MODES.poll || value === WAIT_MODES.callback ? value : WAIT_MODES.none;
}

/** Whether the item's "Wait for the Result" is Poll Until Done. */
export function isPollMode(context: IExecuteFunctions, itemIndex: number): boolean {
	return waitModeOf(context, itemIndex) === WAIT_MODES.poll;
}
