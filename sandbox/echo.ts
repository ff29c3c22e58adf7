/**
 * The `echo` fault: an error answer that repeats the request back, as careless servers, proxies
 * and debug pages do: the method, the full URL as received (query string included), every header
 * (the API key with them) and the start of the body (where Image Intelligence's client secret
 * travels). It exists so that tests can prove that a node never shows a key or a signature it
 * was handed back.
 */
import type { IncomingMessage } from 'node:http';

import { BodyTooLarge, escapeXml, readBody } from './http.ts';
import type { Provider, Reply } from './types.ts';

export type EchoFormat = 'json' | 'text' | 'html' | 'sse';
export const ECHO_FORMATS: readonly EchoFormat[] = ['json', 'text', 'html', 'sse'];

/** How much of the request body is echoed (the rest is drained). */
const BODY_LIMIT = 16 * 1024;

/** The request as text, as it came (request line, header lines, blank line, body): what gets echoed. */
async function requestText(req: IncomingMessage, method: string): Promise<string> {
	let body = '';
	if (method !== 'GET' && method !== 'HEAD') {
		try {
			body = (await readBody(req, BODY_LIMIT)).toString('utf8');
		} catch (error) {
			if (!(error instanceof BodyTooLarge)) throw error;
			body = '(larger than the echo limit)';
		}
	}
	const host = req.headers.host ?? 'sandbox';
	const headers: string[] = [];
	for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) headers.push(`${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}`);
	return `${method} http://${host}${req.url ?? '/'}\n${headers.join('\n')}\n\n${body}`;
}

/** Each provider's own error shape around the echo, so the node's error reading finds it. */
function providerJson(provider: Provider, echo: string): unknown {
	switch (provider) {
		case 'eyeQuant':
			return { error: { code: 'echo', message: `Bad request: ${echo}` }, request: echo };
		case 'pique':
			return { detail: `Bad request: ${echo}`, request: echo };
		case 'imageForge':
			return { error: `Bad request: ${echo}`, request: echo };
		default:
			return { code: 'echo', message: `Bad request: ${echo}`, request: echo };
	}
}

/** The echo answer in `format`: JSON (the provider's error shape), plain text, an HTML error page, or an SSE `error` event. */
export async function echoReply(
	req: IncomingMessage,
	method: string,
	provider: Provider,
	fault: { status: number; format: EchoFormat },
): Promise<Reply> {
	const echo = await requestText(req, method);
	switch (fault.format) {
		case 'json':
			return { kind: 'json', status: fault.status, body: providerJson(provider, echo) };
		case 'text':
			return { kind: 'bytes', status: fault.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Bad request: ${echo}\n` };
		case 'html':
			return {
				kind: 'bytes',
				status: fault.status,
				headers: { 'content-type': 'text/html; charset=utf-8' },
				body: `<html><head><title>${fault.status} Bad request</title></head><body><h1>Bad request</h1><pre>${escapeXml(echo)}</pre></body></html>\n`,
			};
		default:
			return {
				kind: 'sse',
				status: fault.status,
				items: async function* () {
					yield { kind: 'event', text: `event: error\ndata: ${JSON.stringify({ error: `Bad request: ${echo}` })}\n\n` };
				},
			};
	}
}
