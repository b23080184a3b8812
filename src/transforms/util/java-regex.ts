import { RE2JS } from 're2js';
import { ConfigError } from '../../errors.js';

/**
 * Users' Java regular expressions (RegexRouter, TopicNameMatches, topics.regex, the env
 * provider's allowlist.pattern, JDBC table filters), matched by RE2 (re2js) in time linear in
 * the input: a pattern like (a+)+b cannot hold the event loop, whatever the topic.
 *
 * java.util.regex as Connect uses it: Pattern.matches (the whole input), Matcher.find and
 * Matcher.replaceFirst with Java's replacement syntax ($1, ${name}, \$). RE2 reads the patterns
 * people write for names the same way. The Java constructs that need backtracking (lookahead,
 * lookbehind, backreferences, possessive quantifiers, atomic groups), the flags whose meaning
 * differs (?x (?d (?U, and character-class union or intersection ([a[b]], [a&&b], which RE2
 * would read differently without a word) are refused with an error naming the construct.
 */
/** Named ConfigError, as Temporal's retry policies and the workflows know config failures. */
export class JavaRegexError extends ConfigError {}

/** Java constructs that have no linear-time equivalent, or that RE2 would read differently. */
function unsupported(pattern: string): string | undefined {
  let inClass = 0;
  /** The previous token was a quantifier: a `+` after it makes it possessive. */
  let afterQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const quantifier = afterQuantifier;
    afterQuantifier = false;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (inClass === 0 && n !== undefined && /[1-9]/.test(n)) return `backreference \\${n} (at index ${i})`;
      if (n === 'k' && pattern[i + 2] === '<') return `named backreference \\k<…> (at index ${i})`;
      if (n === 'G') return `\\G (end of the previous match, at index ${i})`;
      if (n === 'v') return `\\v (Java's vertical whitespace class; RE2 reads it as the vertical tab, at index ${i})`;
      i++;
      continue;
    }
    if (inClass > 0) {
      if (c === '[') return `character class union ([a[b]], at index ${i})`;
      if (c === '&' && pattern[i + 1] === '&') return `character class intersection ([a&&b], at index ${i})`;
      if (c === ']' && pattern[i - 1] !== '[' && !(pattern[i - 1] === '^' && pattern[i - 2] === '[')) inClass = 0;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      continue;
    }
    if (c === '+' && quantifier) return `possessive quantifier …+ (at index ${i})`;
    if (c === '*' || c === '+' || c === '?') {
      afterQuantifier = true;
      // A lazy quantifier (`*?`) is one token: `*?+` is refused by RE2 itself.
      if (pattern[i + 1] === '?') i++;
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (m) {
        i += m[0].length - 1;
        afterQuantifier = true;
        if (pattern[i + 1] === '?') i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('=') || rest.startsWith('!')) return `lookahead (?${rest[0]}…) (at index ${i})`;
      if (rest.startsWith('<=') || rest.startsWith('<!')) return `lookbehind (?${rest.slice(0, 2)}…) (at index ${i})`;
      if (rest.startsWith('>')) return `atomic group (?>…) (at index ${i})`;
      const flags = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?[):]/.exec(rest);
      if (flags) {
        const bad = [...(flags[1] + (flags[2] ?? ''))].find((f) => 'xdU'.includes(f));
        if (bad) return `inline flag (?${bad}) (at index ${i})`;
      }
    }
  }
  return undefined;
}

/** Java spellings RE2 writes differently: \Z (end of input), \uXXXX, \e; Java's (?u) is RE2's default. */
function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop - 1;
      } else if (n === 'Z') {
        out += '\\z';
        i++;
      } else if (n === 'e') {
        out += '\\x{1B}';
        i++;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(pattern.slice(i + 2, i + 6))) {
        out += `\\x{${pattern.slice(i + 2, i + 6)}}`;
        i += 5;
      } else {
        out += c + (n ?? '');
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const flags = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([):])/.exec(pattern.slice(i));
      if (flags && /u/.test(flags[0])) {
        const on = flags[1].replace(/u/g, '');
        const off = flags[2]?.replace(/u/g, '');
        const group = `(?${on}${off ? `-${off}` : ''}${flags[3]}`;
        // (?u) alone is an empty group; keep it one so quantifiers after it still parse.
        out += group === '(?)' ? '(?:)' : group;
        i += flags[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** A match's groups, as Java's Matcher sees them. */
interface MatchGroups {
  /** Number of capturing groups. */
  count: number;
  /** The text of group n (0 = the whole match) or of a named group; null if it did not take part. */
  group(g: number | string): string | null;
  hasName(name: string): boolean;
}

/** A user's Java regular expression, compiled for linear-time matching. */
export class JavaRegex {
  private constructor(readonly pattern: string, private readonly re: RE2JS, private readonly anchored: boolean) {}

  /**
   * Compiles `pattern`; refused constructs and syntax errors throw a JavaRegexError that names
   * `key` (the setting the pattern came from) when given.
   */
  static compile(pattern: string, anchored = true, key?: string): JavaRegex {
    const fail = (message: string): never => {
      throw new JavaRegexError(key ? `Invalid value ${pattern} for configuration ${key}: ${message}` : message, key ? [{ key, message }] : []);
    };
    const refused = unsupported(pattern);
    if (refused) {
      fail(`${refused} is not supported: patterns are matched by RE2 in linear time, which has no lookaround, backreferences, possessive quantifiers or atomic groups; rewrite the pattern without it`);
    }
    try {
      return new JavaRegex(pattern, RE2JS.compile(translate(pattern)), anchored);
    } catch (e) {
      return fail(`Invalid regular expression ${pattern}: ${(e as Error).message}`);
    }
  }

  /** Anchored (the default) like Pattern.matches, the whole input; otherwise like Matcher.find. */
  test(input: string): boolean {
    return this.anchored ? this.re.matches(input) : this.re.test(input);
  }

  /** Matcher.matches: the whole input. */
  matches(input: string): boolean {
    return this.re.matches(input);
  }

  /** Matcher.replaceFirst: the first match found is replaced; the input as it is if nothing matches. */
  replaceFirst(input: string, replacement: string): string {
    const m = this.re.matcher(input);
    if (!m.find()) return input;
    const names = this.re.namedGroups();
    const groups: MatchGroups = {
      count: m.groupCount(),
      group: (g) => m.group(g),
      hasName: (name) => Object.prototype.hasOwnProperty.call(names, name),
    };
    return input.slice(0, m.start()) + expandJavaReplacement(replacement, groups) + input.slice(m.end());
  }
}

/** The pattern, compiled; anchored (the default) it tests like Pattern.matches, otherwise like Matcher.find. */
export function compileJavaRegex(pattern: string, anchored = true, key?: string): JavaRegex {
  return JavaRegex.compile(pattern, anchored, key);
}

/** Matcher.appendReplacement: the text that replaces a match with these groups. */
export function expandJavaReplacement(replacement: string, match: MatchGroups): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw new JavaRegexError('character to be escaped is missing');
      out += replacement[++i];
    } else if (c === '$') {
      if (i + 1 >= replacement.length) throw new JavaRegexError('Illegal group reference: group index is missing');
      if (replacement[i + 1] === '{') {
        const end = replacement.indexOf('}', i + 2);
        if (end < 0) throw new JavaRegexError("named capturing group is missing trailing '}'");
        const name = replacement.slice(i + 2, end);
        if (!match.hasName(name)) throw new JavaRegexError(`No group with name {${name}}`);
        out += match.group(name) ?? '';
        i = end;
      } else {
        // The first digit is always a group number; later digits join it while the group exists.
        if (!/\d/.test(replacement[i + 1])) throw new JavaRegexError('Illegal group reference');
        let group = Number(replacement[++i]);
        while (i + 1 < replacement.length && /\d/.test(replacement[i + 1]) && group * 10 + Number(replacement[i + 1]) <= match.count) {
          group = group * 10 + Number(replacement[++i]);
        }
        if (group > match.count) throw new JavaRegexError(`No group ${group}`);
        out += match.group(group) ?? '';
      }
    } else out += c;
  }
  return out;
}
