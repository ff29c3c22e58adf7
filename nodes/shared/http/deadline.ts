/** An answer that took longer than the request's timeout; `code` is `REQUEST_TIMEOUT`. */
export class RequestTimeoutError extends Error {
	readonly code = 'REQUEST_TIMEOUT';

	readonly timeoutMs: number;

	constructor(timeoutMs: number) {
		super(`no complete answer within ${timeoutMs} ms`);
		this.timeoutMs = timeoutMs;
	}
}

/**
 * The abort signal of one try: it fires `timeoutMs` after the try started, unless it only covers
 * the headers and they arrived in time.
 */
export function tryDeadline(timeoutMs: number, covers: 'headers' | 'whole'): { signal: AbortSignal; headersArrived(): void } {
	const controller = new AbortController();
	let waiting = true;
	AbortSignal.timeout(timeoutMs).addEventListener(
		'abort',
		() => {
			if (waiting || covers === 'whole') controller.abort(new RequestTimeoutError(timeoutMs));
		},
		{ once: true },
	);
	return {
		signal: controller.signal,
		headersArrived: () => {
			waiting = false;
		},
	};
}
