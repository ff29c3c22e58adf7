/**
 * "Wait for the Result", the one parameter of the submitting operations: No | Poll Until Done |
 * Until <provider> Calls Back (EyeQuant, which never calls back: No | Poll Until Done), each mode's
 * own parameters shown only in that mode. Read from the node descriptions as n8n's editor gets them.
 */
import type { INodeProperties, INodeType } from 'n8n-workflow';

import { EyeQuant } from '../../nodes/EyeQuant/EyeQuant.node';
import { ImageIntelligence } from '../../nodes/ImageIntelligence/ImageIntelligence.node';
import { Pique } from '../../nodes/Pique/Pique.node';

/** The properties n8n shows for `resource` → `operation` (those whose display options name it). */
function operationProperties(node: INodeType, resource: string, operation: string): INodeProperties[] {
	return node.description.properties.filter((property) => {
		const show = property.displayOptions?.show;
		return show?.resource?.includes(resource) && show.operation?.includes(operation);
	});
}

const SUBMITTING: Array<[string, INodeType, string, string, string[]]> = [
	['Pique → Evaluation → Upload', new Pique(), 'evaluation', 'upload', ['none', 'poll', 'callback']],
	['Pique → Evaluation → Evaluate Social Media Videos', new Pique(), 'evaluation', 'evaluateSocialMedia', ['none', 'poll', 'callback']],
	['Image Intelligence → Ask → Create', new ImageIntelligence(), 'ask', 'create', ['none', 'poll', 'callback']],
	['EyeQuant → Analysis → Create', new EyeQuant(), 'analysis', 'create', ['none', 'poll']],
];

describe.each(SUBMITTING)('%s', (_label, node, resource, operation, modes) => {
	const properties = operationProperties(node, resource, operation);

	it(`has one "Wait for the Result" (${modes.join(' | ')}), default No, and no other wait switch`, () => {
		const waits = properties.filter((property) => property.name === 'waitMode');
		expect(waits).toHaveLength(1);
		expect(waits[0]).toMatchObject({ displayName: 'Wait for the Result', type: 'options', default: 'none' });
		expect(waits[0].options?.map((option) => 'value' in option && option.value)).toEqual(modes);
		expect(waits[0].options?.[1]).toMatchObject({ name: 'Poll Until Done' });
		expect(properties.map((property) => property.name)).not.toContain('waitForCompletion');
	});

	it("shows Poll Interval and Timeout only in Poll Until Done, Limit Wait Time only in the callback mode", () => {
		const shownIn = (name: string) => properties.find((property) => property.name === name)?.displayOptions?.show?.waitMode;
		expect(shownIn('pollInterval')).toEqual(['poll']);
		expect(shownIn('timeout')).toEqual(['poll']);
		if (modes.includes('callback')) expect(shownIn('waitLimitMinutes')).toEqual(['callback']);
		else expect(properties.map((property) => property.name)).not.toContain('waitLimitMinutes');
	});
});
