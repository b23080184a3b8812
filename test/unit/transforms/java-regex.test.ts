import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { ConfigError } from '../../../src/errors.js';
import { compileJavaRegex, JavaRegexError } from '../../../src/transforms/util/java-regex.js';

describe('Java regular expressions, matched in linear time', () => {
  it('matches whole strings when anchored, finds otherwise; Java anchors and escapes', () => {
    expect(compileJavaRegex('ab').test('xab')).toBe(false);
    expect(compileJavaRegex('ab', false).test('xab')).toBe(true);
    expect(compileJavaRegex('\\Aab\\z').test('ab')).toBe(true);
    expect(compileJavaRegex('ab\\Z').test('ab')).toBe(true);
    expect(compileJavaRegex('[*+]+').test('*+')).toBe(true); // not mistaken for a possessive quantifier
    expect(compileJavaRegex('\\++').test('++')).toBe(true); // an escaped + then a quantifier
    expect(compileJavaRegex('(?i)orders-.*').test('ORDERS-1')).toBe(true);
    expect(compileJavaRegex('(?iu)é').test('É')).toBe(true);
    expect(compileJavaRegex('\\u0041\\Q.*\\E').test('A.*')).toBe(true);
    expect(compileJavaRegex('a{2,3}?b').test('aab')).toBe(true);
    expect(compileJavaRegex('(?<env>dev|prod)-.*').test('prod-x')).toBe(true);
  });

  it('a catastrophic pattern for backtracking engines runs in one pass over the input', () => {
    // Not a timing: RE2 compiles (a+)+b to an automaton stepped once per input character, so the
    // work is bounded by the program's size times the input's length, which we count here.
    const re = compileJavaRegex('(a+)+b');
    const input = 'a'.repeat(10_000);
    expect(re.test(input)).toBe(false);
    expect(compileJavaRegex('(a+)+b', false).test(input)).toBe(false);
    expect(re.replaceFirst(input, 'x')).toBe(input);
    const program = RE2JS.compile('(a+)+b').programSize();
    expect(program).toBeLessThan(20);
    // The same pattern on twice the input: still no match, still answered.
    expect(re.test('a'.repeat(20_000) + 'c')).toBe(false);
    expect(re.test('a'.repeat(20_000) + 'b')).toBe(true);
  });

  it('refuses, naming the construct and the key, what needs backtracking or reads differently under RE2', () => {
    const cases: Array<[string, RegExp]> = [
      ['(?=orders)o.*', /lookahead \(\?=…\)/],
      ['(?!tmp).*', /lookahead \(\?!…\)/],
      ['.*(?<=-v1)', /lookbehind \(\?<=…\)/],
      ['.*(?<!-tmp)', /lookbehind \(\?<!…\)/],
      ['(a)\\1', /backreference \\1/],
      ['(?<x>a)\\k<x>', /named backreference/],
      ['a++', /possessive quantifier/],
      ['a{2}+', /possessive quantifier/],
      ['(ab)*+c', /possessive quantifier/],
      ['(?>ab|a)c', /atomic group/],
      ['(?x) a b', /inline flag \(\?x\)/],
      ['(?U)\\w+', /inline flag \(\?U\)/],
      ['(?d).', /inline flag \(\?d\)/],
      ['[a-z&&[^aeiou]]', /character class (union|intersection)/],
      ['[a[bc]]', /character class union/],
      ['\\Gx', /\\G/],
    ];
    for (const [pattern, why] of cases) {
      let err: unknown;
      try {
        compileJavaRegex(pattern, true, 'topics.regex');
      } catch (e) {
        err = e;
      }
      expect(err, pattern).toBeInstanceOf(JavaRegexError);
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as JavaRegexError;
      expect(e.message, pattern).toMatch(why);
      expect(e.message).toContain(`Invalid value ${pattern} for configuration topics.regex: `);
      expect(e.message).toContain('not supported');
      expect(e.problems).toEqual([{ key: 'topics.regex', message: expect.stringMatching(why) }]);
    }
  });

  it('reports syntax errors with the pattern', () => {
    expect(() => compileJavaRegex('(')).toThrow(/Invalid regular expression \(: .*missing/);
    expect(() => compileJavaRegex('\\p{javaLowerCase}')).toThrow(JavaRegexError);
  });

  it('replaces the first match with Java\'s replacement syntax', () => {
    const re = compileJavaRegex('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)');
    expect(re.replaceFirst('abcdefghijk', '$11-$10-$1')).toBe('k-j-a');
    expect(re.replaceFirst('abcdefghijk', '\\\\\\$')).toBe('\\$');
    expect(() => re.replaceFirst('abcdefghijk', '$x')).toThrow('Illegal group reference');
    expect(() => re.replaceFirst('abcdefghijk', 'tail\\')).toThrow(/escaped is missing/);
    expect(() => re.replaceFirst('abcdefghijk', '$12')).not.toThrow(); // $1 then a literal 2, as Java reads it
    expect(re.replaceFirst('abcdefghijk', '$12')).toBe('a2');
    const named = compileJavaRegex('(?<env>dev|prod)-(?<app>.*)');
    expect(named.replaceFirst('prod-shop', '${app}.${env}')).toBe('shop.prod');
    expect(() => named.replaceFirst('prod-shop', '${nope}')).toThrow('No group with name {nope}');
    // Only the first match is replaced, the rest is kept.
    expect(compileJavaRegex('o', false).replaceFirst('foo', '0')).toBe('f0o');
  });
});
