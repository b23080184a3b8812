import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { createConverter, createHeaderConverter } from '../../../src/converters/registry.js';
import { syncConverter } from '../../helpers/sync-converter.js';

// Bytes as Kafka's Short/Integer/Long/Float/Double/BooleanSerializer write them (big-endian).
const hex = (b: Buffer | null) => b?.toString('hex');

describe("Connect's primitive converters (Short, Integer, Long, Float, Double, Boolean)", () => {
  it('write and read the bytes Kafka serializers use', () => {
    const cases: Array<[string, unknown, string]> = [
      ['ShortConverter', -2, 'fffe'],
      ['Integer', 1, '00000001'],
      ['org.apache.kafka.connect.converters.IntegerConverter', -1, 'ffffffff'],
      ['LongConverter', 2n ** 53n + 1n, '0020000000000001'],
      ['Long', 7, '0000000000000007'],
      ['FloatConverter', 1.5, '3fc00000'],
      ['DoubleConverter', 1.5, '3ff8000000000000'],
      ['BooleanConverter', true, '01'],
      ['Boolean', false, '00'],
    ];
    for (const [cls, value, bytes] of cases) {
      const c = syncConverter(createConverter(cls, {}, false));
      expect([cls, hex(c.fromConnectData('t', null, value))]).toEqual([cls, bytes]);
      expect([cls, c.toConnectData('t', Buffer.from(bytes, 'hex')).value]).toEqual([cls, value]);
    }
    const long = syncConverter(createConverter('LongConverter', {}, true)).toConnectData('t', Buffer.from('0000000000000007', 'hex'));
    expect(long.schema).toMatchObject({ type: 'int64', optional: true });
    expect(syncConverter(createConverter('IntegerConverter', {}, false)).toConnectData('t', null)).toMatchObject({ value: null, schema: { type: 'int32' } });
    expect(createConverter('IntegerConverter', {}, false).fromConnectData('t', null, null)).toBeNull();
    expect(hex(createHeaderConverter('IntegerConverter', {}).fromConnectHeader('t', 'h', null, 258))).toBe('00000102');
  });

  it('refuse values of another type or size, as Connect, with the stage of the converter', () => {
    const int = createConverter('IntegerConverter', {}, true);
    expect(() => int.fromConnectData('t', null, 2 ** 31)).toThrow(/Failed to serialize to integer \(was number\)/);
    expect(() => int.fromConnectData('t', null, 'x')).toThrow(DataError);
    expect(() => int.toConnectData('t', Buffer.from('0001', 'hex'))).toThrow('Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4');
    const thrown = (() => {
      try {
        int.toConnectData('t', Buffer.alloc(3));
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(DataError);
    expect((thrown as DataError).stage).toBe('KEY_CONVERTER');
    const bool = createConverter('BooleanConverter', {}, false);
    expect(() => bool.toConnectData('t', Buffer.from([2]))).toThrow('Unexpected byte received by BooleanDeserializer: 2');
    expect(() => bool.fromConnectData('t', { type: 'string', optional: true }, true)).toThrow('Invalid schema type for BooleanConverter: STRING');
    expect(() => bool.fromConnectData('t', null, 1)).toThrow('BooleanConverter is not compatible with objects of type number');
  });
});
