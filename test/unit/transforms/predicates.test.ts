import { describe, expect, it } from 'vitest';
import { HasHeaderKey } from '../../../src/transforms/predicates/has-header-key.js';
import { RecordIsTombstone } from '../../../src/transforms/predicates/record-is-tombstone.js';
import { TopicNameMatches } from '../../../src/transforms/predicates/topic-name-matches.js';
import { Filter } from '../../../src/transforms/filter.js';
import { configProblems, make, makePredicate, sinkRecord } from './helpers.js';

describe('TopicNameMatches', () => {
  it('is true when the whole topic matches', () => {
    const p = makePredicate(TopicNameMatches, { pattern: 'my-prefix-.*' });
    expect(p.test(sinkRecord({ topic: 'my-prefix-orders' }))).toBe(true);
    expect(p.test(sinkRecord({ topic: 'x-my-prefix-orders' }))).toBe(false);
    expect(makePredicate(TopicNameMatches, { pattern: 'orders' }).test(sinkRecord({ topic: 'orders-2' }))).toBe(false);
  });

  it('needs a valid, non-empty pattern', () => {
    expect(configProblems(TopicNameMatches, {})[0].key).toBe('pattern');
    expect(configProblems(TopicNameMatches, { pattern: '[' })[0].message).toMatch(/Java-compatible regular expression/);
    expect(configProblems(TopicNameMatches, { pattern: '.*(?<=-dlq)' })[0]).toMatchObject({ key: 'pattern', message: expect.stringMatching(/lookbehind \(\?<=…\).*not supported/) });
    expect(makePredicate(TopicNameMatches, { pattern: '(a+)+b' }).test(sinkRecord({ topic: 'a'.repeat(10_000) }))).toBe(false);
  });
});

describe('HasHeaderKey', () => {
  it('is true when a header of that name exists', () => {
    const p = makePredicate(HasHeaderKey, { name: 'trace' });
    expect(p.test(sinkRecord({ headers: [{ key: 'a', value: 1 }, { key: 'trace', value: null }] }))).toBe(true);
    expect(p.test(sinkRecord({ headers: [{ key: 'Trace', value: 1 }] }))).toBe(false);
    expect(makePredicate(HasHeaderKey).test(sinkRecord({ headers: [{ key: 'a', value: 1 }] }))).toBe(false);
  });
});

describe('RecordIsTombstone', () => {
  it('is true for null values only', () => {
    const p = makePredicate(RecordIsTombstone);
    expect(p.test(sinkRecord({ key: 'k', value: null }))).toBe(true);
    expect(p.test(sinkRecord({ value: {} }))).toBe(false);
    expect(p.test(sinkRecord({ value: '' }))).toBe(false);
  });
});

describe('Filter', () => {
  it('drops every record', () => {
    expect(make(Filter).apply(sinkRecord({ value: 1 }))).toBeNull();
  });
});
