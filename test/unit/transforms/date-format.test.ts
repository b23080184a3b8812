import { describe, expect, it } from 'vitest';
import { compileDateFormat } from '../../../src/transforms/util/date-format.js';

const at = new Date(Date.UTC(2024, 0, 5, 14, 7, 9, 45)); // a Friday

describe('SimpleDateFormat subset (UTC)', () => {
  const fmt = (p: string, d = at) => compileDateFormat(p).format(d);

  it('formats the common letters', () => {
    expect(fmt('yyyyMMdd')).toBe('20240105');
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS')).toBe('2024-01-05 14:07:09.045');
    expect(fmt("yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toBe('2024-01-05T14:07:09.045+0000');
    expect(fmt("yyyy-MM-dd'T'HH:mm:ssXXX")).toBe('2024-01-05T14:07:09Z');
    expect(fmt('yy-M-d H:m:s S')).toBe('24-1-5 14:7:9 45');
    expect(fmt('EEE, d MMM yyyy hh:mm a z')).toBe('Fri, 5 Jan 2024 02:07 PM UTC');
    expect(fmt('EEEE MMMM D')).toBe('Friday January 5');
    expect(fmt("'at' HH 'o''clock' ''")).toBe("at 14 o'clock '");
    expect(fmt('SSSSSS')).toBe('000045'); // S is milliseconds, zero-padded, not a fraction
  });

  it('parses what it formats, including abutting numeric fields', () => {
    for (const p of ['yyyyMMdd', 'yyyyMMddHHmmssSSS', "yyyy-MM-dd'T'HH:mm:ss.SSSZ", 'dd MMM yyyy HH:mm:ss.SSS z', 'EEE, d MMM yyyy hh:mm:ss.SSS a']) {
      const f = compileDateFormat(p);
      expect(new Date(f.parse(f.format(at)) as number).toISOString(), p).toBe(p === 'yyyyMMdd' ? '2024-01-05T00:00:00.000Z' : at.toISOString());
    }
  });

  it('parses leniently, with zones, and ignores trailing text like Java', () => {
    const parse = (p: string, s: string) => compileDateFormat(p).parse(s);
    expect(parse('yyyy-MM-dd', '2021-13-01')).toBe(Date.UTC(2022, 0, 1));
    expect(parse('yyyy-MM-dd', '2021-01-01T10:00')).toBe(Date.UTC(2021, 0, 1));
    expect(parse("yyyy-MM-dd'T'HH:mmZ", '2021-01-01T10:00-0130')).toBe(Date.UTC(2021, 0, 1, 11, 30));
    expect(parse("yyyy-MM-dd'T'HH:mmX", '2021-01-01T10:00Z')).toBe(Date.UTC(2021, 0, 1, 10));
    expect(parse('yyyy-MM-dd HH:mm z', '2021-01-01 10:00 GMT+01:00')).toBe(Date.UTC(2021, 0, 1, 9));
    expect(parse('d/M/yy', '5/1/24')).toBe(Date.UTC(2024, 0, 5));
    expect(parse('yyyy-MM-dd', '2021/01/01')).toBeNull();
    expect(parse('yyyy', '0099')).toBe(new Date('0099-01-01T00:00:00Z').getTime()); // not 1999, as Date.UTC would have it
  });

  it('rejects letters it does not support and unterminated quotes', () => {
    expect(() => compileDateFormat('yyyy-ww')).toThrow(/'w'/);
    expect(() => compileDateFormat("yyyy'T")).toThrow(/Unterminated quote/);
  });
});
