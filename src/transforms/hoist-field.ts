import { defineConfig, key } from '../config/define.js';
import { Schemas, Struct } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { memoBySchema } from './util/schemas.js';

const config = defineConfig({
  field: key.string({ required: true, doc: 'Field name for the single field that will be created in the resulting Struct or Map.' }),
});

export const [HoistFieldKey, HoistFieldValue] = defineKeyValueTransforms({
  name: 'HoistField',
  summary: 'Wrap data using the specified field name in a Struct when schema present, or a Map in the case of schemaless data.',
  config,
  create(cfg, side) {
    // A plain required struct with the one field, as Connect builds it (no name, not optional).
    const schemaFor = memoBySchema((s) => Schemas.struct([[cfg.field, s]]));
    return {
      apply(record) {
        const schema = operandSchema(record, side);
        const value = operandValue(record, side);
        if (!schema) return withOperand(record, side, null, { [cfg.field]: value });
        const updated = schemaFor(schema);
        return withOperand(record, side, updated, new Struct(updated).put(cfg.field, value));
      },
    };
  },
});
