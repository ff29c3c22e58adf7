/**
 * The rules every URL of a link download passes: the first URL and every redirect hop alike. The
 * client applies n8n's egress (SSRF) policy to the same URLs right before these rules
 * (`ApiClient.checkHop`), so that a redirect can never reach a host the first URL could not.
 */

/** What a link download may reach. */
export interface HopPolicy {
	/** Host patterns (see `hostAllowed`); empty or absent: any host. */
	allowedHosts?: string[];
}

/** Why a hop was refused, in words for the user (no query string, no credentials). */
export interface HopRefusal {
	reason: string;
}

/**
 * Decides whether `url` may be fetched as one hop of a link download. Resolves to undefined when
 * it may, or to a refusal that names the rule that stopped it. Only http(s) URLs are fetched.
 */
export function checkLinkHop(url: URL, policy: HopPolicy | undefined): HopRefusal | undefined {
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return { reason: `${url.protocol.replace(/:$/, '')} links are not fetched, only http(s)` };
	}
	if (url.username !== '' || url.password !== '') {
		return { reason: 'links with a user name or password in them are not fetched' };
	}
	const allowed = policy?.allowedHosts ?? [];
	if (allowed.length > 0 && !hostAllowed(url.toString(), allowed)) {
		return { reason: `${url.host} is not in "Allowed Hosts"` };
	}
	return undefined;
}

/** Host patterns: `example.com`, `*.example.com` (subdomains and the domain itself), `host:port`. */
export function hostAllowed(url: string, patterns: string[]): boolean {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return false;
	}
	const hostname = parsed.hostname.toLowerCase();
	const host = parsed.host.toLowerCase();
	return patterns.some((pattern) => {
		const subject = pattern.includes(':') && !pattern.startsWith('[') ? host : hostname;
		if (pattern.startsWith('*.')) {
			const domain = pattern.slice(2);
			return subject === domain || subject.endsWith(`.${domain}`);
		}
		return subject === pattern;
	});
}
