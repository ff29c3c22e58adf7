/**
 * A PostgreSQL ledger that cannot be reached (wrong port): EyeQuant → Analysis → Create fails its
 * item naming the analysis id (to Track it later), the host and the database, never the password;
 * the trigger's poll fails the same way and emits nothing.
 */
import { freePort } from '../../../scripts/lib/proc';
import { useSandbox } from '../../helpers/sandbox';
import { closeLedgers } from '../../../nodes/shared/ledger';
import { designItem, expectRejection, runEyeQuant } from '../eyequant/helpers';
import { pollOnce } from './helpers';

const sandbox = useSandbox({ eyeQuantProcessingMs: 20 });
const PASSWORD = 'pg-password-never-shown';
let port = 0;
const before = process.env.N8N_VISUAL_AI_LEDGER;

beforeAll(async () => {
	port = await freePort();
	process.env.N8N_VISUAL_AI_LEDGER = `postgres://n8n:${PASSWORD}@127.0.0.1:${port}/ledger_db`;
});
afterAll(async () => {
	await closeLedgers();
	if (before === undefined) delete process.env.N8N_VISUAL_AI_LEDGER;
	else process.env.N8N_VISUAL_AI_LEDGER = before;
});

it('Analysis → Create: the item error names the analysis id, host and database, and never the password', async () => {
	const s = sandbox.current;
	s.clearLog();
	const error = await expectRejection(
		runEyeQuant(s, { resource: 'analysis', operation: 'create', predictions: ['attention'], attentionOutputs: ['attentionMap'] }, [designItem()]),
	);
	const [created] = s.requests({ method: 'POST', pathPrefix: '/eyequant/v2/analyses' });
	expect(created?.status).toBe(201);
	expect(error.message).toMatch(/^EyeQuant analysis \w+ was created, but could not be recorded for the Visual AI Trigger$/);
	expect(error.description).toMatch(new RegExp(`could not use PostgreSQL at 127\\.0\\.0\\.1:${port}, database ledger_db: .*record it later with Job → Track \\(screenshot ID \\w+\\)`));
	expect(JSON.stringify({ message: error.message, description: error.description, stack: error.stack })).not.toContain(PASSWORD);
});

it('the trigger’s poll fails naming host and database, and emits nothing', async () => {
	const error = await pollOnce(sandbox.current, { nodeId: 'unreachable' }, {}).then(
		() => undefined,
		(reason: Error & { description?: string }) => reason,
	);
	expect(error?.message).toMatch(new RegExp(`^The Visual AI job ledger could not use PostgreSQL at 127\\.0\\.0\\.1:${port}, database ledger_db`));
	expect(`${error?.message} ${error?.description}`).not.toContain(PASSWORD);
});
