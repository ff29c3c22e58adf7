import type { IDataObject } from 'n8n-workflow';

import { hostAllowed } from '../shared/http/hops';

export { hostAllowed };

/*
 * Finding the URLs of an item: pure functions, no n8n context, so they are unit-tested alone.
 * A path is the list of keys (and array indexes) from the item's JSON root to a value.
 */

export type FieldPath = Array<string | number>;

export interface FoundUrl {
	url: string;
	/** Every place in the item that holds this URL, shallowest first. */
	paths: FieldPath[];
	/** Binary property name: the first path, relative to the search root, joined with "_". */
	name: string;
	/** The first path from the item root, for messages: `outputs.attention.attentionMap`. */
	label: string;
}

export type UrlSource = { kind: 'field'; field: string } | { kind: 'item' } | { kind: 'paths'; paths: FieldPath[] };

export interface UrlPlan {
	urls: FoundUrl[];
	/** URLs left alone because their host is not in the allow-list, by label. */
	skipped: Array<{ label: string; host: string }>;
	/** Where the search looked, for the log and the "no URLs" hint. */
	searched: string;
	/** Explicit paths that were missing or empty on this item. */
	missing: string[];
	/** Explicit paths whose value is not an http(s) URL (string) — an error for the item. */
	notUrls: Array<{ label: string; value: string }>;
}

const MAX_DEPTH = 32;
const URL_PATTERN = /^https?:\/\/[^\s]+$/i;

export function isHttpUrl(value: string): boolean {
	if (!URL_PATTERN.test(value)) return false;
	try {
		const parsed = new URL(value);
		return parsed.protocol === 'http:' || parsed.protocol === 'https:';
	} catch {
		return false;
	}
}

/** "a.b[0].c, d" → [['a','b',0,'c'], ['d']]; commas, semicolons or new lines separate paths. */
export function parsePaths(text: string): FieldPath[] {
	return text
		.split(/[,;\n]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry.length > 0)
		.map(parsePath);
}

export function parsePath(text: string): FieldPath {
	const path: FieldPath = [];
	for (const part of text.replace(/^\$json\./, '').split('.')) {
		const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
		if (!match) {
			path.push(part);
			continue;
		}
		if (match[1]) path.push(match[1]);
		for (const index of match[2].matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
	}
	return path;
}

export function pathLabel(path: FieldPath): string {
	return path.reduce<string>((label, key) => (typeof key === 'number' ? `${label}[${key}]` : label ? `${label}.${key}` : key), '');
}

export function valueAt(root: unknown, path: FieldPath): unknown {
	let current: unknown = root;
	for (const key of path) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string | number, unknown>)[key];
	}
	return current;
}

/** Binary property names allow letters, digits, "_" and "-"; everything else becomes "_". */
export function binaryName(path: FieldPath, fallback: string): string {
	const joined = path.map(String).join('_').replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
	return joined || fallback;
}

/** Every http(s) string under `root`, breadth first (so shallow fields name the file), each URL once. */
export function collectUrls(root: unknown, base: FieldPath = []): Array<{ url: string; paths: FieldPath[] }> {
	const byUrl = new Map<string, FieldPath[]>();
	let level: Array<{ value: unknown; path: FieldPath }> = [{ value: root, path: base }];
	for (let depth = 0; level.length > 0 && depth <= MAX_DEPTH; depth++) {
		const next: typeof level = [];
		for (const { value, path } of level) {
			if (typeof value === 'string' && isHttpUrl(value)) {
				const paths = byUrl.get(value);
				if (paths) paths.push(path);
				else byUrl.set(value, [path]);
			} else if (Array.isArray(value)) {
				value.forEach((entry, index) => next.push({ value: entry, path: [...path, index] }));
			} else if (value !== null && typeof value === 'object') {
				for (const [key, entry] of Object.entries(value)) next.push({ value: entry, path: [...path, key] });
			}
		}
		level = next;
	}
	return [...byUrl].map(([url, paths]) => ({ url, paths }));
}

/** What to download for one item, and under which binary names. */
export function planUrls(json: IDataObject, source: UrlSource, allowedHosts: string[]): UrlPlan {
	const plan: UrlPlan = { urls: [], skipped: [], searched: '', missing: [], notUrls: [] };
	let found: Array<{ url: string; paths: FieldPath[]; root: FieldPath }> = [];
	if (source.kind === 'paths') {
		plan.searched = source.paths.map(pathLabel).join(', ');
		const seen = new Map<string, { url: string; paths: FieldPath[]; root: FieldPath }>();
		for (const path of source.paths) {
			const value = valueAt(json, path);
			if (value === undefined || value === null || value === '') {
				plan.missing.push(pathLabel(path));
				continue;
			}
			if (typeof value === 'string' && !isHttpUrl(value)) {
				plan.notUrls.push({ label: pathLabel(path), value: value.slice(0, 60) });
				continue;
			}
			for (const entry of collectUrls(value, path)) {
				const known = seen.get(entry.url);
				if (known) known.paths.push(...entry.paths);
				else seen.set(entry.url, { ...entry, root: [] });
			}
		}
		found = [...seen.values()];
	} else {
		const field = source.kind === 'field' ? parsePath(source.field) : [];
		const useField = field.length > 0 && valueAt(json, field) !== undefined;
		const root = useField ? field : [];
		plan.searched = useField ? `"${pathLabel(field)}"` : 'the whole item';
		found = collectUrls(useField ? valueAt(json, field) : json, root).map((entry) => ({ ...entry, root }));
	}
	const taken = new Set<string>();
	for (const { url, paths, root } of found) {
		const host = hostOf(url);
		if (allowedHosts.length > 0 && !hostAllowed(url, allowedHosts)) {
			plan.skipped.push({ label: pathLabel(paths[0]), host });
			continue;
		}
		const relative = paths[0].slice(root.length);
		const base = binaryName(relative.length > 0 ? relative : paths[0], 'file');
		let name = base;
		for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
		taken.add(name);
		plan.urls.push({ url, paths, name, label: pathLabel(paths[0]) });
	}
	return plan;
}

/** Host patterns: `example.com`, `*.example.com` (subdomains and the domain itself), `host:port`. */
export function parseHosts(text: string): string[] {
	return text
		.split(/[\s,;]+/)
		.map((entry) => entry.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, ''))
		.filter((entry) => entry.length > 0);
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return '';
	}
}

/** A copy of `value` without the given paths (object keys dropped, array entries removed). */
export function withoutPaths<T>(value: T, paths: FieldPath[]): T {
	const drop = new Set(paths.map((path) => JSON.stringify(path)));
	const walk = (current: unknown, path: FieldPath): unknown => {
		if (Array.isArray(current)) {
			return current.flatMap((entry, index) => {
				const child = [...path, index];
				return drop.has(JSON.stringify(child)) ? [] : [walk(entry, child)];
			});
		}
		if (current !== null && typeof current === 'object') {
			const out: Record<string, unknown> = {};
			for (const [key, entry] of Object.entries(current)) {
				const child = [...path, key];
				if (!drop.has(JSON.stringify(child))) out[key] = walk(entry, child);
			}
			return out;
		}
		return current;
	};
	return walk(value, []) as T;
}
