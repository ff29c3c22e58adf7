/**
 * A broken forward proxy for HTTP_PROXY / HTTPS_PROXY tests, on 127.0.0.1. Modes:
 *   drop   - closes every connection as soon as a CONNECT (or a forwarded request) arrives;
 *   silent - accepts CONNECT and forwarded requests and never answers them.
 * `connects` counts the CONNECT and forwarded requests it saw (a client that loops shows here).
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'drop' | 'silent';

export interface BrokenProxy {
	url: string;
	mode: ProxyMode;
	/** CONNECT and forwarded requests received so far. */
	connects(): number;
	close(): Promise<void>;
}

/** Starts a broken proxy on `host:port` (0: any free port); `close()` ends its connections too. */
export async function startBrokenProxy(mode: ProxyMode, port = 0, host = '127.0.0.1'): Promise<BrokenProxy> {
	let connects = 0;
	const sockets = new Set<Socket>();
	const server = createServer((req) => {
		connects++;
		if (mode === 'drop') req.socket.destroy();
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('connect', (_req, socket: Socket) => {
		connects++;
		if (mode === 'drop') socket.destroy();
	});
	await new Promise<void>((resolve) => server.listen(port, host, resolve));
	const address = server.address() as AddressInfo;
	return {
		url: `http://${host}:${address.port}`,
		mode,
		connects: () => connects,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
