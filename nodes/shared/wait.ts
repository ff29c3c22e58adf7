import { NodeOperationError, sleep } from 'n8n-workflow';

import type { RequestContext } from './http/client';

export interface WaitOptions {
	/** What is being waited for, for messages: "EyeQuant analysis abc123". */
	what: string;
	intervalMs: number;
	timeoutMs: number;
	itemIndex?: number;
}

/**
 * Calls `check` until it reports done, sleeping `intervalMs` between calls (cancellable), and
 * fails with a clear message once `timeoutMs` has passed without an answer.
 */
export async function waitUntilDone<T>(
	context: RequestContext,
	options: WaitOptions,
	check: () => Promise<{ done: boolean; value: T }>,
): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	const signal = context.getExecutionCancelSignal?.();
	for (;;) {
		const result = await check();
		if (result.done) return result.value;
		const left = deadline - Date.now();
		if (left <= 0) {
			throw new NodeOperationError(
				context.getNode(),
				`${options.what} was still not finished after ${describeSeconds(options.timeoutMs)}`,
				{
					itemIndex: options.itemIndex,
					description:
						'Raise "Timeout" to wait longer. For long jobs, submit them here and let the Visual AI Trigger emit them when they finish.',
				},
			);
		}
		try {
			await sleep(Math.min(options.intervalMs, left), signal);
		} catch {
			throw new NodeOperationError(context.getNode(), `Stopped waiting for ${options.what}: the execution was cancelled`, {
				itemIndex: options.itemIndex,
			});
		}
	}
}

function describeSeconds(ms: number): string {
	const seconds = ms / 1000;
	return `${seconds < 10 ? Number(seconds.toFixed(1)) : Math.round(seconds)} s`;
}
