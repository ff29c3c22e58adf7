import type { IDataObject } from 'n8n-workflow';

import type { PiqueResult } from './schemas';

/** The fields every flattened result may have; a detector's score field never takes one of them. */
export const RESULT_FIELDS = [
	'jobId',
	'status',
	'judgeId',
	'contentId',
	'overallScore',
	'passed',
	'failedDetectors',
	'error',
	'event',
	'timestamp',
	'detector_results',
	'raw',
] as const;

const RESERVED = new Set<string>(RESULT_FIELDS);
const MAX_BASE_LENGTH = 60;

/**
 * A Pique result as one flat item for no-code use: `jobId`, `status`, `judgeId`, `overallScore`,
 * `passed` (every detector passed), one `<detector>Score` field per detector (see
 * `detectorFieldNames`), `failedDetectors`, `error` for a failed job; the detector results and the
 * whole answer stay under `detector_results` and `raw`. Pure: no I/O, no clock.
 */
export function flattenResult(result: PiqueResult): IDataObject {
	const detectors = result.detector_results ?? [];
	const flat: IDataObject = {
		jobId: result.job_id,
		status: result.status,
		judgeId: result.judge_id ?? undefined,
		contentId: result.content_id ?? undefined,
		overallScore: result.overall_score ?? undefined,
		passed: detectors.length > 0 ? detectors.every((detector) => detector.pass_check === true) : undefined,
	};
	const fields = detectorFieldNames(detectors.map((detector) => detector.detector_name));
	detectors.forEach((detector, index) => {
		flat[fields[index]] = detector.score ?? null;
	});
	if (detectors.length > 0) {
		flat.failedDetectors = detectors.filter((detector) => detector.pass_check !== true).map((detector) => detector.detector_name);
	}
	flat.error = describeError(result.error);
	flat.event = result.event ?? undefined;
	flat.timestamp = result.timestamp ?? undefined;
	if (result.detector_results) flat.detector_results = result.detector_results as IDataObject[];
	flat.raw = result as IDataObject;
	return withoutUndefined(flat);
}

/**
 * The output field of each detector's score, in the same order: the detector name in camelCase
 * with accents dropped and only ASCII letters and digits kept, then `Score`
 * (`hook_strength` → `hookStrengthScore`, `Brand Safety` → `brandSafetyScore`,
 * `CTA-clarity` → `ctaClarityScore`). A name that starts with a digit, or would take a field of
 * the result itself (`overall` → `overallScore`), gets a `detector` prefix
 * (`3s_hook` → `detector3sHookScore`, `detectorOverallScore`); a name with no letters or digits
 * becomes `detector<position>Score`; a repeated name gets 2, 3, ... (`hookStrength2Score`).
 */
export function detectorFieldNames(names: readonly string[]): string[] {
	const taken = new Set<string>();
	return names.map((name, index) => {
		let base = camelCase(name) || `detector${index + 1}`;
		if (/^[0-9]/.test(base) || RESERVED.has(`${base}Score`)) base = `detector${capitalise(base)}`;
		let field = `${base}Score`;
		for (let n = 2; taken.has(field) || RESERVED.has(field); n++) field = `${base}${n}Score`;
		taken.add(field);
		return field;
	});
}

function camelCase(name: string): string {
	const words = name
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.split(/[^A-Za-z0-9]+/)
		.filter(Boolean)
		.map((word) => (word === word.toUpperCase() ? word.toLowerCase() : word));
	const joined = words.map((word, index) => (index === 0 ? word[0].toLowerCase() + word.slice(1) : capitalise(word))).join('');
	return joined.slice(0, MAX_BASE_LENGTH);
}

function capitalise(word: string): string {
	return word ? word[0].toUpperCase() + word.slice(1) : word;
}

function describeError(error: PiqueResult['error']): string | undefined {
	if (error === null || error === undefined || error === '') return undefined;
	if (typeof error === 'string') return error;
	const message = error.message ?? error.detail;
	return typeof message === 'string' ? message : JSON.stringify(error);
}

function withoutUndefined(value: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}
