import { z } from 'zod';
import { defineConfig, key } from '../config/define.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { parseLiteral } from './util/values.js';

const config = defineConfig({
  header: key.string({ required: true, importance: 'HIGH', doc: 'The name of the header.' }),
  // Connect accepts an empty literal (only null is rejected), so this key skips the blank-means-missing rule.
  'value.literal': key.custom(
    { type: 'STRING', required: true, importance: 'HIGH', documentation: 'The literal value that is to be set as the header value on all records.' },
    z.string({ required_error: 'Missing required configuration "value.literal" which has no default value.' }),
  ),
});

export const InsertHeader = defineTransform({
  name: 'InsertHeader',
  className: `${TRANSFORMS_PACKAGE}.InsertHeader`,
  aliases: ['InsertHeader'],
  summary: 'Add a header to each record.',
  config,
  create(cfg) {
    // Parsed once, like Connect's Values.parseString: "42" becomes an int8 header, "true" a boolean.
    const literal = parseLiteral(cfg['value.literal']);
    return {
      // Always added, even when a header of that name exists already.
      apply: (record) => ({ ...record, headers: [...record.headers, { key: cfg.header, value: literal.value, schema: literal.schema }] }),
    };
  },
});
