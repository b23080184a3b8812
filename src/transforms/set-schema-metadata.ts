import { defineConfig, key } from '../config/define.js';
import { Struct, type Schema } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { memoBySchema, requireSchema } from './util/schemas.js';

const config = defineConfig({
  'schema.name': key.string({ importance: 'HIGH', doc: 'Schema name to set.' }),
  'schema.version': key.int({ importance: 'HIGH', doc: 'Schema version to set.' }),
});

export const [SetSchemaMetadataKey, SetSchemaMetadataValue] = defineKeyValueTransforms({
  name: 'SetSchemaMetadata',
  summary: "Set the schema name, version or both on the record's key or value schema.",
  config,
  create(cfg, side) {
    const name = cfg['schema.name'];
    const version = cfg['schema.version'];
    if (name === undefined && version === undefined) throw configError('schema.name', 'Neither schema name nor version configured');
    const schemaFor = memoBySchema((s): Schema => ({ ...s, ...(name !== undefined && { name }), ...(version !== undefined && { version }) }));
    return {
      apply(record) {
        const value = operandValue(record, side);
        const schema = operandSchema(record, side);
        if (value === null && !schema) return record;
        const updated = schemaFor(requireSchema(schema, 'updating schema metadata'));
        // A Struct carries its schema, so it is rebuilt against the renamed one; nested structs keep theirs, as in Connect.
        let out = value;
        if (value instanceof Struct) {
          const struct = new Struct(updated);
          for (const f of updated.fields ?? []) struct.put(f.name, value.get(f.name));
          out = struct;
        }
        return withOperand(record, side, updated, out);
      },
    };
  },
});
