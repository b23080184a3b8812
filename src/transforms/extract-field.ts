import { defineConfig, key } from '../config/define.js';
import { DataException } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { FIELD_SYNTAX_VERSIONS, FieldPath } from './util/field-path.js';
import { requireMapOrNull, requireStructOrNull } from './util/maps.js';

const PURPOSE = 'field extraction';

const config = defineConfig({
  field: key.string({ required: true, doc: 'Field name to extract.' }),
  'field.syntax.version': key.enum(FIELD_SYNTAX_VERSIONS, {
    default: 'V1',
    caseInsensitive: true,
    importance: 'HIGH',
    doc: 'Defines the version of the syntax to access fields. V1: field paths only reach the top level of the struct or map. '
      + 'V2: nested fields are reached with dotted notation; backtick pairs wrap field names that contain dots, '
      + 'e.g. `foo.bar`.baz reaches the subfield baz of a field named "foo.bar".',
  }),
});

export const [ExtractFieldKey, ExtractFieldValue] = defineKeyValueTransforms({
  name: 'ExtractField',
  summary: 'Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. '
    + 'Any null values are passed through unmodified.',
  config,
  create(cfg, side) {
    const path = new FieldPath(cfg.field, cfg['field.syntax.version'] ?? 'V1');
    return {
      apply(record) {
        const schema = operandSchema(record, side);
        if (!schema) {
          const map = requireMapOrNull(operandValue(record, side), PURPOSE);
          return withOperand(record, side, null, map === null ? null : path.valueFromMap(map));
        }
        const struct = requireStructOrNull(operandValue(record, side), PURPOSE);
        const field = path.fieldFrom(schema);
        // Connect throws IllegalArgumentException here, even for a null value.
        if (!field) throw new DataException(`Unknown field: ${cfg.field}`);
        return withOperand(record, side, field.schema, struct === null ? null : path.valueFromStruct(struct));
      },
    };
  },
});
