/*
 * The documented limits of POST /v2/ask, checked before anything is sent so that a workflow
 * learns which parameter is wrong without spending a request (PROVIDERS.md section 2).
 */

export const MAX_QUESTION_CHARS = 256;
export const MAX_IMAGES_PER_JOB = 64;
export const MAX_URL_CHARS = 512;
export const MAX_ID_CHARS = 64;
export const MAX_EXAMPLES = 3;

/** An input the provider would refuse: what is wrong and what to do. */
export class InputProblem extends Error {
	readonly hint: string;

	constructor(message: string, hint: string) {
		super(message);
		this.hint = hint;
	}
}

export interface AskImage {
	url?: string;
	/** Base64 of the file. */
	blob?: string;
	customId?: string;
}

export interface AskExamples {
	yes?: string[];
	no?: string[];
}

export function checkQuestion(value: unknown): string {
	const question = typeof value === 'string' ? value.trim() : '';
	if (!question) throw new InputProblem('The question is empty', 'Write a yes/no question, e.g. "Is the garage door open?".');
	if (question.length > MAX_QUESTION_CHARS) {
		throw new InputProblem(
			`The question is ${question.length} characters long; Image Intelligence takes at most ${MAX_QUESTION_CHARS}`,
			'Shorten the question. Nothing was sent.',
		);
	}
	return question;
}

/** An http(s) URL of at most 512 characters. */
export function checkUrl(url: string, label: string): string {
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
		throw new InputProblem(`${label} is not an http(s) URL: ${url.slice(0, 80)}`, 'Image Intelligence downloads images itself, so each one needs a public http or https address.');
	}
	if (url.length > MAX_URL_CHARS) {
		throw new InputProblem(
			`${label} is ${url.length} characters long; Image Intelligence takes at most ${MAX_URL_CHARS}`,
			'Use a shorter link (e.g. without tracking parameters), or send the image as a binary file instead.',
		);
	}
	return url;
}

/** An optional id (customId, feedId) of at most 64 characters; empty means absent. */
export function checkId(value: unknown, label: string): string | undefined {
	const id = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (!id) return undefined;
	if (id.length > MAX_ID_CHARS) {
		throw new InputProblem(`${label} is ${id.length} characters long; Image Intelligence takes at most ${MAX_ID_CHARS}`, `Shorten "${label}".`);
	}
	return id;
}

/** 1 to 3 example URLs, or none at all. */
export function checkExamples(urls: string[], label: string): string[] | undefined {
	if (urls.length === 0) return undefined;
	if (urls.length > MAX_EXAMPLES) {
		throw new InputProblem(
			`${label} has ${urls.length} URLs; Image Intelligence takes 1 to ${MAX_EXAMPLES}`,
			`Keep the ${MAX_EXAMPLES} most typical examples. Nothing was sent.`,
		);
	}
	return urls.map((url, index) => checkUrl(url, `${label} #${index + 1}`));
}

/**
 * URLs from a parameter: a list (an expression returning an array) or text holding one or more
 * URLs separated by new lines, spaces or commas (a comma inside a URL stays part of it).
 */
export function urlList(value: unknown): string[] {
	if (Array.isArray(value)) return value.flatMap((entry: unknown) => urlList(entry));
	if (value && typeof value === 'object' && typeof (value as { url?: unknown }).url === 'string') {
		return urlList((value as { url: string }).url);
	}
	if (typeof value !== 'string') return [];
	return value
		.split(/\s+/)
		.flatMap((part) => part.split(/,(?=https?:\/\/)/i))
		.map((part) => part.replace(/^,+|,+$/g, ''))
		.filter((part) => part !== '');
}

/**
 * Images in jobs of at most 64, as even as possible (65 → 33 + 32), in their order, so each job
 * takes about as long as the others.
 */
export function splitIntoJobs<T>(images: readonly T[], max = MAX_IMAGES_PER_JOB): T[][] {
	if (images.length === 0) return [];
	const jobs = Math.ceil(images.length / max);
	const base = Math.floor(images.length / jobs);
	const larger = images.length % jobs;
	const out: T[][] = [];
	let start = 0;
	for (let job = 0; job < jobs; job++) {
		const size = base + (job < larger ? 1 : 0);
		out.push(images.slice(start, start + size));
		start += size;
	}
	return out;
}
