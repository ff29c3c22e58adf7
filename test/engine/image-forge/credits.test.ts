import { designPng } from '../../../sandbox/fixtures.ts';
import { useSandbox } from '../../helpers/sandbox';
import { KEYS, binaryItems, json, pngFiles, runForge } from './helpers';

const sandbox = useSandbox({ imageForgeMsPerImage: 2, imageForgeCredits: 50 });
const checks = () => sandbox.current.requests({ method: 'POST', pathPrefix: '/imageforge/v1/credits/check' });

const BALANCE = { resource: 'credits', operation: 'balance' };
const CHECK = { resource: 'credits', operation: 'check' };

beforeEach(() => {
	sandbox.current.clearLog();
	sandbox.current.clearFaults();
	sandbox.current.configure({ imageForgeCredits: 50 });
});

describe('Credits → Get Balance', () => {
	it('outputs the balance and plan', async () => {
		const output = await runForge(BALANCE, { sandbox: sandbox.current });
		expect(json(output)).toEqual([{ balance: 50, planName: 'Sandbox', userId: expect.any(String), raw: expect.objectContaining({ balance: 50 }) }]);
	});
});

describe('Credits → Check', () => {
	it('checks once for the batch (one image per item) and passes every item through with sufficient: true', async () => {
		const input = await binaryItems(pngFiles(3));
		const output = await runForge(CHECK, { sandbox: sandbox.current, input });
		expect(checks()).toHaveLength(1);
		expect(json(output)).toEqual(
			[0, 1, 2].map((index) => ({ index, sufficient: true, balance: 50, cost: 3, action: 'analyze', imageCount: 3 })),
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		// The items keep their files, so Session → Upload can follow the IF node.
		expect(output.every((item) => item.binary?.data)).toBe(true);
		expect(sandbox.current.imageForgeBalance(KEYS.apiKey)).toBe(50);
	});

	it('counts binary files, or takes a number', async () => {
		const input = await binaryItems([
			[
				{ name: 'a.png', bytes: designPng(20, 20) },
				{ name: 'b.png', bytes: designPng(21, 20), property: 'second' },
			],
			[{ name: 'c.png', bytes: designPng(22, 20) }],
		]);
		const [files] = await runForge({ ...CHECK, action: 'export', countFrom: 'binaryFiles' }, { sandbox: sandbox.current, input });
		expect(files.json).toEqual(expect.objectContaining({ imageCount: 3, cost: 3, action: 'export' }));
		const [named] = await runForge({ ...CHECK, countFrom: 'binaryFiles', binaryProperties: 'second' }, { sandbox: sandbox.current, input });
		expect(named.json.imageCount).toBe(1);
		const [fixed] = await runForge({ ...CHECK, action: 'sample', countFrom: 'fixed', imageCount: 40 }, { sandbox: sandbox.current });
		expect(fixed.json).toEqual({ sufficient: true, balance: 50, cost: 0, action: 'sample', imageCount: 40 });
	});

	it('too few credits (402) is an item with sufficient: false, balance, cost and shortfall, not an error', async () => {
		const [item] = await runForge({ ...CHECK, countFrom: 'fixed', imageCount: 80 }, { sandbox: sandbox.current });
		expect(item.json).toEqual({
			sufficient: false,
			balance: 50,
			cost: 80,
			shortfall: 30,
			message: 'Insufficient credits. You have 50 but need 80.',
			action: 'analyze',
			imageCount: 80,
		});
		const [broke] = await runForge({ ...CHECK, countFrom: 'fixed', imageCount: 5 }, { sandbox: sandbox.current, apiKey: KEYS.brokeKey });
		expect(broke.json).toEqual(expect.objectContaining({ sufficient: false, balance: 0, cost: 5, shortfall: 5 }));
	});

	it('Deduct Credits Now takes them, and such a check is not repeated on a 503', async () => {
		const [item] = await runForge({ ...CHECK, countFrom: 'fixed', imageCount: 7, deduct: true }, { sandbox: sandbox.current });
		expect(item.json).toEqual(expect.objectContaining({ sufficient: true, balance: 50, cost: 7, remaining: 43 }));
		expect(sandbox.current.imageForgeBalance(KEYS.apiKey)).toBe(43);

		sandbox.current.setFaults([{ match: { path: '/imageforge/v1/credits/check' }, times: 1, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		sandbox.current.clearLog();
		await expect(runForge({ ...CHECK, countFrom: 'fixed', imageCount: 1, deduct: true }, { sandbox: sandbox.current })).rejects.toThrow(
			'Image Forge error 503: Server error (sandbox fault)',
		);
		expect(checks()).toHaveLength(1);
		// Without deduct a check is harmless, so the same 503 is retried.
		sandbox.current.setFaults([{ match: { path: '/imageforge/v1/credits/check' }, times: 1, fault: { type: 'status', status: 503, retryAfter: 0 } }]);
		sandbox.current.clearLog();
		const [retried] = await runForge({ ...CHECK, countFrom: 'fixed', imageCount: 1 }, { sandbox: sandbox.current });
		expect(retried.json.sufficient).toBe(true);
		expect(checks()).toHaveLength(2);
	});
});
