/**
 * n8n's SSRF protection switched on the way an operator does it: n8n-core's SsrfProtectionConfig
 * reads these variables when it is first built, so import this module before anything runs a node.
 * The sandbox's address (127.0.0.1) is allowed; every other private, loopback and link-local
 * address (127.0.0.2, 169.254.169.254, 10.x …) stays blocked by the `default` ranges.
 */
export const SSRF_ON = {
	N8N_SSRF_PROTECTION_ENABLED: 'true',
	N8N_SSRF_BLOCKED_IP_RANGES: 'default',
	N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32',
	N8N_SSRF_BLOCKED_HOSTNAMES: 'blocked.example.test',
};

Object.assign(process.env, SSRF_ON);

/** A loopback address other than the sandbox's, blocked by the policy above. */
export const BLOCKED_LOOPBACK = '127.0.0.2';
