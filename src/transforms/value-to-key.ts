import { defineConfig, key } from '../config/define.js';
import { DataException, Schemas, Struct } from '../records/schema.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { configError } from './util/config-errors.js';
import { fieldOf, requireMap, requireStruct } from './util/maps.js';
import { memoBySchema } from './util/schemas.js';

const PURPOSE = 'copying fields from value to key';

const config = defineConfig({
  fields: key.list({ required: true, importance: 'HIGH', doc: 'Field names on the record value to extract as the record key.' }),
});

export const ValueToKey = defineTransform({
  name: 'ValueToKey',
  className: `${TRANSFORMS_PACKAGE}.ValueToKey`,
  aliases: ['ValueToKey'],
  summary: 'Replace the record key with a new key formed from a subset of fields in the record value.',
  config,
  create(cfg) {
    if (cfg.fields.length === 0) throw configError('fields', 'Empty list');
    const keySchemaFor = memoBySchema((valueSchema) =>
      Schemas.struct(cfg.fields.map((name) => {
        const f = valueSchema.fields?.find((x) => x.name === name);
        if (!f) throw new DataException(`Field does not exist: ${name}`);
        return [name, f.schema];
      })));
    return {
      // Tombstones fail here as in Connect; guard with a RecordIsTombstone predicate (negate=true).
      apply(record) {
        if (!record.valueSchema) {
          const map = requireMap(record.value, PURPOSE);
          const key: Record<string, unknown> = {};
          for (const name of cfg.fields) key[name] = fieldOf(map, name);
          return { ...record, keySchema: null, key };
        }
        const value = requireStruct(record.value, PURPOSE);
        const keySchema = keySchemaFor(value.schema);
        const key = new Struct(keySchema);
        for (const name of cfg.fields) key.put(name, value.get(name));
        return { ...record, keySchema, key };
      },
    };
  },
});
