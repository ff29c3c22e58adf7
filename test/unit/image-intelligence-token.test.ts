import { cachedToken, dropToken, forgetTokens, reuseUntil, tokenCacheKey } from '../../nodes/ImageIntelligence/token';
import type { TokenGrant } from '../../nodes/ImageIntelligence/token';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeEach(() => forgetTokens());

/** A controllable token endpoint: counts calls, resolves when told. */
function endpoint(lifetimeMs = 24 * HOUR, now = () => 0) {
	let calls = 0;
	const fetch = async (): Promise<TokenGrant> => {
		calls++;
		await Promise.resolve();
		return { accessToken: `token-${calls}`, issuedAt: now(), expiresAt: now() + lifetimeMs };
	};
	return { fetch, calls: () => calls };
}

describe('reuseUntil', () => {
	it('a 24-hour token is reused until five minutes before it expires', () => {
		expect(reuseUntil({ accessToken: 't', issuedAt: 1000, expiresAt: 1000 + 24 * HOUR }, 1000)).toBe(1000 + 24 * HOUR - 5 * MINUTE);
	});

	it('a short-lived token is reused for at most half its lifetime', () => {
		expect(reuseUntil({ accessToken: 't', issuedAt: 0, expiresAt: 4 * MINUTE }, 0)).toBe(2 * MINUTE);
		expect(reuseUntil({ accessToken: 't', issuedAt: 0, expiresAt: 1000 }, 0)).toBe(500);
	});

	it('a local clock behind the provider\'s does not stretch the lifetime (issuedAt is used)', () => {
		const issuedAt = 10 * HOUR;
		// local clock 2 hours behind: expiresAt - now would claim 26 hours
		expect(reuseUntil({ accessToken: 't', issuedAt, expiresAt: issuedAt + 24 * HOUR }, 8 * HOUR)).toBe(8 * HOUR + 24 * HOUR - 5 * MINUTE);
	});

	it('a local clock ahead of the provider\'s shortens it (expiresAt - now is used)', () => {
		const issuedAt = 10 * HOUR;
		expect(reuseUntil({ accessToken: 't', issuedAt, expiresAt: issuedAt + 24 * HOUR }, 12 * HOUR)).toBe(12 * HOUR + 22 * HOUR - 5 * MINUTE);
	});

	it('without issuedAt, the lifetime is expiresAt - now; an expired token is not reused at all', () => {
		expect(reuseUntil({ accessToken: 't', expiresAt: HOUR }, 0)).toBe(HOUR - 5 * MINUTE);
		expect(reuseUntil({ accessToken: 't', expiresAt: 100 }, 200)).toBe(200);
	});
});

describe('cachedToken', () => {
	it('one fetch for many concurrent callers, then reuse', async () => {
		const api = endpoint();
		const tokens = await Promise.all(Array.from({ length: 10 }, () => cachedToken('k', api.fetch, () => 0)));
		expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['token-1']));
		await cachedToken('k', api.fetch, () => 1000);
		expect(api.calls()).toBe(1);
	});

	it('fetches again once the reuse time has passed, shared again', async () => {
		let now = 0;
		const api = endpoint(24 * HOUR, () => now);
		await cachedToken('k', api.fetch, () => now);
		now = 24 * HOUR - 5 * MINUTE - 1;
		expect((await cachedToken('k', api.fetch, () => now)).accessToken).toBe('token-1');
		now += 1;
		const again = await Promise.all([cachedToken('k', api.fetch, () => now), cachedToken('k', api.fetch, () => now)]);
		expect(again.map((token) => token.accessToken)).toEqual(['token-2', 'token-2']);
		expect(api.calls()).toBe(2);
	});

	it('a failed fetch reaches every waiting caller and is not cached', async () => {
		let calls = 0;
		const failing = async (): Promise<TokenGrant> => {
			calls++;
			await Promise.resolve();
			throw new Error('refused');
		};
		const results = await Promise.allSettled([cachedToken('k', failing), cachedToken('k', failing)]);
		expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
		expect(calls).toBe(1);
		const api = endpoint();
		expect((await cachedToken('k', api.fetch)).accessToken).toBe('token-1');
	});

	it('dropToken forgets only the refused token: many refusals of one token make one refresh', async () => {
		const api = endpoint();
		const first = await cachedToken('k', api.fetch, () => 0);
		dropToken('k', first.accessToken);
		const refreshed = await Promise.all(
			Array.from({ length: 5 }, async () => {
				dropToken('k', first.accessToken);
				return await cachedToken('k', api.fetch, () => 0);
			}),
		);
		expect(refreshed.map((token) => token.accessToken)).toEqual(Array(5).fill('token-2'));
		dropToken('k', first.accessToken);
		expect((await cachedToken('k', api.fetch, () => 0)).accessToken).toBe('token-2');
		expect(api.calls()).toBe(2);
	});

	it('keys are separate per credential', async () => {
		const api = endpoint();
		await cachedToken('a', api.fetch, () => 0);
		await cachedToken('b', api.fetch, () => 0);
		expect(api.calls()).toBe(2);
	});
});

describe('tokenCacheKey', () => {
	it('is a hash: the secret is not in it, and any part changes it', () => {
		const key = tokenCacheKey('https://api.example/v2', 'client', 'very-secret-value');
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('very-secret-value');
		expect(tokenCacheKey('https://api.example/v2', 'client', 'other-secret')).not.toBe(key);
		expect(tokenCacheKey('https://api.example/v2', 'client2', 'very-secret-value')).not.toBe(key);
		expect(tokenCacheKey('https://other.example/v2', 'client', 'very-secret-value')).not.toBe(key);
	});
});
