import { describe, expect, it } from 'vitest';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { TimestampConverterKey, TimestampConverterValue } from '../../../src/transforms/timestamp-converter.js';
import { applied, configProblems, make, sinkRecord } from './helpers.js';

const FORMAT = 'yyyy MM dd HH mm ss SSS z';
const DATE_PLUS_TIME = new Date(86_401_234); // 1970-01-02 00:00:01.234 UTC
const DATE_PLUS_TIME_STRING = '1970 01 02 00 00 01 234 UTC';

const convert = (cfg: Record<string, string>, value: unknown, valueSchema: ReturnType<typeof Schemas.int64> | null = null) =>
  applied(make(TimestampConverterValue, cfg), sinkRecord({ value, valueSchema }));

describe('TimestampConverter config', () => {
  it('checks target type, format and precision', () => {
    expect(configProblems(TimestampConverterValue, {})[0].key).toBe('target.type');
    expect(configProblems(TimestampConverterValue, { 'target.type': 'timestamp' })[0].key).toBe('target.type'); // case matters, as in Connect
    expect(configProblems(TimestampConverterValue, { 'target.type': 'string' })[0].message).toMatch(/requires format option/);
    expect(configProblems(TimestampConverterValue, { 'target.type': 'string', format: 'yyyy-qq' })[0].key).toBe('format');
    expect(configProblems(TimestampConverterValue, { 'target.type': 'unix', 'unix.precision': 'minutes' })[0].key).toBe('unix.precision');
  });
});

describe('TimestampConverter schemaless', () => {
  it('converts a Date to each target type', () => {
    expect(convert({ 'target.type': 'Timestamp' }, DATE_PLUS_TIME).value).toEqual(DATE_PLUS_TIME);
    expect(convert({ 'target.type': 'Date' }, DATE_PLUS_TIME).value).toEqual(new Date(86_400_000));
    expect(convert({ 'target.type': 'Time' }, DATE_PLUS_TIME).value).toEqual(new Date(1234));
    expect(convert({ 'target.type': 'unix' }, DATE_PLUS_TIME).value).toBe(86_401_234);
    expect(convert({ 'target.type': 'string', format: FORMAT }, DATE_PLUS_TIME).value).toBe(DATE_PLUS_TIME_STRING);
  });

  it('reads unix longs and strings', () => {
    expect(convert({ 'target.type': 'Timestamp' }, 86_401_234).value).toEqual(DATE_PLUS_TIME);
    expect(convert({ 'target.type': 'Timestamp', format: FORMAT }, DATE_PLUS_TIME_STRING).value).toEqual(DATE_PLUS_TIME);
    expect(convert({ 'target.type': 'unix', format: "yyyy-MM-dd'T'HH:mm:ssX" }, '2024-01-15T10:30:00+02:00').value).toBe(Date.UTC(2024, 0, 15, 8, 30));
    expect(() => convert({ 'target.type': 'unix', format: 'yyyy-MM-dd' }, 'Jan 2024')).toThrow(/does not match pattern \(yyyy-MM-dd\)/);
    expect(() => convert({ 'target.type': 'unix' }, 1.5)).toThrow(/does not support number objects as timestamps/);
  });

  it('honours unix.precision both ways', () => {
    expect(convert({ 'target.type': 'unix', 'unix.precision': 'seconds' }, DATE_PLUS_TIME).value).toBe(86_401);
    expect(convert({ 'target.type': 'unix', 'unix.precision': 'microseconds' }, DATE_PLUS_TIME).value).toBe(86_401_234_000);
    expect(convert({ 'target.type': 'unix', 'unix.precision': 'nanoseconds' }, new Date(1_700_000_000_123)).value).toBe(1_700_000_000_123_000_000n);
    expect(convert({ 'target.type': 'Timestamp', 'unix.precision': 'microseconds' }, 86_401_234_123).value).toEqual(DATE_PLUS_TIME);
    expect(convert({ 'target.type': 'Timestamp', 'unix.precision': 'nanoseconds' }, 1_700_000_000_123_456_789n).value).toEqual(new Date(1_700_000_000_123));
    expect(convert({ 'target.type': 'Timestamp', 'unix.precision': 'seconds' }, 86_401).value).toEqual(new Date(86_401_000));
  });

  it('converts one field of a map, and passes nulls', () => {
    const t = make(TimestampConverterKey, { field: 'ts', 'target.type': 'Date' });
    expect(applied(t, sinkRecord({ key: { ts: DATE_PLUS_TIME, other: 1 } })).key).toEqual({ ts: new Date(86_400_000), other: 1 });
    expect(applied(t, sinkRecord({ key: { other: 1 } })).key).toEqual({ other: 1, ts: null });
    expect(applied(t, sinkRecord({ key: null })).key).toBeNull();
    expect(convert({ 'target.type': 'unix' }, null).value).toBeNull();
  });

  it('floors dates before 1970 to their own midnight', () => {
    expect(convert({ 'target.type': 'Date' }, new Date(Date.UTC(1969, 11, 31, 12))).value).toEqual(new Date(Date.UTC(1969, 11, 31)));
  });
});

describe('TimestampConverter with schema', () => {
  it('converts the whole value, the schema following the target type and optional-ness', () => {
    const out = convert({ 'target.type': 'string', format: FORMAT }, DATE_PLUS_TIME, Schemas.timestamp({ optional: true }));
    expect(out.value).toBe(DATE_PLUS_TIME_STRING);
    expect(out.valueSchema).toEqual(Schemas.string({ optional: true }));
    const fromString = convert({ 'target.type': 'Timestamp', format: FORMAT }, DATE_PLUS_TIME_STRING, Schemas.string());
    expect(fromString.value).toEqual(DATE_PLUS_TIME);
    expect(fromString.valueSchema).toEqual(Schemas.timestamp());
    expect(convert({ 'target.type': 'Time' }, 86_401_234, Schemas.int64()).valueSchema).toEqual(Schemas.time());
    expect(() => convert({ 'target.type': 'unix' }, 5, Schemas.int32())).toThrow(/does not correspond to a known timestamp type format/);
  });

  it('converts one struct field, keeping the rest of the schema', () => {
    const schema = Schemas.struct([['ts', Schemas.int64({ optional: true })], ['other', Schemas.string()]], { name: 'Row', optional: true });
    const t = make(TimestampConverterValue, { field: 'ts', 'target.type': 'Timestamp' });
    const out = applied(t, sinkRecord({ value: new Struct(schema, { ts: 86_401_234, other: 'x' }), valueSchema: schema }));
    expect(out.valueSchema).toEqual(Schemas.struct([['ts', Schemas.timestamp({ optional: true })], ['other', Schemas.string()]], { name: 'Row', optional: true }));
    expect((out.value as Struct).toObject()).toEqual({ ts: DATE_PLUS_TIME, other: 'x' });
    const nullField = applied(t, sinkRecord({ value: new Struct(schema, { ts: null, other: 'x' }), valueSchema: schema }));
    expect((nullField.value as Struct).get('ts')).toBeNull();
    const tombstone = applied(t, sinkRecord({ value: null, valueSchema: schema }));
    expect(tombstone.value).toBeNull();
    expect(tombstone.valueSchema).toEqual(out.valueSchema);
  });
});
