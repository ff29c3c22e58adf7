/** Image Intelligence → Ask → Create with Wait for the Result → Poll Until Done: one call creates, waits, and returns the answer. */
import { useSandbox } from '../../helpers/sandbox';
import { askUrls, runII } from './helpers';

const sandbox = useSandbox({ imageIntelligenceProcessingMs: 60 });

it('returns the finished answer (yes/no and the chosen image) in the same call, per item and as one job for all items', async () => {
	const s = sandbox.current;
	const parameters = askUrls('Is anyone at the door?', [`${s.url}/files/design.png?answer=yes`, `${s.url}/files/design.jpg?answer=no`], {
		waitMode: 'poll',
		pollInterval: 0.02,
	});
	s.clearLog();
	const [done] = await runII(s, parameters);
	expect(done.json).toMatchObject({ status: expect.any(String), finished: true, answer: 'yes', imageCount: 2 });
	expect(s.requests({ provider: 'imageIntelligence', method: 'POST' }).filter((entry) => entry.path.endsWith('/ask'))).toHaveLength(1);
	const batch = await runII(s, { ...parameters, jobGrouping: 'allItems' }, [{ json: {} }, { json: {} }]);
	expect(batch).toHaveLength(1);
	expect(batch[0].json).toMatchObject({ finished: true, answer: 'yes' });
	// Without it, Create returns the job as created.
	const [quick] = await runII(s, askUrls('Is anyone at the door?', [`${s.url}/files/design.png?answer=yes`]));
	expect(quick.json.finished).toBe(false);
});
