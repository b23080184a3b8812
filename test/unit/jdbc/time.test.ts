import { describe, expect, it } from 'vitest';
import { compareInstants, instantFromMillis, instantToWall, millisToWall, minusMillis, parseZone, UTC, wallToInstant, type Instant, type Zone } from '../../../src/connectors/jdbc/time.js';

describe('zones', () => {
  it('accepts UTC, fixed offsets and IANA names; rejects unknown names', () => {
    expect(parseZone('UTC').offsetAt(0)).toBe(0);
    expect(parseZone('+02:00').offsetAt(0)).toBe(7_200_000);
    expect(parseZone('GMT-5').offsetAt(0)).toBe(-18_000_000);
    expect(parseZone('Europe/Paris').offsetAt(Date.parse('2024-07-01T00:00:00Z'))).toBe(7_200_000);
    expect(parseZone('Europe/Paris').offsetAt(Date.parse('2024-01-01T00:00:00Z'))).toBe(3_600_000);
    expect(() => parseZone('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('wall clock <-> instant', () => {
  it('reads wall-clock text in a zone, microseconds into nanos', () => {
    expect(wallToInstant('2024-01-02 03:04:05.123456', UTC)).toEqual({ ms: Date.parse('2024-01-02T03:04:05.123Z'), nanos: 123_456_000 });
    expect(wallToInstant('2024-07-01 12:00:00', parseZone('Europe/Paris')).ms).toBe(Date.parse('2024-07-01T10:00:00Z'));
  });

  it('writes an instant as wall-clock text with microseconds', () => {
    const i = { ms: Date.parse('2024-01-02T03:04:05.123Z'), nanos: 123_456_789 };
    expect(instantToWall(i, UTC)).toBe('2024-01-02 03:04:05.123456');
    expect(instantToWall(i, parseZone('America/New_York'))).toBe('2024-01-01 22:04:05.123456');
    expect(instantToWall({ ms: 0, nanos: 0 }, parseZone('+01:00'))).toBe('1970-01-01 01:00:00.000000');
  });

  it('round-trips across a DST change and for early years', () => {
    const paris = parseZone('Europe/Paris');
    for (const w of ['2024-03-31 01:59:59.999999', '2024-03-31 03:00:00.000000', '2024-10-27 03:30:00.000001', '1000-01-01 00:00:00.000000']) {
      expect(instantToWall(wallToInstant(w, paris), paris)).toBe(w);
    }
  });

  it('orders instants by second then nanos, and subtracts ms keeping microseconds', () => {
    const a = wallToInstant('2024-01-01 00:00:00.000001', UTC);
    const b = wallToInstant('2024-01-01 00:00:00.000002', UTC);
    expect(compareInstants(a, b)).toBeLessThan(0);
    expect(compareInstants(b, a)).toBeGreaterThan(0);
    expect(compareInstants(a, { ...a })).toBe(0);
    expect(instantToWall(minusMillis(wallToInstant('2024-01-01 00:00:01.000250', UTC), 1500), UTC)).toBe('2023-12-31 23:59:59.500250');
  });
});

describe('wall-clock text', () => {
  // The text as instantToWall wrote it before it kept the last day's text (a Date per value).
  const p2 = (n: number) => (n < 10 ? '0' : '') + n;
  function reference(i: Instant, zone: Zone): string {
    const secondMs = Math.floor(i.ms / 1000) * 1000;
    const d = new Date(secondMs + zone.offsetAt(secondMs));
    const micros = String(Math.floor(i.nanos / 1000)).padStart(6, '0');
    return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} `
      + `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${micros}`;
  }

  it('writes every instant as before, in any zone, across days, DST changes and years before 1000', () => {
    const zones = [UTC, parseZone('Europe/Paris'), parseZone('-09:30'), parseZone('Asia/Kathmandu'), parseZone('America/St_Johns')];
    const starts = [Date.UTC(2024, 2, 30, 22), Date.UTC(2024, 9, 26, 22), Date.UTC(1969, 11, 31, 23), Date.UTC(1, 0, 1), Date.UTC(9999, 11, 31, 12), -62_135_596_800_001];
    let n = 0;
    for (const zone of zones) {
      for (const start of starts) {
        // Steps of 7 minutes 13.377 seconds: every hour of a few days, odd milliseconds.
        for (let ms = start; ms < start + 3 * 86_400_000; ms += 433_377) {
          const expected = reference(instantFromMillis(ms), zone);
          expect(millisToWall(ms, zone)).toBe(expected);
          expect(instantToWall(instantFromMillis(ms), zone)).toBe(expected);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(15_000);
    const withMicros = { ms: Date.UTC(2024, 0, 1, 0, 0, 1, 2), nanos: 2_003_004 };
    expect(instantToWall(withMicros, UTC)).toBe('2024-01-01 00:00:01.002003');
  });
});
