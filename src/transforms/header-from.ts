import { defineConfig, key } from '../config/define.js';
import type { ConnectHeader } from '../records/record.js';
import { DataException, Struct } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { fieldOf, requireMap, requireStruct, toEntryMap, toMapLike } from './util/maps.js';
import { memoBySchema, structOf } from './util/schemas.js';

const config = defineConfig({
  fields: key.list({ required: true, importance: 'HIGH', doc: 'Field names in the record whose values are to be copied or moved to headers.' }),
  headers: key.list({ required: true, importance: 'HIGH', doc: 'Header names, in the same order as the field names listed in the fields configuration property.' }),
  operation: key.enum(['move', 'copy'] as const, {
    required: true,
    importance: 'HIGH',
    doc: 'Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).',
  }),
});

export const [HeaderFromKey, HeaderFromValue] = defineKeyValueTransforms({
  name: 'HeaderFrom',
  summary: "Moves or copies fields in the key/value of a record into that record's headers. "
    + 'Corresponding elements of fields and headers together identify a field and the header it should be moved or copied to.',
  config,
  create(cfg, side) {
    if (cfg.fields.length === 0) throw configError('fields', 'Empty list');
    if (cfg.headers.length === 0) throw configError('headers', 'Empty list');
    if (cfg.fields.length !== cfg.headers.length) {
      throw configError('headers', "'fields' config must have the same number of elements as 'headers' config.");
    }
    const move = cfg.operation === 'move';
    const purpose = `header ${cfg.operation}`;
    const moved = new Set(cfg.fields);
    // Connect rebuilds the schema with copySchemaBasics, so optional-ness and default of the whole value are not kept.
    const movedSchemaFor = memoBySchema((s) => structOf((s.fields ?? []).filter((f) => !moved.has(f.name)).map((f) => [f.name, f.schema]), s));

    return {
      apply(record) {
        const schema = operandSchema(record, side);
        const value = operandValue(record, side);
        const headers: ConnectHeader[] = [...record.headers];
        if (!schema) {
          const map = requireMap(value, purpose);
          const out = toEntryMap(map);
          cfg.fields.forEach((field, i) => {
            if (move) out.delete(field);
            headers.push({ key: cfg.headers[i], value: fieldOf(map, field), schema: null });
          });
          return { ...withOperand(record, side, null, toMapLike(map, out)), headers };
        }
        const struct = requireStruct(value, purpose);
        cfg.fields.forEach((field, i) => {
          const f = schema.fields?.find((x) => x.name === field);
          // Connect fails with a NullPointerException on a field the schema lacks.
          if (!f) throw new DataException(`Field does not exist: ${field}`);
          headers.push({ key: cfg.headers[i], value: struct.field(field) ? struct.get(field) : null, schema: f.schema });
        });
        if (!move) return { ...record, headers };
        const updated = movedSchemaFor(schema);
        const out = new Struct(updated);
        for (const f of updated.fields ?? []) out.put(f.name, struct.get(f.name));
        return { ...withOperand(record, side, updated, out), headers };
      },
    };
  },
});
