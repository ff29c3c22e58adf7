import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ApiClient } from '../../../shared/http/client';
import type { ItemOutcome } from '../../../shared/router';
import { imageRefProperties } from '../common';
import { exportOptionsProperty, exportSettingsProperties, runExport } from './exportSettings';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node after Session → Upload (or after Image → Analyze, whose SEO filename then names the files). Items of the same session are exported in one streamed request (1 credit per image).',
		name: 'exportNotice',
		type: 'notice',
		default: '',
	},
	...imageRefProperties,
	...exportSettingsProperties,
	exportOptionsProperty('export'),
];

export const description = updateDisplayOptions({ show: { resource: ['image'], operation: ['export'] } }, properties);

export async function executeBatch(context: IExecuteFunctions, client: ApiClient): Promise<ItemOutcome[]> {
	return await runExport(context, client, 'export');
}
