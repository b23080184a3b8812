import { defineConfig, key } from '../config/define.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { configError } from './util/config-errors.js';

const config = defineConfig({
  headers: key.list({ required: true, importance: 'HIGH', doc: 'The name of the headers to be removed.' }),
});

export const DropHeaders = defineTransform({
  name: 'DropHeaders',
  className: `${TRANSFORMS_PACKAGE}.DropHeaders`,
  aliases: ['DropHeaders'],
  summary: 'Removes one or more headers from each record.',
  config,
  create(cfg) {
    if (cfg.headers.length === 0) throw configError('headers', 'Empty list');
    const drop = new Set(cfg.headers);
    return {
      apply: (record) => ({ ...record, headers: record.headers.filter((h) => !drop.has(h.key)) }),
    };
  },
});
