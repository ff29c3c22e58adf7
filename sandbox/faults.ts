/**
 * Fault injection. Nothing here ever fires unless asked: per run through rules (setFaults or
 * PUT /__sandbox/faults), per request through the `x-sandbox-fault` header or the `__fault`
 * query parameter (both carry the JSON of one Fault).
 */
import { ECHO_FORMATS } from './echo.ts';
import type { EchoFormat } from './echo.ts';
import { isRecord } from './http.ts';
import type { Fault, FaultRule, Provider } from './types.ts';

export class FaultParseError extends Error {}

const FAULT_TYPES = new Set([
	'status',
	'reset',
	'stall',
	'malformedJson',
	'dropField',
	'sseDrop',
	'latency',
	'redirect',
	'encoding',
	'contentType',
	'expired',
	'trickle',
	'sseCommentsOnly',
	'sseUnterminated',
	'sseHugeEvent',
	'echo',
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CODINGS = new Set(['gzip', 'deflate', 'br', 'zstd']);

function optionalCount(value: unknown, name: string): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new FaultParseError(`${name} must be a whole number >= 0`);
	return value;
}

/** Validates one fault (from JSON). */
export function parseFault(value: unknown): Fault {
	if (!isRecord(value) || typeof value.type !== 'string' || !FAULT_TYPES.has(value.type)) {
		throw new FaultParseError(`A fault needs a "type": one of ${[...FAULT_TYPES].join(', ')}`);
	}
	switch (value.type) {
		case 'status': {
			const status = value.status;
			if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
				throw new FaultParseError('A status fault needs "status" (100-599)');
			}
			const retryAfter = value.retryAfter;
			if (retryAfter !== undefined && typeof retryAfter !== 'number' && typeof retryAfter !== 'string') {
				throw new FaultParseError('retryAfter must be a number of seconds or an HTTP date string');
			}
			return { type: 'status', status, retryAfter, body: value.body };
		}
		case 'reset':
			return { type: 'reset', afterBytes: optionalCount(value.afterBytes, 'afterBytes') };
		case 'stall':
			return { type: 'stall', afterBytes: optionalCount(value.afterBytes, 'afterBytes') };
		case 'malformedJson':
			return { type: 'malformedJson' };
		case 'dropField':
			if (typeof value.field !== 'string' || value.field === '') throw new FaultParseError('A dropField fault needs "field"');
			return { type: 'dropField', field: value.field };
		case 'echo': {
			const format = value.format ?? 'json';
			if (typeof format !== 'string' || !(ECHO_FORMATS as readonly string[]).includes(format)) {
				throw new FaultParseError(`An echo fault's "format" is one of ${ECHO_FORMATS.join(', ')}`);
			}
			const status = value.status ?? (format === 'sse' ? 200 : 400);
			if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
				throw new FaultParseError('An echo fault\'s "status" is 200-599');
			}
			return { type: 'echo', status, format: format as EchoFormat };
		}
		case 'sseDrop': {
			const afterEvents = optionalCount(value.afterEvents, 'afterEvents');
			if (afterEvents === undefined) throw new FaultParseError('An sseDrop fault needs "afterEvents"');
			return { type: 'sseDrop', afterEvents };
		}
		case 'latency': {
			const ms = optionalCount(value.ms, 'ms');
			if (ms === undefined) throw new FaultParseError('A latency fault needs "ms"');
			return { type: 'latency', ms };
		}
		default:
			return parseDeliveryFault(value);
	}
}

/** The faults about how an answer is delivered: redirects, codings, headers, pacing, SSE endings. */
function parseDeliveryFault(value: Record<string, unknown>): Fault {
	switch (value.type) {
		case 'redirect': {
			const status = value.status ?? 302;
			if (typeof value.location !== 'string' || value.location === '') throw new FaultParseError('A redirect fault needs "location"');
			if (typeof status !== 'number' || !REDIRECT_STATUSES.has(status)) throw new FaultParseError('A redirect status is one of 301, 302, 303, 307, 308');
			return { type: 'redirect', location: value.location, status: status as 301 | 302 | 303 | 307 | 308 };
		}
		case 'encoding':
			if (typeof value.coding !== 'string' || !CODINGS.has(value.coding)) throw new FaultParseError(`An encoding fault needs "coding": one of ${[...CODINGS].join(', ')}`);
			return { type: 'encoding', coding: value.coding as 'gzip' | 'deflate' | 'br' | 'zstd' };
		case 'contentType':
			if (typeof value.value !== 'string') throw new FaultParseError('A contentType fault needs "value"');
			return { type: 'contentType', value: value.value };
		case 'expired': {
			const style = value.style ?? 'gcs';
			if (style !== 's3' && style !== 'gcs') throw new FaultParseError('An expired fault\'s "style" is "s3" or "gcs"');
			return { type: 'expired', style };
		}
		case 'trickle': {
			const everyMs = optionalCount(value.everyMs, 'everyMs');
			if (everyMs === undefined) throw new FaultParseError('A trickle fault needs "everyMs"');
			return { type: 'trickle', bytes: Math.max(1, optionalCount(value.bytes, 'bytes') ?? 1), everyMs };
		}
		case 'sseCommentsOnly':
			return { type: 'sseCommentsOnly', everyMs: optionalCount(value.everyMs, 'everyMs') ?? 100 };
		case 'sseUnterminated':
			return { type: 'sseUnterminated' };
		default: {
			const bytes = optionalCount(value.bytes, 'bytes');
			if (bytes === undefined) throw new FaultParseError('An sseHugeEvent fault needs "bytes"');
			return { type: 'sseHugeEvent', bytes };
		}
	}
}

/** Parses rules from JSON (the control endpoint): `path` is a prefix string or `{ "regex": "..." }`. */
export function parseRules(value: unknown): FaultRule[] {
	if (!Array.isArray(value)) throw new FaultParseError('Fault rules must be a JSON array');
	return value.map((raw, index) => {
		if (!isRecord(raw)) throw new FaultParseError(`Rule ${index} is not an object`);
		const rule: FaultRule = { fault: parseFault(raw.fault) };
		if (raw.every !== undefined) rule.every = optionalCount(raw.every, 'every');
		if (raw.times !== undefined) rule.times = optionalCount(raw.times, 'times');
		if (raw.match !== undefined) {
			if (!isRecord(raw.match)) throw new FaultParseError(`Rule ${index}: match must be an object`);
			const { method, path, provider } = raw.match;
			const match: NonNullable<FaultRule['match']> = {};
			if (typeof method === 'string') match.method = method;
			if (typeof provider === 'string') match.provider = provider;
			if (typeof path === 'string') match.path = path;
			else if (isRecord(path) && typeof path.regex === 'string') {
				try {
					match.path = new RegExp(path.regex);
				} catch (error) {
					throw new FaultParseError(`Rule ${index}: bad regex: ${(error as Error).message}`);
				}
			} else if (path !== undefined) throw new FaultParseError(`Rule ${index}: path must be a string prefix or {"regex": "..."}`);
			rule.match = match;
		}
		return rule;
	});
}

/** Rules as JSON (RegExp paths become `{ regex }`). */
export function rulesToJson(rules: FaultRule[]): unknown[] {
	return rules.map((rule) => ({
		...rule,
		match: rule.match && {
			...rule.match,
			path: rule.match.path instanceof RegExp ? { regex: rule.match.path.source } : rule.match.path,
		},
	}));
}

interface ActiveRule {
	rule: FaultRule;
	matched: number;
	faulted: number;
}

export class FaultEngine {
	private active: ActiveRule[] = [];

	set(rules: FaultRule[]): void {
		// Parsed, so that defaults (an echo's status and format) apply in process as over HTTP.
		this.active = rules.map((rule) => ({ rule: { ...rule, fault: parseFault(rule.fault) }, matched: 0, faulted: 0 }));
	}

	clear(): void {
		this.active = [];
	}

	rules(): FaultRule[] {
		return this.active.map((a) => a.rule);
	}

	/**
	 * The fault for this call, if any. Every matching rule counts the call; the first rule whose
	 * turn it is (every Nth match, fewer than `times` faults so far) gives the fault.
	 */
	pick(request: { method: string; path: string; provider: Provider }): Fault | undefined {
		let chosen: Fault | undefined;
		for (const active of this.active) {
			const { match, every = 1, times } = active.rule;
			if (match?.method && match.method.toUpperCase() !== request.method) continue;
			if (match?.provider && match.provider !== request.provider) continue;
			if (match?.path !== undefined) {
				const ok = typeof match.path === 'string' ? request.path.startsWith(match.path) : match.path.test(request.path);
				if (!ok) continue;
			}
			active.matched++;
			if (chosen) continue;
			if (times !== undefined && active.faulted >= times) continue;
			if (active.matched % Math.max(1, every) !== 0) continue;
			active.faulted++;
			chosen = active.rule.fault;
		}
		return chosen;
	}
}

/** A deep copy of `body` without the dotted `field` (array indexes allowed: `detector_results.0.score`). */
export function dropField(body: unknown, field: string): unknown {
	const copy = structuredClone(body) as unknown;
	const parts = field.split('.');
	let node: unknown = copy;
	for (let i = 0; i < parts.length - 1; i++) {
		if (Array.isArray(node)) node = node[Number(parts[i])];
		else if (isRecord(node)) node = node[parts[i]];
		else return copy;
	}
	const last = parts[parts.length - 1];
	if (Array.isArray(node)) node.splice(Number(last), 1);
	else if (isRecord(node)) delete node[last];
	return copy;
}

/** Serialised JSON cut short, with a stray token: no JSON parser accepts it. */
export function malformJson(text: string): string {
	const cut = Math.max(1, Math.floor(text.length / 2));
	return `${text.slice(0, cut)}\u0000<!-- truncated by sandbox fault -->`;
}
