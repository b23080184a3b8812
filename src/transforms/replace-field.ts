import { defineConfig, key } from '../config/define.js';
import { Struct } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { entriesOf, requireMap, requireStruct, toMapLike } from './util/maps.js';
import { memoBySchema, structOf } from './util/schemas.js';

const PURPOSE = 'field replacement';

const config = defineConfig({
  exclude: key.list({ default: [], doc: 'Fields to exclude. This takes precedence over the fields to include.' }),
  include: key.list({ default: [], doc: 'Fields to include. If specified, only these fields will be used.' }),
  renames: key.list({ default: [], doc: 'Field rename mappings.', example: 'foo:bar,abc:xyz' }),
  // The names Connect used before 2.7 (KIP-629); older configs still carry them.
  blacklist: key.list({ default: [], importance: 'LOW', doc: 'Deprecated. Use exclude instead.' }),
  whitelist: key.list({ default: [], importance: 'LOW', doc: 'Deprecated. Use include instead.' }),
});

function parseRenames(mappings: string[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = mapping.split(':');
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length !== 2) throw configError('renames', `Invalid rename mapping: ${mapping}`);
    renames.set(parts[0], parts[1]);
  }
  return renames;
}

export const [ReplaceFieldKey, ReplaceFieldValue] = defineKeyValueTransforms({
  name: 'ReplaceField',
  summary: 'Filter or rename fields.',
  config,
  create(cfg, side) {
    const exclude = new Set(cfg.exclude.length ? cfg.exclude : cfg.blacklist);
    const include = new Set(cfg.include.length ? cfg.include : cfg.whitelist);
    const renames = parseRenames(cfg.renames);
    const kept = (name: string) => !exclude.has(name) && (include.size === 0 || include.has(name));
    const renamed = (name: string) => renames.get(name) ?? name;

    // Connect rebuilds the struct with copySchemaBasics: optional-ness and default of the whole value are dropped.
    const schemaFor = memoBySchema((s) => structOf((s.fields ?? []).filter((f) => kept(f.name)).map((f) => [renamed(f.name), f.schema]), s));

    return {
      apply(record) {
        const value = operandValue(record, side);
        if (value === null) return record;
        const schema = operandSchema(record, side);
        if (!schema) {
          const map = requireMap(value, PURPOSE);
          return withOperand(record, side, null, toMapLike(map, entriesOf(map).filter(([k]) => kept(k)).map(([k, v]) => [renamed(k), v])));
        }
        const struct = requireStruct(value, PURPOSE);
        const updated = schemaFor(struct.schema);
        const out = new Struct(updated);
        for (const f of struct.schema.fields ?? []) if (kept(f.name)) out.put(renamed(f.name), struct.get(f.name));
        return withOperand(record, side, updated, out);
      },
    };
  },
});
