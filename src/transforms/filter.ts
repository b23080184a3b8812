import { defineConfig } from '../config/define.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';

export const Filter = defineTransform({
  name: 'Filter',
  className: `${TRANSFORMS_PACKAGE}.Filter`,
  aliases: ['Filter'],
  summary: 'Drops all records, filtering them from subsequent transformations in the chain. '
    + 'Intended to be used with a predicate to filter out records matching (or not matching) it.',
  config: defineConfig({}),
  create: () => ({ apply: () => null }),
});
