import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { accountId, closeLedgers, ledgerLocation, openLedger } from '../../nodes/shared/ledger';

const folder = mkdtempSync(path.join(tmpdir(), 'ledger-unit-'));
const file = path.join(folder, 'ledger.sqlite');

afterAll(async () => {
	await closeLedgers();
});

test('the account id hides the key and ignores a trailing slash or case in the base URL', () => {
	const id = accountId('https://api.eyequant.com/v2/', 'eq-secret-key');
	expect(id).toBe(accountId('https://API.eyequant.com/v2', 'eq-secret-key'));
	expect(id).not.toContain('eq-secret-key');
	expect(id).toMatch(/^[0-9a-f]{32}$/);
	expect(accountId('https://api.eyequant.com/v2', 'another-key')).not.toBe(id);
});

test('the ledger lives where N8N_VISUAL_AI_LEDGER says, else in the n8n user folder', () => {
	expect(ledgerLocation({ N8N_VISUAL_AI_LEDGER: '/data/ledger.db' })).toBe('/data/ledger.db');
	expect(ledgerLocation({ N8N_USER_FOLDER: '/srv/n8n' })).toBe('/srv/n8n/.n8n/visual-ai-ledger.sqlite');
});

test('registering twice is harmless and each consumer sees a job until it was delivered to it', async () => {
	const ledger = await openLedger(file);
	const job = { provider: 'eyeQuant' as const, account: 'acc-1', jobId: 'shot-1' };
	expect(await ledger.register([job, { ...job, jobId: 'shot-2' }])).toBe(2);
	expect(await ledger.register([job])).toBe(0);
	const query = { provider: 'eyeQuant' as const, account: 'acc-1', limit: 10 };
	expect((await ledger.undelivered({ ...query, consumer: 'wf1:a' })).map((row) => row.jobId)).toEqual(['shot-1', 'shot-2']);
	expect(await ledger.undelivered({ ...query, account: 'acc-2', consumer: 'wf1:a' })).toEqual([]);

	await ledger.recordChecks([{ ...job, state: 'finished', status: 'success', finishedAt: 1234 }]);
	await ledger.recordDeliveries('wf1:a', [{ ...job, state: 'finished' }]);
	expect((await ledger.undelivered({ ...query, consumer: 'wf1:a' })).map((row) => row.jobId)).toEqual(['shot-2']);
	// Least recently checked first: shot-1 was just checked, so shot-2 comes before it.
	expect((await ledger.undelivered({ ...query, consumer: 'wf2:b' })).map((row) => row.jobId)).toEqual(['shot-2', 'shot-1']);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-1')).toMatchObject({ state: 'finished', lastStatus: 'success', finishedAt: 1234, checks: 1 });

	await ledger.markGivenUp('eyeQuant', 'acc-1', ['shot-2']);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-2')).toMatchObject({ state: 'given_up' });
});

test('a reopened ledger keeps every row (schema migrated once)', async () => {
	await closeLedgers();
	const ledger = await openLedger(file);
	expect(await ledger.get('eyeQuant', 'acc-1', 'shot-1')).toMatchObject({ state: 'finished' });
});
