import { defineConfig, key } from '../../config/define.js';
import { definePredicate, PREDICATES_PACKAGE } from '../types.js';
import { configError } from '../util/config-errors.js';
import { compileJavaRegex, type JavaRegex } from '../util/java-regex.js';

export const TopicNameMatches = definePredicate({
  name: 'TopicNameMatches',
  className: `${PREDICATES_PACKAGE}.TopicNameMatches`,
  aliases: ['TopicNameMatches'],
  summary: "A predicate which is true for records with a topic name that matches the configured regular expression (the whole name must match).",
  config: defineConfig({
    pattern: key.string({ required: true, doc: "A Java regular expression for matching against the name of a record's topic." }),
  }),
  create(cfg) {
    let regex: JavaRegex;
    try {
      regex = compileJavaRegex(cfg.pattern);
    } catch (e) {
      throw configError('pattern', `entry must be a Java-compatible regular expression: ${(e as Error).message}`);
    }
    return { test: (record) => typeof record.topic === 'string' && regex.test(record.topic) };
  },
});
