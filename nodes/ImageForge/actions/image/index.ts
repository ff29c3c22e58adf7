import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/router';
import type { ImageForgeOperations } from '../node.type';
import * as analyze from './analyze';
import * as analyzeSingle from './analyzeSingle';
import * as exportImages from './export';
import * as sample from './sample';

export { analyze, analyzeSingle, exportImages as export, sample };

export const description: INodeProperties[] = [
	operationSelector<ImageForgeOperations, 'image'>(
		'image',
		[
			{
				name: 'Analyze',
				value: 'analyze',
				description: 'Write SEO metadata (title, alt text, caption, description, filename, tags) for uploaded images, streamed',
				action: 'Analyze images',
			},
			{
				name: 'Analyze Single',
				value: 'analyzeSingle',
				description: 'Write SEO metadata for one image per request, without a stream',
				action: 'Analyze a single image',
			},
			{
				name: 'Export',
				value: 'export',
				description: 'Export optimised files (WebP, AVIF, JPEG, PNG) with optional responsive widths',
				action: 'Export images',
			},
			{
				name: 'Sample',
				value: 'sample',
				description: `Preview an export of up to 5 images for free`,
				action: 'Sample an export',
			},
		],
		'analyze',
	),
	...analyze.description,
	...analyzeSingle.description,
	...exportImages.description,
	...sample.description,
];
