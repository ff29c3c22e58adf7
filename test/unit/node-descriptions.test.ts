/**
 * What a user reads in the editor, checked on every node description of the pack: the Docs link
 * lands on the node's README section, and the option texts read as sentences.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeType } from 'n8n-workflow';

import { ArchiveOutputs } from '../../nodes/ArchiveOutputs/ArchiveOutputs.node';
import { EyeQuant } from '../../nodes/EyeQuant/EyeQuant.node';
import { EyeQuantTrigger } from '../../nodes/EyeQuant/EyeQuantTrigger.node';
import { ImageForge } from '../../nodes/ImageForge/ImageForge.node';
import { ImageIntelligence } from '../../nodes/ImageIntelligence/ImageIntelligence.node';
import { ImageIntelligenceTrigger } from '../../nodes/ImageIntelligenceTrigger/ImageIntelligenceTrigger.node';
import { Pique } from '../../nodes/Pique/Pique.node';
import { PiqueTrigger } from '../../nodes/Pique/PiqueTrigger.node';
import { PiqueWebhookTrigger } from '../../nodes/PiqueWebhookTrigger/PiqueWebhookTrigger.node';
import { VisualAiTrigger } from '../../nodes/VisualAiTrigger/VisualAiTrigger.node';

const NODES: INodeType[] = [
	new EyeQuant(),
	new EyeQuantTrigger(),
	new ImageIntelligence(),
	new Pique(),
	new PiqueTrigger(),
	new PiqueWebhookTrigger(),
	new ImageIntelligenceTrigger(),
	new ImageForge(),
	new VisualAiTrigger(),
	new ArchiveOutputs(),
];

const README = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N} -]/gu, '')
		.replace(/ /g, '-');
}

const ANCHORS = new Set(
	README.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => slug(line.replace(/^#+ /, ''))),
);

/** Every text the panel shows for a parameter tree: descriptions, names, hints. */
function texts(properties: Array<INodeProperties | INodePropertyOptions | INodePropertyCollection>): string[] {
	const out: string[] = [];
	for (const property of properties) {
		for (const key of ['displayName', 'name', 'description', 'hint', 'action'] as const) {
			const value = (property as unknown as Record<string, unknown>)[key];
			if (typeof value === 'string') out.push(value);
		}
		if ('options' in property && Array.isArray(property.options)) out.push(...texts(property.options));
		if ('values' in property && Array.isArray(property.values)) out.push(...texts(property.values));
	}
	return out;
}

describe.each(NODES.map((node) => [node.description.displayName, node] as const))('%s', (_name, node) => {
	it('its Docs link is used by n8n as it is and lands on the node’s README section (not the top of the page)', () => {
		const url = node.description.documentationUrl ?? '';
		// n8n appends its tracking query only to links that do not start with http.
		expect(url).toMatch(/^https:\/\/github\.com\/[^#?]+#[a-z0-9-]+$/);
		expect(ANCHORS).toContain(url.split('#')[1]);
	});

	it('its option texts agree in number ("are … at the same time", "the recommendations are")', () => {
		for (const text of texts(node.description.properties)) {
			expect(text).not.toMatch(/\b(are|is) \w+ run at the same time/);
			expect(text).not.toMatch(/\brecommendations is\b/);
		}
	});
});
