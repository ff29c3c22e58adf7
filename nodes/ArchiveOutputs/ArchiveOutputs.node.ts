import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsCollection } from '../shared/descriptions';
import { runPerItem } from '../shared/items';
import { archiveItem } from './archive';
import type { ArchiveSettings } from './archive';
import { parseHosts, parsePaths } from './find-urls';
import type { UrlSource } from './find-urls';
import { createLimiter } from './limiter';
import { docsUrl } from '../shared/docs';

const DEFAULT_CONCURRENCY = 8;

export class ArchiveOutputs implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Archive Outputs',
		name: 'archiveOutputs',
		icon: { light: 'file:archiveoutputs.svg', dark: 'file:archiveoutputs.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["source"] === "paths" ? $parameter["paths"] : $parameter["source"] === "item" ? "whole item" : $parameter["field"]}}',
		description: 'Download the result URLs in items (maps, images, files) into binary data before the links expire',
		documentationUrl: docsUrl('archive-outputs'),
		defaults: { name: 'Archive Outputs' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'URLs From',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'One Field',
						value: 'field',
						description: 'Every http(s) link under one field; items without that field are searched whole',
					},
					{ name: 'Whole Item', value: 'item', description: 'Every http(s) link anywhere in the item' },
					{ name: 'Specific Fields', value: 'paths', description: 'Only the fields listed' },
				],
				default: 'field',
			},
			{
				displayName: 'Field',
				name: 'field',
				type: 'string',
				default: 'outputs',
				displayOptions: { show: { source: ['field'] } },
				description:
					'The field to search, e.g. "outputs" (as in a raw EyeQuant answer). An item without this field is searched whole, so the flat output of EyeQuant → Get works as it is.',
				hint: 'Each file is named after where its link was: outputs.attention.attentionMap → binary "attention_attentionMap"',
			},
			{
				displayName: 'Fields',
				name: 'paths',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'attentionMap, raw.outputs.clarity.map',
				displayOptions: { show: { source: ['paths'] } },
				description:
					'Field paths, separated by commas, each holding a link (or an object or list of links). Dots go into objects, [0] into lists.',
				hint: 'Each file is named after its path: raw.outputs.clarity.map → binary "raw_outputs_clarity_map"',
			},
			optionsCollection([
				{
					displayName: 'Allowed Hosts',
					name: 'allowedHosts',
					type: 'string',
					default: '',
					placeholder: '*.amazonaws.com, storage.googleapis.com',
					description:
						'Download only from these hosts (comma-separated; *.example.com includes its subdomains). Other links are left alone. Empty: any host.',
				},
				{
					displayName: 'Concurrency',
					name: 'concurrency',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: 64 },
					default: DEFAULT_CONCURRENCY,
					description: 'How many files are downloaded at the same time, across all items',
				},
				{
					displayName: 'Keep URL Fields',
					name: 'keepUrlFields',
					type: 'boolean',
					default: true,
					description:
						'Whether to keep the link fields in the item. Off: fields whose file was archived are removed (the links die anyway).',
				},
				{
					displayName: 'Max File Size (MB)',
					name: 'maxFileSizeMb',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description: 'A larger file fails its item instead of being stored. 0: no limit.',
				},
				{
					displayName: 'Retries',
					name: 'retries',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 10 },
					default: 2,
					description:
						'How often a download is tried again after a dropped connection or a 429/5xx answer. An expired link is never retried.',
				},
				{
					displayName: 'Timeout (Seconds)',
					name: 'timeout',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 60,
					description: 'How long to wait for an answer, and then for each next piece of a file',
				},
			]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const concurrency = concurrencyOf(this);
		const limit = createLimiter(concurrency);
		const noUrls: number[] = [];
		const skippedHosts = new Set<string>();
		let searched = '';
		const items = this.getInputData();
		const output = await runPerItem(this, concurrency, async (itemIndex) => {
			const { item, plan } = await archiveItem(this, itemIndex, items[itemIndex], settingsOf(this, itemIndex), limit);
			for (const { host } of plan.skipped) skippedHosts.add(host);
			if (plan.urls.length === 0) {
				noUrls.push(itemIndex);
				searched ||= plan.searched;
			}
			return item;
		});
		if (noUrls.length > 0) {
			const message = `${noUrls.length} of ${items.length} item(s) had no http(s) links in ${searched || 'the fields searched'} and passed through unchanged`;
			this.logger.info(`Archive Outputs: ${message} (items ${noUrls.sort((a, b) => a - b).join(', ')})`);
			this.addExecutionHints({ message, type: 'info', location: 'outputPane' });
		}
		if (skippedHosts.size > 0) {
			const message = `Links on hosts that are not in "Allowed Hosts" were left alone: ${[...skippedHosts].join(', ')}`;
			this.logger.info(`Archive Outputs: ${message}`);
			this.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
		}
		return [output];
	}
}

function concurrencyOf(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as { concurrency?: number };
	return options.concurrency ?? DEFAULT_CONCURRENCY;
}

function settingsOf(context: IExecuteFunctions, itemIndex: number): ArchiveSettings {
	const options = context.getNodeParameter('options', itemIndex, {}) as {
		allowedHosts?: string;
		keepUrlFields?: boolean;
		maxFileSizeMb?: number;
		retries?: number;
		timeout?: number;
	};
	const kind = context.getNodeParameter('source', itemIndex, 'field') as string;
	let source: UrlSource;
	if (kind === 'paths') source = { kind, paths: parsePaths(context.getNodeParameter('paths', itemIndex, '') as string) };
	else if (kind === 'item') source = { kind };
	else source = { kind: 'field', field: (context.getNodeParameter('field', itemIndex, 'outputs') as string).trim() };
	const maxMb = options.maxFileSizeMb ?? 0;
	return {
		source,
		allowedHosts: parseHosts(options.allowedHosts ?? ''),
		keepUrlFields: options.keepUrlFields ?? true,
		maxBytes: maxMb > 0 ? Math.round(maxMb * 1024 * 1024) : undefined,
		timeoutMs: Math.round((options.timeout ?? 60) * 1000),
		tries: Math.max(0, Math.floor(options.retries ?? 2)) + 1,
	};
}
