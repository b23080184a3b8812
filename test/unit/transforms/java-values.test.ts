import { describe, expect, it } from 'vitest';
import { javaFloatToString, parseJavaFloat, parseJavaInt, toJavaInt } from '../../../src/transforms/util/java-values.js';

describe('Java primitive conversions', () => {
  it('narrows like Java', () => {
    expect(toJavaInt(128, 'int8')).toBe(-128);
    expect(toJavaInt(-129, 'int8')).toBe(127);
    expect(toJavaInt(70000, 'int16')).toBe(4464);
    expect(toJavaInt(1e20, 'int64', 'floating')).toBe(9223372036854775807n);
    expect(toJavaInt(-1.9, 'int32', 'floating')).toBe(-1);
    expect(toJavaInt(NaN, 'int8', 'floating')).toBe(0);
    expect(toJavaInt(2n ** 64n + 5n, 'int64')).toBe(5);
  });

  it('parses like Integer.parseInt and Double.parseDouble', () => {
    expect(parseJavaInt('+12', 'int32')).toBe(12);
    expect(parseJavaInt(' 12', 'int32')).toBeNull();
    expect(parseJavaInt('2147483648', 'int32')).toBeNull();
    expect(parseJavaFloat(' 1.5f ', false)).toBe(1.5);
    expect(parseJavaFloat('-Infinity', false)).toBe(-Infinity);
    expect(parseJavaFloat('1,5', false)).toBeNull();
  });

  it('prints floats like Double.toString and Float.toString', () => {
    expect(javaFloatToString(0)).toBe('0.0');
    expect(javaFloatToString(-0)).toBe('-0.0');
    expect(javaFloatToString(100)).toBe('100.0');
    expect(javaFloatToString(1234567.5)).toBe('1234567.5');
    expect(javaFloatToString(12345678)).toBe('1.2345678E7');
    expect(javaFloatToString(0.001)).toBe('0.001');
    expect(javaFloatToString(0.00012)).toBe('1.2E-4');
    expect(javaFloatToString(1e21)).toBe('1.0E21');
    expect(javaFloatToString(Math.fround(3.14), true)).toBe('3.14');
    expect(javaFloatToString(Math.fround(1e10), true)).toBe('1.0E10');
    expect(javaFloatToString(NaN)).toBe('NaN');
  });
});
