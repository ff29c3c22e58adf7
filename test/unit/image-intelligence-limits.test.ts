import { toEpochMs } from '../../nodes/ImageIntelligence/dates';
import { InputProblem, checkExamples, checkId, checkQuestion, checkUrl, splitIntoJobs, urlList } from '../../nodes/ImageIntelligence/limits';

function problem(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		if (error instanceof InputProblem) return error.message;
		throw error;
	}
	throw new Error('expected an InputProblem');
}

describe('splitIntoJobs', () => {
	const sizes = (count: number) => splitIntoJobs(Array.from({ length: count }, (_v, n) => n)).map((job) => job.length);

	it('keeps 1 to 64 images in one job', () => {
		expect(sizes(1)).toEqual([1]);
		expect(sizes(64)).toEqual([64]);
		expect(sizes(0)).toEqual([]);
	});

	it('splits above 64 into as few, as even jobs as possible, order kept', () => {
		expect(sizes(65)).toEqual([33, 32]);
		expect(sizes(128)).toEqual([64, 64]);
		expect(sizes(129)).toEqual([43, 43, 43]);
		expect(sizes(130)).toEqual([44, 43, 43]);
		const images = Array.from({ length: 200 }, (_v, n) => n);
		expect(splitIntoJobs(images).flat()).toEqual(images);
		expect(splitIntoJobs(images).every((job) => job.length <= 64)).toBe(true);
	});
});

describe('urlList', () => {
	it('reads lists, text with several URLs, and entries with a url field', () => {
		expect(urlList(['https://a/1.png', ' https://a/2.png ', ''])).toEqual(['https://a/1.png', 'https://a/2.png']);
		expect(urlList('https://a/1.png, https://a/2.png\nhttps://a/3.png')).toEqual(['https://a/1.png', 'https://a/2.png', 'https://a/3.png']);
		expect(urlList('https://a/1.png,https://a/2.png')).toEqual(['https://a/1.png', 'https://a/2.png']);
		expect(urlList('https://a/img?size=1,2')).toEqual(['https://a/img?size=1,2']);
		expect(urlList([{ url: 'https://a/1.png' }])).toEqual(['https://a/1.png']);
		expect(urlList(undefined)).toEqual([]);
		expect(urlList('')).toEqual([]);
	});
});

describe('limits', () => {
	it('question: trimmed, not empty, at most 256', () => {
		expect(checkQuestion('  Is it open?  ')).toBe('Is it open?');
		expect(checkQuestion('q'.repeat(256))).toHaveLength(256);
		expect(problem(() => checkQuestion('q'.repeat(257)))).toBe('The question is 257 characters long; Image Intelligence takes at most 256');
		expect(problem(() => checkQuestion(' '))).toBe('The question is empty');
	});

	it('URLs: http(s), at most 512', () => {
		expect(checkUrl('https://a.example/x.png', 'Image')).toBe('https://a.example/x.png');
		const long = `https://a.example/${'x'.repeat(494)}`;
		expect(long).toHaveLength(512);
		expect(checkUrl(long, 'Image')).toBe(long);
		expect(problem(() => checkUrl(`${long}x`, 'Image'))).toBe('Image is 513 characters long; Image Intelligence takes at most 512');
		expect(problem(() => checkUrl('data:image/png;base64,AAAA', 'Image'))).toBe('Image is not an http(s) URL: data:image/png;base64,AAAA');
	});

	it('ids: optional, at most 64', () => {
		expect(checkId('', 'Custom ID')).toBeUndefined();
		expect(checkId(42, 'Custom ID')).toBe('42');
		expect(checkId('c'.repeat(64), 'Custom ID')).toHaveLength(64);
		expect(problem(() => checkId('c'.repeat(65), 'Custom ID'))).toBe('Custom ID is 65 characters long; Image Intelligence takes at most 64');
	});

	it('examples: none, or 1 to 3 valid URLs', () => {
		expect(checkExamples([], 'Yes Examples')).toBeUndefined();
		expect(checkExamples(['https://a/1.png', 'https://a/2.png', 'https://a/3.png'], 'Yes Examples')).toHaveLength(3);
		expect(problem(() => checkExamples(['https://a/1', 'https://a/2', 'https://a/3', 'https://a/4'], 'Yes Examples'))).toBe(
			'Yes Examples has 4 URLs; Image Intelligence takes 1 to 3',
		);
		expect(problem(() => checkExamples(['https://a/1', 'nope'], 'No Examples'))).toBe('No Examples #2 is not an http(s) URL: nope');
	});
});

describe('toEpochMs (Search date filters)', () => {
	it('empty means no filter', () => {
		expect(toEpochMs('', 'UTC')).toBeUndefined();
		expect(toEpochMs(undefined, 'UTC')).toBeUndefined();
	});

	it('values with an offset or Z are exact, whatever the time zone', () => {
		expect(toEpochMs('2024-05-01T10:00:00Z', 'Europe/Berlin')).toBe(Date.UTC(2024, 4, 1, 10));
		expect(toEpochMs('2024-05-01T12:00:00+02:00', 'America/New_York')).toBe(Date.UTC(2024, 4, 1, 10));
	});

	it('picker values without an offset are wall-clock time in the workflow time zone, DST included', () => {
		expect(toEpochMs('2024-05-01T10:00:00', 'UTC')).toBe(Date.UTC(2024, 4, 1, 10));
		expect(toEpochMs('2024-05-01T12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 4, 1, 10));
		expect(toEpochMs('2024-01-15T11:00:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 0, 15, 10));
		expect(toEpochMs('2024-05-01 06:00', 'America/New_York')).toBe(Date.UTC(2024, 4, 1, 10));
		expect(toEpochMs('2024-05-01', 'Asia/Tokyo')).toBe(Date.UTC(2024, 3, 30, 15));
		expect(toEpochMs('2024-05-01T10:00:00.250', 'UTC')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
	});

	it('numbers, Dates, luxon-like objects and digit strings', () => {
		expect(toEpochMs(1714557600000, 'UTC')).toBe(1714557600000);
		expect(toEpochMs('1714557600000', 'UTC')).toBe(1714557600000);
		expect(toEpochMs(new Date(1714557600000), 'UTC')).toBe(1714557600000);
		expect(toEpochMs({ toMillis: () => 1714557600000 }, 'UTC')).toBe(1714557600000);
	});

	it('unreadable values are NaN (the node then names the filter)', () => {
		expect(toEpochMs('yesterday-ish', 'UTC')).toBeNaN();
		expect(toEpochMs({}, 'UTC')).toBeNaN();
	});
});

describe('toEpochMs: free-form dates in the workflow zone (issue 13)', () => {
	test('"04/11/2023 14:30" in a Europe/Athens workflow is 14:30 in Athens (11:30 UTC), whatever the server zone', () => {
		expect(toEpochMs('04/11/2023 14:30', 'Europe/Athens')).toBe(Date.UTC(2023, 3, 11, 11, 30));
		expect(toEpochMs('April 11, 2023 14:30', 'America/New_York')).toBe(Date.UTC(2023, 3, 11, 18, 30));
	});

	test('a free-form date that names its zone keeps it', () => {
		expect(toEpochMs('Tue, 11 Apr 2023 14:30:00 GMT', 'Europe/Athens')).toBe(Date.UTC(2023, 3, 11, 14, 30));
		expect(toEpochMs('04/11/2023 14:30 +0200', 'America/New_York')).toBe(Date.UTC(2023, 3, 11, 12, 30));
		expect(toEpochMs('04/11/2023 14:30 EST', 'Europe/Athens')).toBe(Date.UTC(2023, 3, 11, 19, 30));
	});
});
