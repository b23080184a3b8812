import type { ErrorStage } from '../errors.js';
import { DataException, Schemas, type Schema } from '../records/schema.js';
import { converterStage, withStage } from './failures.js';
import { describeValue } from './logical.js';
import { typeLabel } from './schema-util.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './types.js';

export const BYTE_ARRAY_CONVERTER_CLASS = 'org.apache.kafka.connect.converters.ByteArrayConverter';

const OPTIONAL_BYTES = Schemas.bytes({ optional: true });

/** org.apache.kafka.connect.converters.ByteArrayConverter: bytes pass through untouched. */
export class ByteArrayConverter implements Converter, HeaderConverter {
  private stage: ErrorStage = 'VALUE_CONVERTER';

  configure(_config: Record<string, string>, isKey?: boolean): void {
    this.stage = isKey === undefined ? 'HEADER_CONVERTER' : converterStage(isKey);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage(this.stage, () => passThrough(schema, value));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_BYTES, value: bytes };
  }

  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage('HEADER_CONVERTER', () => passThrough(schema, value));
  }

  toConnectHeader(topic: string, _key: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

function passThrough(schema: Schema | null | undefined, value: unknown): Buffer | null {
  if (schema && schema.type !== 'bytes') throw new DataException(`Invalid schema type for ByteArrayConverter: ${typeLabel(schema.type)}`);
  if (value === null || value === undefined) return null;
  if (!(value instanceof Uint8Array)) throw new DataException(`ByteArrayConverter is not compatible with objects of type ${describeValue(value)}`);
  // A view, not a copy: Buffer and Uint8Array share the memory.
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
