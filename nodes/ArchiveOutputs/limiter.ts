/**
 * At most `limit` tasks at once, shared by every item of an execution: the downloads of all
 * items together respect the node's Concurrency, however the URLs are spread over items.
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
	const max = Math.max(1, Math.floor(limit) || 1);
	let running = 0;
	const waiting: Array<() => void> = [];
	return async <T>(task: () => Promise<T>): Promise<T> => {
		// A finishing task hands its slot straight to the next waiter, so the count never overshoots.
		if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
		else running++;
		try {
			return await task();
		} finally {
			const next = waiting.shift();
			if (next) next();
			else running--;
		}
	};
}
