/**
 * The Visual AI Trigger's cursor (its static data, nodes/VisualAiTrigger/cursor.ts) as n8n keeps
 * it: JSON in the database between polls. A node whose static data goes through
 * JSON.stringify/parse after every poll must behave exactly like one whose object stays in memory.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox/server.ts';
import { pollOnce, submitAnalyses, useTempLedger } from '../engine/trigger/helpers';
import type { RequestShape } from './helpers';
import { requestsMadeBy, useRecordingSandbox } from './helpers';

useTempLedger();
const sandbox = useRecordingSandbox();

/** One poll of a trigger node and the EyeQuant requests it made (map downloads left out). */
async function poll(s: Sandbox, nodeId: string, staticData: IDataObject): Promise<{ jobIds: string[] | null; requests: RequestShape[] }> {
	let items: INodeExecutionData[] | null = null;
	const requests = await requestsMadeBy(
		s,
		async () => {
			items = await pollOnce(s, { nodeId }, staticData);
		},
		(entry) => entry.provider === 's3',
	);
	const emitted = items as INodeExecutionData[] | null;
	return { jobIds: emitted ? emitted.map((item) => String(item.json.jobId)).sort() : null, requests };
}

const gets = (ids: string[]): RequestShape[] => [...ids].sort().map((id) => ({ method: 'GET', path: `/analyses/${id}` }));
const sortedRequests = (requests: RequestShape[]) => [...requests].sort((a, b) => a.path.localeCompare(b.path));

describe('Visual AI Trigger cursor round trip', () => {
	it('the static data survives JSON.stringify/parse, and the following polls behave as with the object kept in memory', async () => {
		const s = sandbox.current;
		const inMemory: IDataObject = {};
		let stored = JSON.stringify({});

		const first = await submitAnalyses(s, 2);
		const memoryFirst = await poll(s, 'in-memory', inMemory);
		const storedData = JSON.parse(stored) as IDataObject;
		const storedFirst = await poll(s, 'stored', storedData);
		stored = JSON.stringify(storedData);
		expect(memoryFirst.jobIds).toEqual([...first].sort());
		expect(storedFirst.jobIds).toEqual([...first].sort());
		expect(sortedRequests(storedFirst.requests)).toEqual(gets(first));

		// What the cursor is: a batch token and a sequence number, nothing JSON would change.
		const cursor = (JSON.parse(stored) as Record<string, IDataObject>)['node:Visual AI Trigger'];
		expect(cursor).toEqual({ ledgerBatch: expect.any(String), ledgerSeq: expect.any(Number) });
		expect(JSON.parse(JSON.stringify(inMemory))).toEqual(inMemory);
		expect(JSON.parse(stored)).toEqual(storedData);

		// The next poll confirms the hand-off from the cursor it reads back: only the new job.
		const second = await submitAnalyses(s, 1);
		const memorySecond = await poll(s, 'in-memory', inMemory);
		const storedSecondData = JSON.parse(stored) as IDataObject;
		const storedSecond = await poll(s, 'stored', storedSecondData);
		stored = JSON.stringify(storedSecondData);
		expect(memorySecond).toEqual({ jobIds: second, requests: gets(second) });
		expect(storedSecond).toEqual(memorySecond);

		// Everything delivered: neither node asks EyeQuant anything or emits anything.
		const memoryThird = await poll(s, 'in-memory', inMemory);
		const storedThird = await poll(s, 'stored', JSON.parse(stored) as IDataObject);
		expect(memoryThird).toEqual({ jobIds: null, requests: [] });
		expect(storedThird).toEqual(memoryThird);
	});
});
