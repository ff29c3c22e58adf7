import { createHash } from 'node:crypto';

/*
 * Image Intelligence access tokens last 24 hours and the provider asks clients to reuse them, so
 * they are cached in this process across items and executions. The cache key is a hash of base
 * URL, client id and secret: a changed secret gets its own token, and the secret itself is never
 * kept as a key.
 */

/** A token is not handed out once it has less than this left (or half its lifetime, if shorter). */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface TokenGrant {
	accessToken: string;
	/** UNIX milliseconds, as the provider says. */
	expiresAt: number;
	/** UNIX milliseconds, as the provider says; used to measure the lifetime free of clock skew. */
	issuedAt?: number;
}

export interface CachedToken {
	accessToken: string;
	/** Local time (Date.now()) after which the token is not handed out any more. */
	reuseUntil: number;
}

interface Slot {
	token?: CachedToken;
	/** The one token request in flight for this credential, shared by every caller. */
	pending?: Promise<CachedToken>;
}

const slots = new Map<string, Slot>();

export function tokenCacheKey(baseUrl: string, clientId: string, clientSecret: string): string {
	return createHash('sha256').update(`${baseUrl}\n${clientId}\n${clientSecret}`).digest('hex');
}

/**
 * Until when (local time) a token received at `now` may be reused: its lifetime minus five
 * minutes, or minus half of it for tokens that live less than ten minutes. The lifetime is the
 * shorter of expiresAt − issuedAt (immune to a skewed local clock) and expiresAt − now.
 */
export function reuseUntil(grant: TokenGrant, now: number): number {
	const lifetimes = [grant.expiresAt - now];
	if (grant.issuedAt !== undefined && grant.issuedAt > 0) lifetimes.push(grant.expiresAt - grant.issuedAt);
	const positive = lifetimes.filter((ms) => Number.isFinite(ms) && ms > 0);
	if (positive.length === 0) return now;
	const lifetime = Math.min(...positive);
	return now + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 2);
}

/**
 * The cached token of `key` while it is fresh; otherwise one call to `fetch`, shared by every
 * caller that asks while it runs. A failed fetch is not cached: the next caller tries again.
 */
export async function cachedToken(
	key: string,
	fetch: () => Promise<TokenGrant>,
	now: () => number = Date.now,
): Promise<CachedToken> {
	const slot = slots.get(key) ?? {};
	slots.set(key, slot);
	if (slot.token && now() < slot.token.reuseUntil) return slot.token;
	slot.token = undefined;
	slot.pending ??= (async () => {
		try {
			const grant = await fetch();
			const token = { accessToken: grant.accessToken, reuseUntil: reuseUntil(grant, now()) };
			slot.token = token;
			return token;
		} finally {
			slot.pending = undefined;
			if (!slot.token) slots.delete(key);
		}
	})();
	return await slot.pending;
}

/**
 * Forgets `accessToken` after the provider refused it, unless a newer token already replaced it
 * (so many requests refused at once cause one refresh, not one each).
 */
export function dropToken(key: string, accessToken: string): void {
	const slot = slots.get(key);
	if (slot?.token?.accessToken === accessToken) slot.token = undefined;
}

/** Empties the cache (tests; a credential rotated at the provider is also handled by the 401 refresh). */
export function forgetTokens(): void {
	slots.clear();
}
