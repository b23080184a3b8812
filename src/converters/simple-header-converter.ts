import { Schemas, type Schema } from '../records/schema.js';
import { withStage } from './failures.js';
import type { HeaderConverter, SchemaAndValue } from './types.js';
import { convertToString, parseString } from './values.js';

export const SIMPLE_HEADER_CONVERTER_CLASS = 'org.apache.kafka.connect.storage.SimpleHeaderConverter';

/**
 * org.apache.kafka.connect.storage.SimpleHeaderConverter, Connect's default header
 * converter: values as UTF-8 text (Values.convertToString), read back with an
 * inferred schema (Values.parseString). Schemas themselves are not written.
 */
export class SimpleHeaderConverter implements HeaderConverter {
  configure(_config: Record<string, string>): void {
    // No settings, as in Connect.
  }

  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return withStage('HEADER_CONVERTER', () => Buffer.from(convertToString(schema, value), 'utf8'));
  }

  toConnectHeader(_topic: string, _key: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null };
    try {
      return parseString(bytes.toString('utf8'));
    } catch {
      // Connect logs and keeps the raw bytes rather than failing the record.
      return { schema: Schemas.bytes(), value: bytes };
    }
  }
}
