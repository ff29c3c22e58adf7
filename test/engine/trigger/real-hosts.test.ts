/**
 * The Visual AI Trigger's map downloads against what storage hosts do (issue 13): maps served
 * gzip-encoded (as S3 serves objects stored that way) land decoded, as PNG files.
 */
import { binaryBytes } from '../../helpers/engine';
import { useSandbox } from '../../helpers/sandbox';
import { served } from '../eyequant/helpers';
import { TriggerNode, submitAnalyses, useTempLedger } from './helpers';

useTempLedger();
const sandbox = useSandbox({ hourMs: 600_000, eyeQuantProcessingMs: 50 });

describe('Visual AI Trigger — maps from real hosts', () => {
	it('maps served with Content-Encoding: gzip are emitted decoded, byte-identical to the plain PNGs', async () => {
		const s = sandbox.current;
		const ids = await submitAnalyses(s, 2);
		s.setFaults([{ match: { path: '/s3/' }, fault: { type: 'encoding', coding: 'gzip' } }]);
		const node = new TriggerNode(() => s, { nodeId: 'gzip-maps' });
		await node.pollUntil(() => node.emitted.length >= 2);
		expect(node.jobIds().sort()).toEqual([...ids].sort());
		expect(s.requests({ provider: 's3' }).length).toBeGreaterThanOrEqual(2);
		expect(s.requests({ provider: 's3' }).every((entry) => entry.fault === 'encoding')).toBe(true);
		s.clearFaults();
		for (const item of node.emitted) {
			expect(item.binary?.attentionMap).toMatchObject({ mimeType: 'image/png', fileExtension: 'png' });
			expect((await binaryBytes(item, 'attentionMap')).equals(await served(item.json.attentionMap as string))).toBe(true);
		}
	});
});
