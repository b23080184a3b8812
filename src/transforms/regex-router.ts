import { defineConfig, key } from '../config/define.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { configError } from './util/config-errors.js';
import { compileJavaRegex, type JavaRegex } from './util/java-regex.js';

const config = defineConfig({
  regex: key.string({ required: true, importance: 'HIGH', doc: 'Regular expression to use for matching.' }),
  replacement: key.string({ required: true, importance: 'HIGH', doc: 'Replacement string.' }),
});

export const RegexRouter = defineTransform({
  name: 'RegexRouter',
  className: `${TRANSFORMS_PACKAGE}.RegexRouter`,
  aliases: ['RegexRouter'],
  summary: 'Update the record topic using the configured regular expression and replacement string. '
    + 'If the pattern matches the whole topic, its first match is replaced ($1, ${name} for groups) to give the new topic.',
  config,
  create(cfg) {
    let regex: JavaRegex;
    try {
      regex = compileJavaRegex(cfg.regex);
    } catch (e) {
      throw configError('regex', (e as Error).message);
    }
    return {
      apply(record) {
        if (!regex.matches(record.topic)) return record;
        // Connect checks matches() and then calls replaceFirst(), which replaces the first match
        // found; for most patterns that is the whole topic, but with alternations it may be less.
        return { ...record, topic: regex.replaceFirst(record.topic, cfg.replacement) };
      },
    };
  },
});
