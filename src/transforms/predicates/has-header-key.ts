import { defineConfig, key } from '../../config/define.js';
import { definePredicate, PREDICATES_PACKAGE } from '../types.js';

export const HasHeaderKey = definePredicate({
  name: 'HasHeaderKey',
  className: `${PREDICATES_PACKAGE}.HasHeaderKey`,
  aliases: ['HasHeaderKey'],
  summary: 'A predicate which is true for records with at least one header with the configured name.',
  config: defineConfig({
    name: key.string({ doc: 'The header name.' }),
  }),
  create: (cfg) => ({ test: (record) => cfg.name !== undefined && record.headers.some((h) => h.key === cfg.name) }),
});
