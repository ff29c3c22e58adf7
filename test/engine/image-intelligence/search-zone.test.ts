import { useSandbox } from '../../helpers/sandbox';
import { runII } from './helpers';

const sandbox = useSandbox({ imageIntelligenceProcessingMs: 20 });

describe('Search dates in the workflow\'s time zone (issue 13)', () => {
	it('Created After "04/11/2023 14:30" in a Europe/Athens workflow asks for 11:30 UTC, not the server zone\'s reading', async () => {
		const s = sandbox.current;
		s.clearLog();
		await runII(s, { resource: 'ask', operation: 'search', returnAll: true, filters: { createdAfter: '04/11/2023 14:30', createdBefore: '2023-04-11 18:00' } }, [{ json: {} }], {
			timezone: 'Europe/Athens',
		});
		const [search] = s.requests({ method: 'GET', pathPrefix: '/imageintelligence/v2/ask' });
		expect(search.query).toMatchObject({ after: String(Date.UTC(2023, 3, 11, 11, 30)), before: String(Date.UTC(2023, 3, 11, 15)) });
	});
});
