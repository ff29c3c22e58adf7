/*
 * Request-shape tests: a node runs for real (n8n-core's ExecuteContext) against a sandbox that
 * records each request's headers and body (`recordRequests`), and a table row says exactly which
 * requests a parameter set makes: method, path, query and body, in order.
 */
import { createHash } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import type { RequestLogEntry, Sandbox } from '../../sandbox/server.ts';
import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import type { SandboxOptions } from '../../sandbox/types.ts';
import { useSandbox } from '../helpers/sandbox';

/** One request as a table row states it; `query` and `body` are left out when there are none. */
export interface RequestShape {
	method: string;
	/** Below the provider's base URL (`/analyses`, `/v1/judges`); storage and file paths in full. */
	path: string;
	query?: Record<string, unknown>;
	/** Parsed JSON, a multipart body as its parts, or `{ bytes, sha256 }` of anything else. */
	body?: unknown;
}

/** A multipart part as the sandbox received it. */
export interface MultipartPart {
	field: string;
	fileName?: string;
	type?: string;
	size: number;
	sha256: string;
}

/** Provider base paths on the sandbox: what a credential's base URL ends with. */
const API_PREFIXES: Record<string, string> = {
	eyeQuant: '/eyequant/v2',
	imageIntelligence: '/imageintelligence/v2',
	pique: '/pique',
	imageForge: '/imageforge',
};

/** A sandbox for this test file that records headers and bodies; jobs finish at once. */
export function useRecordingSandbox(options: SandboxOptions = {}): { readonly current: Sandbox } {
	return useSandbox({
		recordRequests: true,
		eyeQuantProcessingMs: 0,
		piqueProcessingMs: 0,
		imageIntelligenceProcessingMs: 0,
		imageForgeMsPerImage: 0,
		...options,
	});
}

export function sha256(bytes: Buffer | Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

function headerOf(entry: RequestLogEntry, name: string): string | undefined {
	const value = entry.headers?.[name];
	return Array.isArray(value) ? value[0] : value;
}

async function bodyOf(entry: RequestLogEntry): Promise<unknown> {
	const body = entry.body;
	if (!body || body.length === 0) return undefined;
	const contentType = headerOf(entry, 'content-type') ?? '';
	if (/^application\/json/i.test(contentType)) return JSON.parse(body.toString('utf8')) as unknown;
	if (/^multipart\/form-data/i.test(contentType)) {
		const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
		const parts: MultipartPart[] = [];
		for (const [field, value] of form.entries()) {
			if (typeof value === 'string') {
				const bytes = Buffer.from(value);
				parts.push({ field, size: bytes.length, sha256: sha256(bytes) });
			} else {
				const bytes = Buffer.from(await value.arrayBuffer());
				parts.push({ field, fileName: value.name, type: value.type, size: bytes.length, sha256: sha256(bytes) });
			}
		}
		return parts;
	}
	return { bytes: body.length, sha256: sha256(body) };
}

/** A logged request in the shape the tables use. */
export async function shapeOf(entry: RequestLogEntry): Promise<RequestShape> {
	const prefix = API_PREFIXES[entry.provider];
	const path = prefix && entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path;
	const shape: RequestShape = { method: entry.method, path };
	if (Object.keys(entry.query).length > 0) shape.query = entry.query;
	const body = await bodyOf(entry);
	if (body !== undefined) shape.body = body;
	return shape;
}

/** Every request the sandbox logged since the last clearLog (storage and file fetches included). */
export function logged(sandbox: Sandbox, except: (entry: RequestLogEntry) => boolean = () => false): RequestLogEntry[] {
	return sandbox.requests().filter((entry) => !except(entry));
}

/** The logged requests as shapes, in order. */
export async function shapes(entries: RequestLogEntry[]): Promise<RequestShape[]> {
	return await Promise.all(entries.map(shapeOf));
}

/** The header that carries each provider's credential, and its value for the sandbox account. */
const AUTH: Record<string, { header: string; value: string | RegExp }> = {
	eyeQuant: { header: 'authorization', value: `Bearer ${SANDBOX_KEYS.eyeQuant.apiKey}` },
	imageIntelligence: { header: 'authorization', value: /^Bearer ii_at_[0-9a-f]+$/ },
	pique: { header: 'x-api-key', value: SANDBOX_KEYS.pique.apiKey },
	imageForge: { header: 'x-api-key', value: SANDBOX_KEYS.imageForge.apiKey },
};

/**
 * Each API call carries its provider's credential header; storage and file fetches (presigned S3
 * and GCS links, image URLs) carry no key at all. Image Intelligence's token request sends the
 * client id and secret in its body instead.
 */
export function expectAuthHeaders(entries: RequestLogEntry[], keys: Record<string, string> = {}): void {
	for (const entry of entries) {
		const where = `${entry.method} ${entry.path}`;
		const key = keys[entry.provider];
		const auth = AUTH[entry.provider] && key !== undefined ? { ...AUTH[entry.provider], value: key } : AUTH[entry.provider];
		const isTokenRequest = entry.provider === 'imageIntelligence' && entry.path.endsWith('/oauth/token');
		if (auth && !isTokenRequest) {
			expect({ where, value: headerOf(entry, auth.header) }).toEqual({
				where,
				value: typeof auth.value === 'string' ? auth.value : expect.stringMatching(auth.value),
			});
		} else {
			expect({ where, authorization: headerOf(entry, 'authorization'), key: headerOf(entry, 'x-api-key') }).toEqual({
				where,
				authorization: undefined,
				key: undefined,
			});
		}
	}
}

/**
 * Runs `run` on a cleared log and returns what it sent: the requests as shapes (in order), after
 * checking every one's credential header (`keys`: the header value per provider when a row uses
 * another credential). `except` leaves out requests the row does not state.
 */
export async function requestsMadeBy(
	sandbox: Sandbox,
	run: () => Promise<unknown>,
	except: (entry: RequestLogEntry) => boolean = () => false,
	keys: Record<string, string> = {},
): Promise<RequestShape[]> {
	sandbox.clearLog();
	await run();
	const entries = logged(sandbox, except);
	expectAuthHeaders(entries, keys);
	return await shapes(entries);
}

/** `resource.operation` of every operation in a node's router table (nodes/<Node>/actions/router.ts). */
export function operationsOf(table: Record<string, Record<string, unknown>>): string[] {
	return Object.entries(table)
		.flatMap(([resource, operations]) => Object.keys(operations).map((operation) => `${resource}.${operation}`))
		.sort();
}

/** `resource.operation` of the rows' parameter sets, each once. */
export function operationsOfRows(parameters: INodeParameters[]): string[] {
	return [...new Set(parameters.map((set) => `${String(set.resource)}.${String(set.operation)}`))].sort();
}
