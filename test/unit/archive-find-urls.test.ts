import {
	binaryName,
	collectUrls,
	hostAllowed,
	parseHosts,
	parsePaths,
	pathLabel,
	planUrls,
	withoutPaths,
} from '../../nodes/ArchiveOutputs/find-urls';

const S3 = 'https://bucket.s3.amazonaws.com';

describe('planUrls', () => {
	const raw = {
		id: 'abc',
		status: 'success',
		outputs: {
			attention: { attentionMap: `${S3}/a.png?X-Amz-Signature=1`, hotspotsMap: `${S3}/h.png?sig=2` },
			clarity: { score: 71, map: `${S3}/c.png` },
			input: { image: `${S3}/in.png` },
		},
	};

	it('names each binary after its path under the field, segments joined with "_"', () => {
		const plan = planUrls(raw, { kind: 'field', field: 'outputs' }, []);
		expect(plan.urls.map(({ name, label }) => [name, label])).toEqual([
			['attention_attentionMap', 'outputs.attention.attentionMap'],
			['attention_hotspotsMap', 'outputs.attention.hotspotsMap'],
			['clarity_map', 'outputs.clarity.map'],
			['input_image', 'outputs.input.image'],
		]);
		expect(plan.searched).toBe('"outputs"');
	});

	it('searches the whole item when it has no such field (EyeQuant Get\'s flat output), shallow fields first, each URL once', () => {
		const flat = {
			screenshotId: 'abc',
			attentionMap: raw.outputs.attention.attentionMap,
			clarityMap: raw.outputs.clarity.map,
			raw,
		};
		const plan = planUrls(flat, { kind: 'field', field: 'outputs' }, []);
		expect(plan.searched).toBe('the whole item');
		expect(plan.urls.map(({ name }) => name)).toEqual([
			'attentionMap',
			'clarityMap',
			'raw_outputs_attention_hotspotsMap',
			'raw_outputs_input_image',
		]);
		expect(plan.urls[0].paths).toEqual([['attentionMap'], ['raw', 'outputs', 'attention', 'attentionMap']]);
	});

	it('takes explicit paths, with list indexes, and reports missing ones and values that are not links', () => {
		const item = { images: [{ url: `${S3}/0.png` }, { url: `${S3}/1.png` }], note: 'hello', empty: '' };
		const plan = planUrls(item, { kind: 'paths', paths: parsePaths('images[1].url, missing.field, note, empty') }, []);
		expect(plan.urls.map(({ name, url }) => [name, url])).toEqual([['images_1_url', `${S3}/1.png`]]);
		expect(plan.missing).toEqual(['missing.field', 'empty']);
		expect(plan.notUrls).toEqual([{ label: 'note', value: 'hello' }]);
	});

	it('an explicit path to an object takes every link under it', () => {
		const plan = planUrls(raw, { kind: 'paths', paths: parsePaths('outputs.attention') }, []);
		expect(plan.urls.map(({ name }) => name)).toEqual(['outputs_attention_attentionMap', 'outputs_attention_hotspotsMap']);
	});

	it('leaves links on hosts outside the allow-list alone', () => {
		const item = { outputs: { a: `${S3}/a.png`, b: 'https://evil.example.net/x.png', c: 'http://127.0.0.1:4010/s3/c.png' } };
		const plan = planUrls(item, { kind: 'field', field: 'outputs' }, parseHosts('*.amazonaws.com, 127.0.0.1:4010'));
		expect(plan.urls.map(({ name }) => name)).toEqual(['a', 'c']);
		expect(plan.skipped).toEqual([{ label: 'outputs.b', host: 'evil.example.net' }]);
	});

	it('never gives two URLs the same binary name', () => {
		const plan = planUrls({ 'a b': `${S3}/1.png`, a_b: `${S3}/2.png` }, { kind: 'item' }, []);
		expect(plan.urls.map(({ name }) => name)).toEqual(['a_b', 'a_b_2']);
	});

	it('finds nothing in an item without links', () => {
		const plan = planUrls({ text: 'see https://example.com for more', n: 1, list: ['ftp://x/y'] }, { kind: 'item' }, []);
		expect(plan.urls).toEqual([]);
	});
});

describe('helpers', () => {
	it('collectUrls accepts only whole http(s) strings', () => {
		expect(collectUrls({ a: 'HTTPS://X.example/a', b: 'mailto:x@y', c: 'http://', d: ' https://x.example/ ' })).toEqual([
			{ url: 'HTTPS://X.example/a', paths: [['a']] },
		]);
	});

	it('parsePaths / pathLabel round trip', () => {
		expect(parsePaths('a.b[0].c; $json.d\ne[2][3]')).toEqual([['a', 'b', 0, 'c'], ['d'], ['e', 2, 3]]);
		expect(pathLabel(['a', 'b', 0, 'c'])).toBe('a.b[0].c');
	});

	it('binaryName keeps letters, digits, "_" and "-"', () => {
		expect(binaryName(['outputs', 'attention', 'attentionMap'], 'file')).toBe('outputs_attention_attentionMap');
		expect(binaryName(['a b', 0, 'ü'], 'file')).toBe('a_b_0');
		expect(binaryName([], 'file')).toBe('file');
	});

	it('hostAllowed: exact hosts, wildcard subdomains (and the domain), host:port', () => {
		expect(hostAllowed('https://x.s3.amazonaws.com/a', ['*.amazonaws.com'])).toBe(true);
		expect(hostAllowed('https://amazonaws.com/a', ['*.amazonaws.com'])).toBe(true);
		expect(hostAllowed('https://notamazonaws.com/a', ['*.amazonaws.com'])).toBe(false);
		expect(hostAllowed('http://127.0.0.1:4010/a', ['127.0.0.1'])).toBe(true);
		expect(hostAllowed('http://127.0.0.1:4011/a', ['127.0.0.1:4010'])).toBe(false);
		expect(parseHosts(' https://A.example.com/path, b.example.com ')).toEqual(['a.example.com', 'b.example.com']);
	});

	it('withoutPaths drops keys and list entries, leaving the rest', () => {
		const value = { a: { b: 1, c: 2 }, list: ['x', 'y', 'z'] };
		expect(withoutPaths(value, [['a', 'b'], ['list', 1]])).toEqual({ a: { c: 2 }, list: ['x', 'z'] });
		expect(value.list).toHaveLength(3);
	});
});

describe('checkLinkHop: the one check of every link and redirect hop', () => {
	it('refuses non-http(s), user info and hosts outside Allowed Hosts (n8n\'s egress policy is the client\'s, see test/engine/security/egress.test.ts)', async () => {
		const { checkLinkHop } = await import('../../nodes/shared/http/hops');
		expect(checkLinkHop(new URL('ftp://files.example.com/a'), undefined)).toEqual({ reason: 'ftp links are not fetched, only http(s)' });
		expect(checkLinkHop(new URL('https://user:pw@files.example.com/a'), undefined)).toEqual({
			reason: 'links with a user name or password in them are not fetched',
		});
		expect(checkLinkHop(new URL('https://evil.example.org/a'), { allowedHosts: ['*.example.com'] })).toEqual({
			reason: 'evil.example.org is not in "Allowed Hosts"',
		});
		expect(checkLinkHop(new URL('https://cdn.example.com/a'), { allowedHosts: ['*.example.com'] })).toBeUndefined();
	});
});
