import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

/**
 * The one naming rule for every file the pack makes (Archive Outputs, EyeQuant Wait for Completion's
 * Download Outputs, the EyeQuant Trigger): `<job id>_<output name>` plus the extension of its type,
 * e.g. `5f2c…_attentionMap.png`. Unique per job, so many items' files written to one folder never
 * overwrite each other. Characters a file system may refuse become `-`.
 */
export function jobFileBaseName(jobId: string, outputName: string): string {
	return `${safe(jobId)}_${safe(outputName)}`;
}

/** Where an item names its job, first match wins: our own fields, then the providers' raw answers. */
const JOB_ID_FIELDS = ['jobId', 'screenshotId', 'job_id', 'id'] as const;

/**
 * The job an item is about, for `jobFileBaseName`: its job id field, or (an item from elsewhere with
 * no id) a short hash of the link without its query, which is the same for the same result file and
 * differs between files. `url` is that link.
 */
export function itemJobKey(json: IDataObject, url: string): string {
	for (const field of JOB_ID_FIELDS) {
		const value = json[field];
		if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
	}
	return createHash('sha256').update(url.split(/[?#]/)[0]).digest('hex').slice(0, 12);
}

function safe(part: string): string {
	return part.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^\.+/, '') || 'file';
}
