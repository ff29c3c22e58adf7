import { EnvHttpProxyAgent } from 'undici';

const CONNECT_TIMEOUT_MS = 10_000;

let shared: { key: string; agent: EnvHttpProxyAgent } | undefined;

/**
 * One pooled keep-alive agent per process, honouring HTTP_PROXY / HTTPS_PROXY / NO_PROXY.
 * Rebuilt only when those variables change.
 */
export function sharedDispatcher(): EnvHttpProxyAgent {
	const env = process.env;
	const key = [
		env.HTTP_PROXY ?? env.http_proxy,
		env.HTTPS_PROXY ?? env.https_proxy,
		env.NO_PROXY ?? env.no_proxy,
	].join('|');
	if (!shared || shared.key !== key) {
		const previous = shared?.agent;
		shared = {
			key,
			agent: new EnvHttpProxyAgent({
				connect: { timeout: CONNECT_TIMEOUT_MS },
				keepAliveTimeout: 10_000,
				keepAliveMaxTimeout: 60_000,
				connections: 128,
			}),
		};
		void previous?.close();
	}
	return shared.agent;
}
