import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { Struct } from '../../../src/records/schema.js';
import { cdcColumnType, twosComplement } from '../../../src/connectors/postgres-cdc/types.js';
import type { DecimalHandlingMode } from '../../../src/connectors/debezium/types.js';
import { parsePostgresCdcConfig, tableFilter } from '../../../src/connectors/postgres-cdc/config.js';
import { formatLsn, parseLsn } from '../../../src/connectors/postgres-cdc/task.js';

const precise: { decimalMode: DecimalHandlingMode; optional: boolean } = { decimalMode: 'precise', optional: true };
const conv = (oid: number, typmod: number, text: string, o = precise) => cdcColumnType(oid, typmod, o)!.convert(text);

describe("PostgreSQL column values as Debezium's PostgreSQL connector writes them", () => {
  it('numeric: Decimal with precision, VariableScaleDecimal without a scale, or double/string by decimal.handling.mode', () => {
    const fixed = cdcColumnType(1700, (10 << 16) + 2 + 4, precise)!;
    expect(fixed.schema).toMatchObject({ name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(fixed.convert('12.5')).toBe('12.50');
    const free = cdcColumnType(1700, -1, precise)!;
    expect(free.schema).toMatchObject({ type: 'struct', name: 'io.debezium.data.VariableScaleDecimal', version: 1 });
    const v = free.convert('-1.005') as Struct;
    expect([v.get('scale'), [...(v.get('value') as Buffer)]]).toEqual([3, [0xfc, 0x13]]);
    expect(conv(1700, -1, '1.5', { decimalMode: 'double', optional: true })).toBe(1.5);
    expect(conv(1700, -1, '1.50', { decimalMode: 'string', optional: true })).toBe('1.50');
    expect([...twosComplement(128n)]).toEqual([0, 128]);
    expect([...twosComplement(-128n)]).toEqual([128]);
  });

  it('dates as epoch days; time and timestamp by precision (adaptive); timestamptz and timetz as UTC ISO text', () => {
    expect(conv(1082, -1, '1970-01-02')).toBe(1);
    expect(conv(1082, -1, '1969-12-31')).toBe(-1);
    expect(cdcColumnType(1083, 3, precise)!.schema.name).toBe('io.debezium.time.Time');
    expect(conv(1083, 3, '01:00:00.250')).toBe(3_600_250);
    expect(conv(1083, -1, '01:00:00.000250')).toBe(3_600_000_250);
    expect(cdcColumnType(1114, -1, precise)!.schema.name).toBe('io.debezium.time.MicroTimestamp');
    expect(conv(1114, -1, '1970-01-01 00:00:01.000002')).toBe(1_000_002);
    expect(conv(1114, 3, '1969-12-31 23:59:59.999')).toBe(-1);
    expect(conv(1184, -1, '2024-01-02 03:04:05.1+02')).toBe('2024-01-02T01:04:05.100000Z');
    expect(conv(1184, 0, '2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05Z');
    expect(conv(1266, -1, '01:30:00+02')).toBe('23:30:00.000000Z');
  });

  it('json, uuid, bytea, bits, booleans, money and intervals', () => {
    expect(cdcColumnType(3802, -1, precise)!.schema.name).toBe('io.debezium.data.Json');
    expect(cdcColumnType(2950, -1, precise)!.schema.name).toBe('io.debezium.data.Uuid');
    expect(conv(17, -1, '\\x00ff')).toEqual(Buffer.from([0, 255]));
    expect(conv(16, -1, 't')).toBe(true);
    expect(conv(1560, 1, '1')).toBe(true);
    expect([...(conv(1560, 10, '1000000001') as Buffer)]).toEqual([0x01, 0x02]);
    expect(conv(790, -1, '$1,234.50')).toBe('1234.50');
    expect(conv(1186, -1, '1 day 02:00:00')).toBe(26 * 3600 * 1_000_000);
    expect(cdcColumnType(600, -1, precise)).toBeNull(); // point: left out
  });
});

describe('PostgreSQL connector config', () => {
  const base = { 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };

  it('keeps Debezium\'s defaults and names bad keys', () => {
    const cfg = parsePostgresCdcConfig(base);
    expect([cfg['plugin.name'], cfg['slot.name'], cfg['publication.name'], cfg['publication.autocreate.mode'], cfg['snapshot.mode'], cfg['tombstones.on.delete']])
      .toEqual(['pgoutput', 'debezium', 'dbz_publication', 'all_tables', 'initial', true]);
    const e = (() => { try { parsePostgresCdcConfig({ ...base, 'slot.name': 'Bad-Slot', 'table.include.list': 'a', 'table.exclude.list': 'b' }); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems.map((p) => p.key).sort()).toEqual(['slot.name', 'table.exclude.list']);
  });

  it('captures tables by whole-name regexes over schema and schema.table, never the system schemas', () => {
    const f = tableFilter(parsePostgresCdcConfig({ ...base, 'schema.include.list': 'sales,inv.*', 'table.exclude.list': 'sales\\.tmp_.*' }));
    expect([f('sales', 'orders'), f('inventory', 'items'), f('sales', 'tmp_x'), f('salesx', 'a'), f('pg_catalog', 'pg_class')]).toEqual([true, true, false, false, false]);
  });

  it('reads and writes LSNs as PostgreSQL prints them', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
  });
});
