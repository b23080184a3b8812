// io.debezium.transforms.ExtractNewRecordState (Debezium's "event flattening" SMT): replaces a
// change event envelope by its `after` row, handles deletes and tombstones by
// delete.tombstone.handling.mode (or the older drop.tombstones / delete.handling.mode pair), and
// copies envelope fields into the row (add.fields) or headers (add.headers).
import { defineConfig, key } from '../../config/define.js';
import type { ConnectHeader, ConnectRecord } from '../../records/record.js';
import { DataException, Schemas, Struct, type Schema } from '../../records/schema.js';
import { defineTransform } from '../../transforms/types.js';
import { copySchemaShape } from '../../transforms/util/schemas.js';
import { EnvelopeField, Operation, isEnvelopeSchema } from './envelope.js';

export const DELETE_TOMBSTONE_HANDLING_MODES = ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'] as const;
export type DeleteTombstoneHandling = (typeof DELETE_TOMBSTONE_HANDLING_MODES)[number];
/** The deprecated delete.handling.mode values (Debezium 2.x, removed in 3.0; kept here for old configs). */
export const LEGACY_DELETE_HANDLING_MODES = ['drop', 'rewrite', 'none'] as const;

/** The field rewrite modes add (ExtractNewRecordStateConfigDefinition.DELETED_FIELD). */
export const DELETED_FIELD = '__deleted';

const config = defineConfig({
  'delete.tombstone.handling.mode': key.enum(DELETE_TOMBSTONE_HANDLING_MODES, {
    caseInsensitive: true,
    importance: 'MEDIUM',
    doc: 'How to handle delete records. drop: remove the delete event and tombstone from the stream. tombstone (default): for each delete '
      + 'event, leave only a tombstone in the stream. rewrite: remove the tombstone, and turn the delete into its before row with a '
      + '`__deleted` field of "true" (other rows get "false"). rewrite-with-tombstone: as rewrite, keeping the tombstone. '
      + 'delete-to-tombstone: turn delete events into tombstones (null value and value schema) and drop the original tombstones. '
      + 'When unset and drop.tombstones or delete.handling.mode is set, those older keys decide; otherwise tombstone.',
  }),
  'drop.tombstones': key.enum(['true', 'false'], {
    caseInsensitive: true,
    doc: 'Deprecated (Debezium 2.x): whether to drop the tombstones Debezium writes after deletes (default true). Used only when '
      + 'delete.tombstone.handling.mode is unset.',
  }),
  'delete.handling.mode': key.enum(LEGACY_DELETE_HANDLING_MODES, {
    caseInsensitive: true,
    doc: 'Deprecated (Debezium 2.x): none (a delete becomes a record with a null value), drop (the default), or rewrite (the before row '
      + 'with `__deleted`). Used only when delete.tombstone.handling.mode is unset.',
  }),
  'route.by.field': key.string({ default: '', doc: 'The column which determines how the events will be routed, the value will replace the topic name.' }),
  'add.fields.prefix': key.string({ default: '__', doc: 'Adds this prefix to each field listed.' }),
  'add.fields': key.list({
    default: [],
    doc: 'Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: \'version,connector,source.ts_ms\' '
      + 'would add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like '
      + 'version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP. Please note that the new field name is case-sensitive.',
  }),
  'add.headers.prefix': key.string({ default: '__', doc: 'Adds this prefix listed to each header.' }),
  'add.headers': key.list({
    default: [],
    doc: 'Adds each field listed to the header, __ (or __<struct>_ if the struct is specified). Example: \'version,connector,source.ts_ms\' '
      + 'would add __version, __connector and __source_ts_ms headers. Optionally one can also map new field name like '
      + 'version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP. Please note that the new field name is case-sensitive.',
  }),
  'replace.null.with.default': key.boolean({
    default: true,
    doc: 'When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record.',
  }),
});

/** What happens to a tombstone, a delete event and every other event under one mode. */
interface Strategy {
  keepTombstone: boolean;
  delete: 'drop' | 'null-value' | 'tombstone' | 'rewrite';
  markNotDeleted: boolean;
}

function strategyFor(mode: DeleteTombstoneHandling): Strategy {
  switch (mode) {
    case 'drop': return { keepTombstone: false, delete: 'drop', markNotDeleted: false };
    case 'tombstone': return { keepTombstone: false, delete: 'null-value', markNotDeleted: false };
    case 'rewrite': return { keepTombstone: false, delete: 'rewrite', markNotDeleted: true };
    case 'rewrite-with-tombstone': return { keepTombstone: true, delete: 'rewrite', markNotDeleted: true };
    case 'delete-to-tombstone': return { keepTombstone: false, delete: 'tombstone', markNotDeleted: false };
  }
}

/** LegacyDeleteHandlingStrategy (Debezium 2.x): drop.tombstones and delete.handling.mode. */
function legacyStrategy(dropTombstones: boolean, mode: (typeof LEGACY_DELETE_HANDLING_MODES)[number]): Strategy {
  const del = mode === 'drop' ? 'drop' : mode === 'none' ? 'null-value' : 'rewrite';
  return { keepTombstone: !dropTombstones, delete: del, markNotDeleted: mode === 'rewrite' };
}

/**
 * A field of the envelope to copy (FieldReference): "op", "ts_ms" are the envelope's own;
 * "source.ts_ms" / "transaction.id" name their struct; any other bare name is in source (or
 * transaction for id, total_order, data_collection_order). "x:NAME" renames.
 */
export interface FieldReference {
  struct: string | null;
  field: string;
  newField: string;
}

const TRANSACTION_FIELDS = new Set(['id', 'total_order', 'data_collection_order']);
const ENVELOPE_OWN_FIELDS = new Set<string>([EnvelopeField.OPERATION, EnvelopeField.TIMESTAMP, EnvelopeField.TIMESTAMP_US, EnvelopeField.TIMESTAMP_NS]);

export function fieldReference(prefix: string, spec: string): FieldReference {
  const parts = spec.split(':');
  if (parts.length > 2) throw new DataException(`Unexpected field name: ${spec}`);
  const splits = parts[0]!.split('.');
  const field = splits.length === 1 ? splits[0]! : splits[1]!;
  const struct = splits.length === 1
    ? (TRANSACTION_FIELDS.has(field) ? EnvelopeField.TRANSACTION : ENVELOPE_OWN_FIELDS.has(field) ? null : EnvelopeField.SOURCE)
    : splits[0]!;
  const newField = parts.length === 2 ? prefix + parts[1] : prefix + (splits.length === 1 ? field : `${struct}_${field}`);
  return { struct, field, newField };
}

/** The schema of the referenced field (optional, basics only), or null when the envelope lacks it. */
function referenceSchema(ref: FieldReference, envelope: Schema): Schema | null {
  const parent = ref.struct === null ? envelope : envelope.fields?.find((f) => f.name === ref.struct)?.schema;
  const own = parent?.fields?.find((f) => f.name === ref.field) ?? envelope.fields?.find((f) => f.name === ref.field);
  return own ? { ...copySchemaShape(own.schema), optional: true } : null;
}

function referenceValue(ref: FieldReference, envelope: Struct): unknown {
  const parent = ref.struct === null ? envelope : (envelope.field(ref.struct) ? envelope.getWithoutDefault(ref.struct) : null);
  if (!(parent instanceof Struct)) return null;
  return parent.field(ref.field) ? parent.getWithoutDefault(ref.field) : envelope.field(ref.field) ? envelope.getWithoutDefault(ref.field) : null;
}

export const ExtractNewRecordState = defineTransform({
  name: 'ExtractNewRecordState',
  className: 'io.debezium.transforms.ExtractNewRecordState',
  aliases: ['ExtractNewRecordState'],
  summary: 'Debezium\'s event flattening: replaces a change event envelope by its after row, handles deletes and tombstones, '
    + 'and copies envelope fields into the row or headers.',
  config,
  create(cfg) {
    const mode = cfg['delete.tombstone.handling.mode'];
    const legacySet = cfg['drop.tombstones'] !== undefined || cfg['delete.handling.mode'] !== undefined;
    const strategy = mode !== undefined || !legacySet
      ? strategyFor(mode ?? 'tombstone')
      : legacyStrategy((cfg['drop.tombstones'] ?? 'true') === 'true', cfg['delete.handling.mode'] ?? 'drop');
    const fields = cfg['add.fields'].map((f) => fieldReference(cfg['add.fields.prefix'] ?? '__', f));
    const headers = cfg['add.headers'].map((f) => fieldReference(cfg['add.headers.prefix'] ?? '__', f));
    const routeBy = cfg['route.by.field'] || null;
    const replaceNull = cfg['replace.null.with.default'];

    const withDeleted = new WeakMap<Schema, Schema>();
    const markDeleted = (row: Struct, deleted: 'true' | 'false'): Struct => {
      let schema = withDeleted.get(row.schema);
      if (!schema) {
        schema = { ...Schemas.struct([...(row.schema.fields ?? []).map((f): [string, Schema] => [f.name, f.schema]), [DELETED_FIELD, Schemas.string({ optional: true })]]), ...basics(row.schema) };
        withDeleted.set(row.schema, schema);
      }
      const out = new Struct(schema);
      for (const f of row.schema.fields ?? []) out.put(f.name, replaceNull ? row.get(f.name) : row.getWithoutDefault(f.name));
      return out.put(DELETED_FIELD, deleted);
    };

    // Per row schema and op, as Debezium's schema cache (NewRecordValueMetadata).
    const addedSchemas = new WeakMap<Schema, Map<string, Schema>>();
    const addFields = <R extends ConnectRecord>(original: Struct, rec: R): R => {
      if (!fields.length) return rec;
      const row = rec.value as Struct;
      const op = String(original.getWithoutDefault(EnvelopeField.OPERATION));
      let byOp = addedSchemas.get(row.schema);
      if (!byOp) addedSchemas.set(row.schema, (byOp = new Map()));
      let schema = byOp.get(op);
      if (!schema) {
        const extra = fields.map((r): [string, Schema] | null => {
          const s = referenceSchema(r, original.schema);
          return s ? [r.newField, s] : null;
        }).filter((x): x is [string, Schema] => x !== null);
        schema = { ...Schemas.struct([...(row.schema.fields ?? []).map((f): [string, Schema] => [f.name, f.schema]), ...extra]), ...basics(row.schema) };
        byOp.set(op, schema);
      }
      const out = new Struct(schema);
      for (const f of row.schema.fields ?? []) out.put(f.name, row.getWithoutDefault(f.name));
      for (const r of fields) if (out.field(r.newField) && referenceSchema(r, original.schema)) out.put(r.newField, referenceValue(r, original));
      return { ...rec, valueSchema: schema, value: out };
    };

    const route = <R extends ConnectRecord>(rec: R, row: Struct | null): R => {
      if (routeBy === null || !row) return rec;
      const topic = row.get(routeBy);
      return typeof topic === 'string' && topic.trim() !== '' ? { ...rec, topic } : rec;
    };

    return {
      apply<R extends ConnectRecord>(record: R): R | null {
        const isTombstone = record.value === null || record.value === undefined;
        const isEnvelope = isEnvelopeSchema(record.valueSchema) && record.value instanceof Struct;
        let rec = record;
        if ((isEnvelope || isTombstone) && headers.length) {
          rec = { ...rec, headers: [...rec.headers, ...makeHeaders(headers, isTombstone ? null : (record.value as Struct))] };
        }
        if (isTombstone) return strategy.keepTombstone ? rec : null;
        if (!isEnvelope) return rec;

        const envelope = rec.value as Struct;
        const afterField = envelope.field(EnvelopeField.AFTER);
        const beforeField = envelope.field(EnvelopeField.BEFORE);
        if (!afterField || !beforeField) throw new DataException(`Expected an envelope with before and after fields in ${record.valueSchema?.name}`);
        const after = envelope.get(EnvelopeField.AFTER) as Struct | null;
        const before = envelope.get(EnvelopeField.BEFORE) as Struct | null;
        if (after === null && before === null) return null; // truncate (and anything without rows): dropped

        if (after === null) {
          let out: R;
          switch (strategy.delete) {
            case 'drop': return null;
            case 'null-value': out = { ...rec, valueSchema: afterField.schema, value: null }; break;
            case 'tombstone': out = { ...rec, valueSchema: null, value: null }; break;
            case 'rewrite': out = { ...rec, valueSchema: null, value: markDeleted(before!, 'true') }; out = { ...out, valueSchema: (out.value as Struct).schema }; break;
          }
          out = route(out, before);
          return out.value === null ? out : addFields(envelope, out);
        }
        let out: R = { ...rec, valueSchema: afterField.schema, value: after };
        if (strategy.markNotDeleted) {
          const marked = markDeleted(after, 'false');
          out = { ...out, valueSchema: marked.schema, value: marked };
        }
        out = route(out, out.value as Struct);
        return addFields(envelope, out);
      },
    };
  },
});

function makeHeaders(refs: FieldReference[], envelope: Struct | null): ConnectHeader[] {
  const out: ConnectHeader[] = [];
  for (const r of refs) {
    if (envelope === null) {
      // A tombstone carries the delete's op as a header.
      if (r.field === EnvelopeField.OPERATION) out.push({ key: r.newField, value: Operation.DELETE, schema: Schemas.string() });
      continue;
    }
    const schema = referenceSchema(r, envelope.schema);
    if (schema) out.push({ key: r.newField, value: referenceValue(r, envelope), schema });
  }
  return out;
}

/** SchemaUtil.copySchemaBasics onto a new struct builder: name, version, doc, parameters (not optional-ness). */
function basics(s: Schema): Partial<Schema> {
  const out: Partial<Schema> = {};
  if (s.name !== undefined) out.name = s.name;
  if (s.version !== undefined) out.version = s.version;
  if (s.doc !== undefined) out.doc = s.doc;
  if (s.parameters !== undefined) out.parameters = { ...s.parameters };
  return out;
}
