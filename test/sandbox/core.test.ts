import { ByteLru } from '../../sandbox/core';
import { FaultEngine, dropField, parseRules } from '../../sandbox/faults';

describe('ByteLru', () => {
	it('keeps the most recently used entries within its byte budget', () => {
		const lru = new ByteLru<Buffer>(100);
		lru.set('a', Buffer.alloc(40));
		lru.set('b', Buffer.alloc(40));
		expect(lru.get('a')).toBeDefined(); // a is now the newest
		lru.set('c', Buffer.alloc(40)); // over budget: b (the oldest) goes
		expect(lru.get('b')).toBeUndefined();
		expect(lru.get('a')).toBeDefined();
		expect(lru.get('c')).toBeDefined();
		lru.set('huge', Buffer.alloc(500)); // bigger than the budget: kept alone
		expect(lru.get('huge')).toBeDefined();
		expect(lru.get('a')).toBeUndefined();
	});
});

describe('fault rules', () => {
	it('counts every matching call and honours every/times', () => {
		const engine = new FaultEngine();
		engine.set(parseRules([{ match: { path: '/x' }, every: 2, times: 2, fault: { type: 'malformedJson' } }]));
		const picks = Array.from({ length: 8 }, () => engine.pick({ method: 'GET', path: '/x/1', provider: 'pique' })?.type ?? '-');
		expect(picks).toEqual(['-', 'malformedJson', '-', 'malformedJson', '-', '-', '-', '-']);
		expect(engine.pick({ method: 'GET', path: '/y', provider: 'pique' })).toBeUndefined();
	});

	it('refuses malformed rules', () => {
		expect(() => parseRules({})).toThrow();
		expect(() => parseRules([{ fault: { type: 'status', status: 42 } }])).toThrow();
		expect(() => parseRules([{ match: { path: { regex: '(' } }, fault: { type: 'malformedJson' } }])).toThrow();
		expect(() => parseRules([{ fault: { type: 'sseDrop' } }])).toThrow();
	});

	it('drops dotted fields, array indexes included, without touching the original', () => {
		const body = { a: { b: 1, c: 2 }, list: [{ x: 1 }, { x: 2 }] };
		expect(dropField(body, 'a.b')).toEqual({ a: { c: 2 }, list: [{ x: 1 }, { x: 2 }] });
		expect(dropField(body, 'list.1.x')).toEqual({ a: { b: 1, c: 2 }, list: [{ x: 1 }, {}] });
		expect(dropField(body, 'nothing.here')).toEqual(body);
		expect(body.a.b).toBe(1);
	});
});
