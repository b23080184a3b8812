import { defineConfig, key } from '../config/define.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { configError } from './util/config-errors.js';
import { compileJavaRegex, expandJavaReplacement } from './util/java-regex.js';

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
    let whole: RegExp;
    let first: RegExp;
    try {
      whole = compileJavaRegex(cfg.regex);
      first = compileJavaRegex(cfg.regex, false);
    } catch (e) {
      throw configError('regex', (e as Error).message);
    }
    return {
      apply(record) {
        if (!whole.test(record.topic)) return record;
        // Connect checks matches() and then calls replaceFirst(), which replaces the first match
        // found; for most patterns that is the whole topic, but with alternations it may be less.
        const m = first.exec(record.topic) as RegExpExecArray;
        const topic = record.topic.slice(0, m.index) + expandJavaReplacement(cfg.replacement, m) + record.topic.slice(m.index + m[0].length);
        return { ...record, topic };
      },
    };
  },
});
