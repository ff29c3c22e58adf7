import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
	at: number;
}

export type Handler = (request: SeenRequest, response: ServerResponse, index: number) => void;

/** A throwaway HTTP server on 127.0.0.1 (or another loopback address) that records every request and answers with `handler`. */
export async function startTestServer(handler: Handler, host = '127.0.0.1'): Promise<{
	url: string;
	seen: SeenRequest[];
	setHandler(next: Handler): void;
	close(): Promise<void>;
	server: Server;
}> {
	let current = handler;
	const seen: SeenRequest[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request: SeenRequest = {
				method: req.method ?? 'GET',
				url: req.url ?? '/',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				at: Date.now(),
			};
			seen.push(request);
			current(request, res, seen.length - 1);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${host}:${port}`,
		seen,
		server,
		setHandler(next) {
			current = next;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}
