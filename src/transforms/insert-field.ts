import { defineConfig, key } from '../config/define.js';
import { DataException, Schemas, Struct, type Schema } from '../records/schema.js';
import type { ConnectRecord } from '../records/record.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { requireMap, requireStruct, toEntryMap, toMapLike } from './util/maps.js';
import { fieldsOf, memoBySchema, structOf } from './util/schemas.js';

const PURPOSE = 'field insertion';
const OPTIONALITY_DOC = 'Suffix with ! to make this a required field, or ? to keep it optional (the default).';

const config = defineConfig({
  'topic.field': key.string({ doc: `Field name for Kafka topic. ${OPTIONALITY_DOC}` }),
  'partition.field': key.string({ doc: `Field name for Kafka partition. ${OPTIONALITY_DOC}` }),
  'offset.field': key.string({ doc: `Field name for Kafka offset - only applicable to sink connectors. ${OPTIONALITY_DOC}` }),
  'timestamp.field': key.string({ doc: `Field name for record timestamp. ${OPTIONALITY_DOC}` }),
  'static.field': key.string({ doc: `Field name for static data field. ${OPTIONALITY_DOC}` }),
  'static.value': key.string({ doc: 'Static field value, if field name configured.' }),
  'replace.null.with.default': key.boolean({
    default: true,
    doc: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  }),
});

interface Insertion {
  name: string;
  optional: boolean;
}

/** "name?" is optional (the default), "name!" required. */
function insertion(spec: string | undefined): Insertion | null {
  if (spec === undefined) return null;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

function kafkaOffset(record: ConnectRecord): number {
  const offset = (record as { kafkaOffset?: unknown }).kafkaOffset;
  if (typeof offset !== 'number') throw new DataException(`Only SinkRecord supported for [${PURPOSE}], found: source record`);
  return offset;
}

export const [InsertFieldKey, InsertFieldValue] = defineKeyValueTransforms({
  name: 'InsertField',
  summary: 'Insert field(s) using attributes from the record metadata or a configured static value.',
  config,
  create(cfg, side) {
    const topic = insertion(cfg['topic.field']);
    const partition = insertion(cfg['partition.field']);
    const offset = insertion(cfg['offset.field']);
    const timestamp = insertion(cfg['timestamp.field']);
    const staticField = insertion(cfg['static.field']);
    const staticValue = cfg['static.value'];
    const replaceNull = cfg['replace.null.with.default'];
    if (!topic && !partition && !offset && !timestamp && !staticField) throw configError('topic.field', 'No field insertion configured');
    if (staticField && staticValue === undefined) throw configError('static.value', `No value specified for static field: ${staticField.name}`);

    const schemaFor = memoBySchema((s: Schema) => {
      const fields = fieldsOf(s);
      const add = (ins: Insertion | null, make: (o: { optional: boolean }) => Schema) => { if (ins) fields.push([ins.name, make({ optional: ins.optional })]); };
      add(topic, Schemas.string);
      add(partition, Schemas.int32);
      add(offset, Schemas.int64);
      add(timestamp, Schemas.timestamp);
      add(staticField, Schemas.string);
      return structOf(fields, s);
    });

    /** The inserted (name, value) pairs; a missing partition or timestamp inserts nothing. */
    function inserted(record: ConnectRecord, withSchema: boolean): Array<[string, unknown]> {
      const out: Array<[string, unknown]> = [];
      if (topic) out.push([topic.name, record.topic]);
      if (partition && record.kafkaPartition !== null && record.kafkaPartition !== undefined) out.push([partition.name, record.kafkaPartition]);
      if (offset) out.push([offset.name, kafkaOffset(record)]);
      if (timestamp && record.timestamp !== null && record.timestamp !== undefined) {
        // With a schema the field is a Timestamp (a Date); schemaless it is the epoch millis.
        out.push([timestamp.name, withSchema ? new Date(record.timestamp) : record.timestamp]);
      }
      if (staticField && staticValue !== undefined) out.push([staticField.name, staticValue]);
      return out;
    }

    return {
      apply(record) {
        const value = operandValue(record, side);
        if (value === null) return record;
        const schema = operandSchema(record, side);
        if (!schema) {
          const map = requireMap(value, PURPOSE);
          const out = toEntryMap(map);
          for (const [k, v] of inserted(record, false)) out.set(k, v);
          return withOperand(record, side, null, toMapLike(map, out));
        }
        const struct = requireStruct(value, PURPOSE);
        const updated = schemaFor(struct.schema);
        const out = new Struct(updated);
        for (const f of struct.schema.fields ?? []) out.put(f.name, replaceNull ? struct.get(f.name) : struct.getWithoutDefault(f.name));
        for (const [k, v] of inserted(record, true)) out.put(k, v);
        return withOperand(record, side, updated, out);
      },
    };
  },
});
