import { describe, expect, it } from 'vitest';
import { RegexRouter } from '../../../src/transforms/regex-router.js';
import { TimestampRouter } from '../../../src/transforms/timestamp-router.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

describe('RegexRouter', () => {
  const route = (regex: string, replacement: string, topic: string) => applied(make(RegexRouter, { regex, replacement }), sinkRecord({ topic })).topic;

  it('rewrites topics the whole regex matches (Matcher.matches + replaceFirst)', () => {
    expect(route('(.*)', 'prefix-$1', 'orders')).toBe('prefix-orders');
    expect(route('(.*)-(\\d\\d)', '$2-$1', 'orders-17')).toBe('17-orders');
    expect(route('[^.]+\\.([^.]+)\\.([^.]+)', '$2', 'dbserver1.inventory.customers')).toBe('customers');
    expect(route('(?<db>\\w+)\\.(?<table>\\w+)', '${table}_from_${db}', 'shop.orders')).toBe('orders_from_shop');
    expect(route('orders', 'x', 'orders-17')).toBe('orders-17'); // a partial match leaves the topic alone
    expect(route('(?i)ORDERS', 'o', 'orders')).toBe('o');
    expect(route('(.*)', 'cost\\$$1', 'x')).toBe('cost$x');
    expect(route('(a)(b)', '$12', 'ab')).toBe('a2'); // group 12 does not exist, so it is group 1 then "2"
    expect(route('a|ab', 'X', 'ab')).toBe('Xb'); // replaceFirst replaces the first match found, here just "a"
  });

  it('routes a topic that makes backtracking engines explode, in one pass', () => {
    // 27 a's held the event loop for 5 s with JavaScript's RegExp (issue 24); 10,000 here.
    const long = 'a'.repeat(10_000);
    expect(route('(a+)+b', 'x', long)).toBe(long);
    expect(route('(a+)+', 'x-$1', long)).toBe(`x-${long}`);
  });

  it('keeps the original topic-partition on sink records', () => {
    const out = applied(make(RegexRouter, { regex: '(.*)', replacement: 'new-$1' }), sinkRecord());
    expect(out).toMatchObject({ topic: 'new-orders', originalTopic: 'orders', originalKafkaPartition: 3, originalKafkaOffset: 42 });
  });

  it('rejects invalid regexes and bad group references', () => {
    expect(configProblems(RegexRouter, { regex: '(', replacement: 'x' })[0].key).toBe('regex');
    expect(configProblems(RegexRouter, { regex: 'a++', replacement: 'x' })[0].message).toMatch(/possessive/);
    // What RE2 cannot match in linear time is refused when the connector is validated.
    expect(configProblems(RegexRouter, { regex: '(\\w+)-\\1', replacement: 'x' })[0]).toMatchObject({ key: 'regex', message: expect.stringMatching(/backreference \\1 .*not supported/) });
    expect(configProblems(RegexRouter, { regex: '(?!tmp-).*', replacement: 'x' })[0]).toMatchObject({ key: 'regex', message: expect.stringMatching(/lookahead/) });
    expect(configProblems(RegexRouter, { replacement: 'x' })[0].key).toBe('regex');
    expect(() => route('(a)', '$2', 'a')).toThrow('No group 2');
  });
});

describe('TimestampRouter', () => {
  it('defaults to ${topic}-${timestamp} with yyyyMMdd in UTC', () => {
    const out = applied(make(TimestampRouter), sinkRecord({ timestamp: Date.UTC(2017, 0, 1, 23, 59) }));
    expect(out.topic).toBe('orders-20170101');
    expect(out.originalTopic).toBe('orders');
  });

  it('uses the configured formats', () => {
    const t = make(TimestampRouter, { 'topic.format': 'logs_${timestamp}_${topic}_${topic}', 'timestamp.format': "yyyy.MM.dd'T'HH" });
    expect(applied(t, sinkRecord({ timestamp: Date.UTC(2024, 5, 9, 7) })).topic).toBe('logs_2024.06.09T07_orders_orders');
  });

  it('fails without a timestamp and on an unsupported pattern', () => {
    expect(() => make(TimestampRouter).apply(sinkRecord({ timestamp: null }))).toThrow(/Timestamp missing on record/);
    expect(configProblems(TimestampRouter, { 'timestamp.format': 'yyyyQ' })[0].key).toBe('timestamp.format');
  });
});
