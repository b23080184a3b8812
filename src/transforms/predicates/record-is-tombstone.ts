import { defineConfig } from '../../config/define.js';
import { definePredicate, PREDICATES_PACKAGE } from '../types.js';

export const RecordIsTombstone = definePredicate({
  name: 'RecordIsTombstone',
  className: `${PREDICATES_PACKAGE}.RecordIsTombstone`,
  aliases: ['RecordIsTombstone'],
  summary: 'A predicate which is true for records which are tombstones (i.e. have null value).',
  config: defineConfig({}),
  create: () => ({ test: (record) => record.value === null || record.value === undefined }),
});
