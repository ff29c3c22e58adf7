import { BLOCKED_LOOPBACK } from '../../helpers/ssrf';

import { OutboundHttp } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import type { NodeEgressFilter } from 'n8n-workflow';
import { request } from 'undici';
import { z } from 'zod/v4';

import { ApiClient } from '../../../nodes/shared/http/client';
import { checkEgress, egressDispatcher, egressFilterOf, isEgressError } from '../../../nodes/shared/http/egress';
import { sendJson, startTestServer } from '../../helpers/http-server';
import { recordingContext } from '../../helpers/request-context';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let allowed: Server;
let blocked: Server;
/** n8n's own egress filter, built from the N8N_SSRF_* variables as n8n builds it. */
let filter: NodeEgressFilter;

beforeAll(async () => {
	filter = Container.get(OutboundHttp).egressFilter('safe');
	allowed = await startTestServer((_req, res) => sendJson(res, 200, { ok: true }));
	blocked = await startTestServer((_req, res) => sendJson(res, 200, { ok: true }), BLOCKED_LOOPBACK);
});

afterAll(async () => {
	await allowed.close();
	await blocked.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a rejection');
}

const okSchema = z.object({ ok: z.boolean() });

/** A client in a context whose n8n hands out `egress` (as n8n 2.40's helpers do), or none (older n8n). */
function client(egress?: NodeEgressFilter, context = recordingContext()) {
	const helpers = egress ? { getSecureEgressFilter: () => egress } : {};
	return new ApiClient({ ...context, helpers }, { provider: { name: 'Links' }, retry: { maxTries: 3, baseDelayMs: 1, maxDelayMs: 2 } });
}

describe('the per-URL check (first URL and every redirect hop)', () => {
	test('refuses blocked addresses and names, lets the allowed one through', async () => {
		expect(await checkEgress(filter, new URL(`${allowed.url}/a`))).toBeUndefined();
		expect(await checkEgress(filter, new URL(`${blocked.url}/a`))).toEqual({
			reason: 'The request was blocked because it resolves to a restricted IP address',
			description: expect.stringContaining('127.0.0.2'),
		});
		expect(await checkEgress(filter, new URL('http://169.254.169.254/latest/meta-data'), { redirect: true })).toMatchObject({
			reason: expect.stringContaining('restricted IP address'),
		});
		expect(await checkEgress(filter, new URL('http://blocked.example.test/x'), { redirect: true })).toMatchObject({
			reason: 'The request was blocked because the destination hostname is restricted',
		});
		expect(await checkEgress(undefined, new URL(`${blocked.url}/a`))).toBeUndefined();
	});
});

describe('at connect time (what holds after DNS rebinding, when the pre-flight check saw another address)', () => {
	test('the dispatcher refuses an IP-literal host that no DNS lookup sees', async () => {
		const error = await rejection(request(`${blocked.url}/direct`, { dispatcher: egressDispatcher(filter) }));
		expect(isEgressError(error)).toBe(true);
		expect(blocked.seen).toEqual([]);
	});

	test("the dispatcher resolves names with n8n's secure lookup", async () => {
		const error = await rejection(request('http://blocked.example.test:9/x', { dispatcher: egressDispatcher(filter) }));
		expect(isEgressError(error)).toBe(true);
		const fine = await request(`${allowed.url}/direct`, { dispatcher: egressDispatcher(filter) });
		expect(fine.statusCode).toBe(200);
		await fine.body.dump();
	});

	test('a client whose pre-flight check passes still cannot connect, and does not retry', async () => {
		const preflightFooled: NodeEgressFilter = {
			validateUrl: async () => ({ ok: true, result: undefined }),
			validateConnectionHost: (host) => filter.validateConnectionHost(host),
			createSecureLookup: () => filter.createSecureLookup(),
			validateRedirectSync: (url) => filter.validateRedirectSync(url),
		};
		const context = recordingContext();
		const error = await rejection(client(preflightFooled, context).json({ method: 'GET', url: `${blocked.url}/rebound` }, okSchema));
		expect(context.logs.filter((line) => line.includes('retrying'))).toEqual([]);
		expect(error.message).toMatch(/^n8n's SSRF protection refused Links \(http:\/\/127\.0\.0\.2:\d+\/rebound\): /);
		expect(blocked.seen).toEqual([]);
	});
});

describe('feature detection', () => {
	test('an n8n without getSecureEgressFilter (before 2.40) sends as before', async () => {
		expect(egressFilterOf({})).toBeUndefined();
		expect(egressFilterOf({ helpers: {} })).toBeUndefined();
		expect(await client().json({ method: 'GET', url: `${blocked.url}/old-n8n` }, okSchema)).toEqual({ ok: true });
		expect(blocked.seen.map((seen) => seen.url)).toEqual(['/old-n8n']);
		blocked.seen.length = 0;
	});

	test("with n8n's filter the same request is refused before connecting", async () => {
		const error = await rejection(client(filter).json({ method: 'GET', url: `${blocked.url}/new-n8n` }, okSchema));
		expect(error.message).toMatch(/^n8n's SSRF protection refused Links/);
		expect(blocked.seen).toEqual([]);
		expect(await client(filter).json({ method: 'GET', url: `${allowed.url}/fine` }, okSchema)).toEqual({ ok: true });
	});
});
