/**
 * Runs `task` over `inputs` with at most `limit` in flight, keeping results in input order.
 * Every task settles before this returns, so one failure never abandons the others mid-request.
 */
export async function mapSettled<T, R>(
	inputs: readonly T[],
	limit: number,
	task: (input: T, index: number) => Promise<R>,
): Promise<Array<PromiseSettledResult<R>>> {
	const results = new Array<PromiseSettledResult<R>>(inputs.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < inputs.length) {
			const index = next++;
			try {
				results[index] = { status: 'fulfilled', value: await task(inputs[index], index) };
			} catch (reason) {
				results[index] = { status: 'rejected', reason };
			}
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(limit) || 1, inputs.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
