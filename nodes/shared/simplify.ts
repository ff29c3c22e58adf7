import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

const SIMPLIFY_DESCRIPTION =
	'Whether to leave out the provider\'s whole answer (raw) and long signed links (map, image and upload URLs with their access tokens), keeping IDs, status, scores and binary files. Keeps an AI agent\'s context small.';

/**
 * n8n's usual Simplify switch, on by default where the node runs as an AI agent's tool (n8n's
 * convention for tools: the model reads every field it is given), off by default on the canvas so
 * workflows saved before it existed keep their items unchanged. Read by the shared router.
 */
export const simplifyProperties: INodeProperties[] = [
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: false,
		displayOptions: { show: { '@tool': [false] } },
		description: SIMPLIFY_DESCRIPTION,
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@tool': [true] } },
		description: SIMPLIFY_DESCRIPTION,
	},
];

/** A link that carries an access token or signature in its query, or any link longer than this. */
const LONG_URL = 200;
const SIGNED = /[?&](x-amz-[a-z-]+|signature|sig|token|access_token|expires|x-goog-[a-z-]+)=/i;

function isLongSignedUrl(value: string): boolean {
	if (!/^https?:\/\//i.test(value)) return false;
	return value.length > LONG_URL || SIGNED.test(value);
}

function simplifyValue(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((entry) => !(typeof entry === 'string' && isLongSignedUrl(entry))).map(simplifyValue);
	if (value && typeof value === 'object') return simplifyJson(value as IDataObject);
	return value;
}

/** The item's fields without `raw` and without long signed links, at any depth; everything else as it was. */
export function simplifyJson(json: IDataObject): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(json)) {
		if (key === 'raw') continue;
		if (typeof value === 'string' && isLongSignedUrl(value)) continue;
		out[key] = simplifyValue(value) as IDataObject[keyof IDataObject];
	}
	return out;
}

/** Output items with `simplifyJson` applied to their JSON (binary data stays). */
export function simplifyItems(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item) => ({ ...item, json: simplifyJson(item.json) }));
}
