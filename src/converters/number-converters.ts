import type { ErrorStage } from '../errors.js';
import { DataException, Schemas, type Schema } from '../records/schema.js';
import { converterStage, withStage } from './failures.js';
import { describeValue } from './logical.js';
import { int64Value } from './number-text.js';
import { typeLabel } from './schema-util.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './types.js';

/**
 * Kafka Connect's org.apache.kafka.connect.converters.{Short,Integer,Long,Float,Double}Converter
 * and BooleanConverter: one primitive in Kafka's own serializer format (big-endian two's
 * complement, IEEE 754, one byte 0/1). Reads give an optional schema of that type; a null is a
 * null. Usable as key, value and header converters, as in Connect.
 */
interface Kind {
  className: string;
  /** Connect's name in its messages ("integer", "long", ...) and the Kafka (de)serializer's. */
  label: string;
  serde: string;
  size: number;
  schema: Schema;
  /** The bytes of a value, or undefined when the value is not of this kind. */
  write(value: unknown): Buffer | undefined;
  read(bytes: Buffer): unknown;
}

const isInt = (v: unknown, bits: number): v is number | bigint => {
  if (typeof v === 'bigint') return v >= -(2n ** BigInt(bits - 1)) && v < 2n ** BigInt(bits - 1);
  return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1);
};

function fixed(size: number, fill: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  fill(b);
  return b;
}

const KINDS: readonly Kind[] = [
  {
    className: 'org.apache.kafka.connect.converters.ShortConverter', label: 'short', serde: 'ShortDeserializer', size: 2, schema: Schemas.int16({ optional: true }),
    write: (v) => (isInt(v, 16) ? fixed(2, (b) => b.writeInt16BE(Number(v))) : undefined),
    read: (b) => b.readInt16BE(0),
  },
  {
    className: 'org.apache.kafka.connect.converters.IntegerConverter', label: 'integer', serde: 'IntegerDeserializer', size: 4, schema: Schemas.int32({ optional: true }),
    write: (v) => (isInt(v, 32) ? fixed(4, (b) => b.writeInt32BE(Number(v))) : undefined),
    read: (b) => b.readInt32BE(0),
  },
  {
    className: 'org.apache.kafka.connect.converters.LongConverter', label: 'long', serde: 'LongDeserializer', size: 8, schema: Schemas.int64({ optional: true }),
    write: (v) => (isInt(v, 64) ? fixed(8, (b) => b.writeBigInt64BE(BigInt(v))) : undefined),
    read: (b) => int64Value(b.readBigInt64BE(0)),
  },
  {
    className: 'org.apache.kafka.connect.converters.FloatConverter', label: 'float', serde: 'FloatDeserializer', size: 4, schema: Schemas.float32({ optional: true }),
    write: (v) => (typeof v === 'number' ? fixed(4, (b) => b.writeFloatBE(v)) : undefined),
    read: (b) => b.readFloatBE(0),
  },
  {
    className: 'org.apache.kafka.connect.converters.DoubleConverter', label: 'double', serde: 'DoubleDeserializer', size: 8, schema: Schemas.float64({ optional: true }),
    write: (v) => (typeof v === 'number' ? fixed(8, (b) => b.writeDoubleBE(v)) : undefined),
    read: (b) => b.readDoubleBE(0),
  },
  {
    className: 'org.apache.kafka.connect.converters.BooleanConverter', label: 'boolean', serde: 'BooleanDeserializer', size: 1, schema: Schemas.boolean({ optional: true }),
    write: (v) => (typeof v === 'boolean' ? Buffer.from([v ? 1 : 0]) : undefined),
    read: (b) => {
      if (b[0] > 1) throw new DataException(`Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: ${b[0]}`);
      return b[0] === 1;
    },
  },
];

class NumberConverter implements Converter, HeaderConverter {
  private stage: ErrorStage = 'VALUE_CONVERTER';

  constructor(private readonly kind: Kind) {}

  configure(_config: Record<string, string>, isKey?: boolean): void {
    this.stage = isKey === undefined ? 'HEADER_CONVERTER' : converterStage(isKey);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage(this.stage, () => this.write(schema, value));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return withStage(this.stage, () => this.read(bytes));
  }

  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage('HEADER_CONVERTER', () => this.write(schema, value));
  }

  toConnectHeader(_topic: string, _key: string, bytes: Buffer | null): SchemaAndValue {
    return withStage('HEADER_CONVERTER', () => this.read(bytes));
  }

  private write(schema: Schema | null | undefined, value: unknown): Buffer | null {
    const { kind } = this;
    if (kind.label === 'boolean' && schema && schema.type !== 'boolean') throw new DataException(`Invalid schema type for BooleanConverter: ${typeLabel(schema.type)}`);
    if (value === null || value === undefined) return null;
    const bytes = kind.write(value);
    if (!bytes) {
      throw new DataException(kind.label === 'boolean'
        ? `BooleanConverter is not compatible with objects of type ${describeValue(value)}`
        : `Failed to serialize to ${kind.label} (was ${describeValue(value)}): the value must be a ${kind.label} that fits ${kind.size * 8} bits`);
    }
    return bytes;
  }

  private read(bytes: Buffer | null): SchemaAndValue {
    const { kind } = this;
    if (bytes === null) return { schema: kind.schema, value: null };
    if (bytes.length !== kind.size) throw new DataException(`Failed to deserialize ${kind.label}: Size of data received by ${kind.serde} is not ${kind.size}`);
    return { schema: kind.schema, value: kind.read(bytes) };
  }
}

/** One registry entry per primitive converter, with Connect's aliases (IntegerConverter, Integer). */
export const NUMBER_CONVERTER_PLUGINS = KINDS.map((kind) => {
  const simple = kind.className.slice(kind.className.lastIndexOf('.') + 1);
  return {
    className: kind.className,
    aliases: [simple, simple.replace(/Converter$/, '')],
    converter: () => new NumberConverter(kind),
    headerConverter: () => new NumberConverter(kind),
  };
});
