import type { INode, NodeEgressFilter } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { EnvHttpProxyAgent, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';

import { redactUrl } from './redact';

/**
 * n8n's instance egress (SSRF) policy as nodes with their own HTTP client get it (n8n 2.40+:
 * `this.helpers.getSecureEgressFilter()`), applied in three places, as n8n's own clients do:
 * every URL before connecting (`checkEgress`, also each redirect hop), and every connection
 * (`egressDispatcher`: the DNS lookup of the connection, against DNS rebinding, and IP-literal hosts,
 * which no lookup sees). Older n8n has no filter: requests go out as before.
 */

/** The part of an n8n context that may carry the egress filter (absent before n8n 2.40). */
export interface EgressContext {
	helpers?: object;
}

/** Why n8n's policy refused a URL, in words for the user (no query string). */
export interface EgressRefusal {
	reason: string;
	/** n8n's own explanation (which address was blocked, whom to ask). */
	description?: string;
}

type FilterSource = { getSecureEgressFilter?: (policy?: 'safe') => NodeEgressFilter };

/**
 * The instance's egress filter, or undefined on an n8n without one. Under n8n's default
 * policy it lets everything through while `N8N_SSRF_PROTECTION_ENABLED` is off.
 */
export function egressFilterOf(context: EgressContext): NodeEgressFilter | undefined {
	const helpers = context.helpers as FilterSource | undefined;
	if (typeof helpers?.getSecureEgressFilter !== 'function') return undefined;
	return helpers.getSecureEgressFilter('safe');
}

/**
 * The one per-URL check: the first URL of a request and every redirect hop (`redirect: true`
 * also runs n8n's per-hop rule, `validateRedirectSync`). Resolves the host name as n8n does and
 * returns a refusal when the policy blocks it; undefined when it may be fetched (or there is no filter).
 */
export async function checkEgress(
	filter: NodeEgressFilter | undefined,
	url: URL,
	options: { redirect?: boolean } = {},
): Promise<EgressRefusal | undefined> {
	if (!filter) return undefined;
	try {
		if (options.redirect) filter.validateRedirectSync(url.toString());
		const result = await filter.validateUrl(url);
		return result.ok ? undefined : refusalOf(result.error);
	} catch (error) {
		return refusalOf(error);
	}
}

/** True for an error n8n's policy raised at connect time (from the secure DNS lookup or the host check). */
export function isEgressError(error: unknown): boolean {
	for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
		if (current.name === 'SsrfBlockedIpError' || current.name === 'SsrfBlockedHostnameError') return true;
	}
	return false;
}

/** The refusal carried by a connect-time error (see `isEgressError`). */
export function egressRefusalOf(error: unknown): EgressRefusal {
	for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
		if (current.name === 'SsrfBlockedIpError' || current.name === 'SsrfBlockedHostnameError') return refusalOf(current);
	}
	return refusalOf(error);
}

function refusalOf(error: unknown): EgressRefusal {
	if (!(error instanceof Error)) return { reason: String(error) };
	const description = (error as { description?: unknown }).description;
	return { reason: error.message, ...(typeof description === 'string' ? { description } : {}) };
}

/** The per-item error for a URL n8n's policy refused; never retried. */
export function egressRefusedError(node: INode, input: { source: string; url: URL | string; refusal: EgressRefusal; itemIndex?: number }): NodeApiError {
	const shown = redactUrl(input.url.toString());
	const error = new NodeApiError(
		node,
		{ url: shown, egressRefused: true },
		{
			message: `n8n's SSRF protection refused ${input.source} (${shown}): ${input.refusal.reason}`,
			description: [
				input.refusal.description,
				'Nothing was sent to it. An n8n administrator can allow the host with N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES.',
			]
				.filter(Boolean)
				.join(' '),
			itemIndex: input.itemIndex,
		},
	);
	error.message = `n8n's SSRF protection refused ${input.source} (${shown}): ${input.refusal.reason}`;
	error.context.egressRefused = true;
	return error;
}

/** True for the error `egressRefusedError` makes: a setting of this n8n, not a provider fault, so never worth retrying. */
export function isEgressRefusedError(error: unknown): boolean {
	return error instanceof NodeApiError && error.context.egressRefused === true;
}

const CONNECT_TIMEOUT_MS = 10_000;
const dispatchers = new WeakMap<NodeEgressFilter, { key: string; agent: EnvHttpProxyAgent }>();

/**
 * A pooled keep-alive agent (proxies from the environment, as the shared one) whose every new
 * connection passes the filter: IP-literal hosts through `validateConnectionHost`, host names
 * through the filter's secure DNS lookup, so a name that resolves to a blocked address after the
 * pre-flight check (DNS rebinding) is still refused. Through an HTTP(S)_PROXY the proxy makes the
 * connection, so there only the pre-flight check applies (as in n8n's own clients). One per filter,
 * rebuilt when the proxy variables change.
 */
export function egressDispatcher(filter: NodeEgressFilter): Dispatcher {
	const env = process.env;
	const key = [env.HTTP_PROXY ?? env.http_proxy, env.HTTPS_PROXY ?? env.https_proxy, env.NO_PROXY ?? env.no_proxy].join('|');
	const cached = dispatchers.get(filter);
	if (cached?.key === key) return cached.agent;
	const direct = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: filter.createSecureLookup() });
	const connect: buildConnector.connector = (options, callback) => {
		const checked = filter.validateConnectionHost(options.hostname);
		if (!checked.ok) {
			callback(checked.error, null);
			return;
		}
		direct(options, callback);
	};
	const agent = new EnvHttpProxyAgent({ connect, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128 });
	dispatchers.set(filter, { key, agent });
	if (cached) void cached.agent.close();
	return agent;
}
