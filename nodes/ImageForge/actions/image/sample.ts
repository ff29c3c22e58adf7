import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { imageRefProperties } from '../common';
import { SAMPLE_LIMIT, exportOptionsProperty, exportSettingsProperties, runExport } from './exportSettings';

const properties: INodeProperties[] = [
	{
		displayName: `A free preview of Export for at most ${SAMPLE_LIMIT} images per session; more are refused before anything is sent. Connect this node after Session → Upload or Image → Analyze.`,
		name: 'sampleNotice',
		type: 'notice',
		default: '',
	},
	...imageRefProperties,
	...exportSettingsProperties,
	exportOptionsProperty('sample'),
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['sample'] } }, properties);

export async function executeBatch(context: IExecuteFunctions, client: ApiClient): Promise<ItemOutcome[]> {
	return await runExport(context, client, 'sample');
}
