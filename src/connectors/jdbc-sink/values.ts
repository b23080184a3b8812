import { DataError } from '../../errors.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';
import type { TemporalColumn } from '../jdbc/dialect.js';
import { millisToWall, UTC, type Zone } from '../jdbc/time.js';

// Connect values -> the parameters bound into statements. Temporal values become text so that
// neither mysql2 nor the process time zone shifts them: Date and Time are zone-less (Connect's
// Date is a UTC calendar day, Time a UTC time of day), Timestamp is written as the wall clock of
// db.timezone into DATETIME columns and of UTC into TIMESTAMP columns (the session zone is UTC),
// mirroring how the JDBC source reads them back.

const p2 = (n: number) => String(n).padStart(2, '0');

function dateText(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
}

function timeText(d: Date): string {
  const ms = ((d.getTime() % 86_400_000) + 86_400_000) % 86_400_000;
  const s = Math.floor(ms / 1000);
  return `${p2(Math.floor(s / 3600))}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

function fail(field: string, message: string): never {
  throw new DataError(`Field ${field}: ${message}`, 'TASK_PUT');
}

/**
 * The parameter for one field's value. `column` is how the target column takes a Date (the
 * dialect's reading of its DATA_TYPE) when the column exists; it picks the zone of timestamps
 * (instant columns: UTC, the session's zone) and the form of schemaless Dates.
 */
export function toDbValue(v: unknown, schema: Schema | null, column: TemporalColumn | undefined, zone: Zone, field: string): unknown {
  if (v === null || v === undefined) return null;
  if (schema && (schema.type === 'struct' || schema.type === 'array' || schema.type === 'map')) {
    fail(field, `${schema.type.toUpperCase()} values have no column type; flatten the record first (e.g. with the Flatten transform)`);
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) fail(field, 'invalid date');
    const logical = schema?.name ?? (column === 'date' ? LOGICAL.Date : column === 'time' ? LOGICAL.Time : LOGICAL.Timestamp);
    if (logical === LOGICAL.Date) return dateText(v);
    if (logical === LOGICAL.Time) return timeText(v);
    return millisToWall(v.getTime(), column === 'instant' ? UTC : zone);
  }
  switch (typeof v) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return v;
    case 'number':
      // mysql2 would inline NaN as a bare word: the server would read it as a column name.
      if (!Number.isFinite(v)) fail(field, `${v} cannot be stored in a SQL column`);
      return v;
  }
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const kind = v instanceof Struct ? 'STRUCT' : Array.isArray(v) ? 'ARRAY' : 'MAP';
  return fail(field, `${kind} values have no column type; flatten the record first (e.g. with the Flatten transform)`);
}

const ESCAPED = /[\0\b\t\n\r\x1a"'\\]/g;

/** The byte count of a bound value in the statement text (an upper bound), to keep statements under max_allowed_packet. */
export function approxSqlBytes(v: unknown): number {
  if (typeof v === 'string') {
    // Short strings: UTF-8 takes at most 3 bytes per UTF-16 unit. Long ones are measured, escapes included.
    if (v.length < 4096) return v.length * 3 + 3;
    return Buffer.byteLength(v, 'utf8') + (v.match(ESCAPED)?.length ?? 0) + 3;
  }
  if (Buffer.isBuffer(v)) return v.length * 2 + 3; // X'..' hex
  return 24;
}
