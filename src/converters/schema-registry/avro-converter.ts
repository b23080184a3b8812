import { defineConfig, key } from '../../config/define.js';
import { DataException, type Schema } from '../../records/schema.js';
import { parseConverterConfig } from '../converter-config.js';
import { avroSchemaText, avscType, fromAvroValue, fromConnectSchema, toAvroValue, toConnectSchema, type AvroDataOptions } from './avro-data.js';
import type { SchemaText } from './client.js';
import { registryKeys } from './config.js';
import { SchemaRegistryConverter, type Reader, type SchemaFormat, type Writer } from './registry-converter.js';

export const AVRO_CONVERTER_CLASS = 'io.confluent.connect.avro.AvroConverter';

/** AvroConverterConfig: the registry keys and AvroDataConfig's. */
export const avroConverterConfig = defineConfig({
  ...registryKeys,
  'enhanced.avro.schema.support': key.boolean({
    default: false, importance: 'MEDIUM',
    doc: 'Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness',
  }),
  'scrub.invalid.names': key.boolean({ default: false, importance: 'MEDIUM', doc: 'Whether to scrub invalid names by replacing invalid characters with valid ones' }),
  'connect.meta.data': key.boolean({
    default: true, importance: 'LOW', doc: 'Toggle for enabling/disabling connect converter to add its meta data to the output schema or not',
  }),
});

function avroFormat(o: AvroDataOptions): SchemaFormat {
  const writerFromText = (text: string, recordName: string | undefined, connect: Schema | null): Writer => {
    const type = avscType(text);
    // A schema from the registry (use.latest.version) is written by field names, from the value's own schema.
    return {
      text: { schema: text, schemaType: 'AVRO' },
      recordName,
      encode: (value) => {
        const s = connect ?? (value as { schema?: Schema }).schema;
        if (!s) throw new DataException('Avro data without a Connect schema is not supported (schemaless values)');
        return type.toBuffer(toAvroValue(s, value, o));
      },
    };
  };
  const recordNameOf = (text: SchemaText): string | undefined => {
    const t = avscType(text.schema);
    return t.typeName === 'record' ? t.name : undefined;
  };
  return {
    label: 'Avro',
    writerFor(schema) {
      if (!schema) throw new DataException('Avro data without a Connect schema is not supported (schemaless values); use a schema or JsonConverter with schemas.enable=false');
      const avroSchema = fromConnectSchema(schema, o);
      const text = avroSchemaText(avroSchema);
      const recordName = avroSchema.kind === 'record' ? (avroSchema.namespace ? `${avroSchema.namespace}.${avroSchema.name}` : avroSchema.name) : undefined;
      return writerFromText(text, recordName, schema);
    },
    writerFromRegistry(text) {
      return writerFromText(text.schema, recordNameOf(text), null);
    },
    recordNameOf,
    readerFor(text, version): Reader {
      if (text.schemaType !== 'AVRO') throw new DataException(`The schema of this record is ${text.schemaType}, not Avro`);
      const type = avscType(text.schema);
      const schema = toConnectSchema(text.schema, version, o);
      return {
        decode(bytes, offset) {
          const { value, offset: end } = type.decode(bytes, offset);
          if (end < 0 || end !== bytes.length) throw new DataException(`Invalid Avro payload: ${end < 0 ? 'truncated' : `${bytes.length - end} bytes left over`}`);
          return { schema, value: fromAvroValue(schema, value) };
        },
      };
    },
  };
}

/** io.confluent.connect.avro.AvroConverter. */
export class AvroConverter extends SchemaRegistryConverter {
  constructor() {
    super(
      AVRO_CONVERTER_CLASS,
      (config) => {
        const c = parseConverterConfig(avroConverterConfig, AVRO_CONVERTER_CLASS, config);
        return avroFormat({ connectMetaData: c['connect.meta.data'], enhancedSchemaSupport: c['enhanced.avro.schema.support'], scrubInvalidNames: c['scrub.invalid.names'] });
      },
      (config) => parseConverterConfig(avroConverterConfig, AVRO_CONVERTER_CLASS, config),
    );
  }
}
