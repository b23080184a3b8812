import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseJson, writeJson } from '../../../src/converters/json-tree.js';
import { fromTwosComplement, twosComplement } from '../../../src/converters/logical.js';
import {
  bigDecimalText, integerPart, javaDoubleText, javaFloatText, parseBigDecimal, plainText, rescale,
} from '../../../src/converters/number-text.js';

describe('JVM number text', () => {
  it('formats doubles like Double.toString', () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'], [-0.1, '-0.1'], [-5e-324, '-4.9E-324'], [0, '0.0'], [-0, '-0.0'], [0.1, '0.1'], [12.34, '12.34'], [-2.5, '-2.5'], [100, '100.0'],
      [1234567, '1234567.0'], [1e7, '1.0E7'], [12345678.9, '1.23456789E7'], [0.001, '0.001'], [0.0001, '1.0E-4'],
      [1e21, '1.0E21'], [1.7976931348623157e308, '1.7976931348623157E308'], [5e-324, '4.9E-324'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    ];
    for (const [d, text] of cases) expect(javaDoubleText(d), String(d)).toBe(text);
  });

  it('formats float32 values like Float.toString (shortest digits that survive float32)', () => {
    expect(javaFloatText(12.34)).toBe('12.34');
    expect(javaFloatText(Math.fround(12.34))).toBe('12.34');
    expect(javaFloatText(0.1)).toBe('0.1');
    expect(javaFloatText(3.4028234663852886e38)).toBe('3.4028235E38');
    expect(javaFloatText(1e7)).toBe('1.0E7');
    expect(javaFloatText(16777217)).toBe('1.6777216E7');
    expect(javaFloatText(1.401298464324817e-45)).toBe('1.4E-45');
  });

  it('formats decimals like BigDecimal.toString and toPlainString', () => {
    expect(bigDecimalText({ unscaled: 156n, scale: 2 })).toBe('1.56');
    expect(bigDecimalText({ unscaled: -156n, scale: 2 })).toBe('-1.56');
    expect(bigDecimalText({ unscaled: 1n, scale: 7 })).toBe('1E-7');
    expect(bigDecimalText({ unscaled: 1n, scale: 6 })).toBe('0.000001');
    expect(bigDecimalText({ unscaled: 12n, scale: -2 })).toBe('1.2E+3');
    expect(bigDecimalText({ unscaled: 0n, scale: 2 })).toBe('0.00');
    expect(plainText({ unscaled: 1n, scale: 7 })).toBe('0.0000001');
    expect(plainText({ unscaled: 12n, scale: -2 })).toBe('1200');
    expect(plainText({ unscaled: -5n, scale: 3 })).toBe('-0.005');
  });

  it('parses and rescales decimals exactly', () => {
    expect(parseBigDecimal('-12.340')).toEqual({ unscaled: -12340n, scale: 3 });
    expect(parseBigDecimal('1E+3')).toEqual({ unscaled: 1n, scale: -3 });
    expect(parseBigDecimal('.5')).toEqual({ unscaled: 5n, scale: 1 });
    expect(parseBigDecimal('+7')).toEqual({ unscaled: 7n, scale: 0 });
    expect(parseBigDecimal('abc')).toBeNull();
    expect(parseBigDecimal('1e99999999')).toBeNull();
    expect(rescale({ unscaled: 15n, scale: 1 }, 3)).toEqual({ unscaled: 1500n, scale: 3 });
    expect(rescale({ unscaled: 1500n, scale: 3 }, 1)).toEqual({ unscaled: 15n, scale: 1 });
    expect(rescale({ unscaled: 1501n, scale: 3 }, 1)).toBeNull();
  });

  it('takes the integer part as Jackson does, without blowing up on huge exponents', () => {
    expect(integerPart('12')).toBe(12n);
    expect(integerPart('-1.9')).toBe(-1n);
    expect(integerPart('2.5e3')).toBe(2500n);
    expect(integerPart('5e-99999999')).toBe(0n);
    expect(integerPart('0e99999999')).toBe(0n);
    expect(integerPart('5e99999999')).toBeNull();
  });

  it('encodes unscaled values as BigInteger.toByteArray does', () => {
    const cases: Array<[bigint, number[]]> = [
      [0n, [0]], [1n, [1]], [127n, [0x7f]], [128n, [0, 0x80]], [156n, [0, 0x9c]], [-1n, [0xff]], [-128n, [0x80]],
      [-129n, [0xff, 0x7f]], [-156n, [0xff, 0x64]], [65535n, [0, 0xff, 0xff]],
    ];
    for (const [n, bytes] of cases) {
      expect([...twosComplement(n)], String(n)).toEqual(bytes);
      expect(fromTwosComplement(Uint8Array.from(bytes))).toBe(n);
    }
  });
});

describe('JSON tree', () => {
  it('keeps number text, field order and nesting', () => {
    const node = parseJson(' {"b":1,"a":[true,false,null,"x",-1.5e+3,12345678901234567890123]} ');
    expect(node).toEqual(new Map<string, unknown>([
      ['b', new JsonNumber('1')],
      ['a', [true, false, null, 'x', new JsonNumber('-1.5e+3'), new JsonNumber('12345678901234567890123')]],
    ]));
    expect(writeJson(node!)).toBe('{"b":1,"a":[true,false,null,"x",-1.5e+3,12345678901234567890123]}');
  });

  it('decodes escapes and writes them back as Jackson does', () => {
    expect(parseJson('"a\\"b\\\\c\\/d\\n\\u00e9\\uD83D\\uDE00"')).toBe('a"b\\c/d\né😀');
    expect(writeJson('tab\there\u0000\u007f')).toBe('"tab\\there\\u0000\u007f"');
  });

  it('lets a later duplicate field win, keeping the first position', () => {
    expect(writeJson(parseJson('{"a":1,"b":2,"a":3}')!)).toBe('{"a":3,"b":2}');
  });

  it('gives undefined for blank input (a missing node)', () => {
    expect(parseJson('')).toBeUndefined();
    expect(parseJson(' \n\t')).toBeUndefined();
  });

  it('rejects what is not JSON', () => {
    for (const bad of ['{', '[1,]', '{"a":1,}', '01', '1.', 'NaN', "'x'", '"unterminated', '"\u0001"', '"\\x"', 'true false', '{a:1}', '-']) {
      expect(() => parseJson(bad), bad).toThrow(JsonSyntaxError);
    }
  });

  it('refuses documents nested deeper than 1000 levels', () => {
    expect(() => parseJson('['.repeat(1500) + ']'.repeat(1500))).toThrow(/nesting depth/);
    expect(parseJson('['.repeat(500) + ']'.repeat(500))).toBeDefined();
  });
});
