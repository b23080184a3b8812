/**
 * java.util.regex as RegexRouter and TopicNameMatches use it: Pattern.matches (the
 * whole topic must match), Matcher.find, and Matcher.replaceFirst's replacement syntax
 * ($1, ${name}, \$). JavaScript's RegExp reads the patterns people write for topics the same way;
 * leading inline flags like (?i) and \A \Z \z are translated, and constructs JavaScript
 * lacks (possessive quantifiers, atomic groups) are rejected up front.
 */
export class JavaRegexError extends Error {
  override name = 'JavaRegexError';
}

/** The pattern as a RegExp; anchored (the default) it tests like Matcher.matches, otherwise it finds like Matcher.find. */
export function compileJavaRegex(pattern: string, anchored = true): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1].includes('x')) throw new JavaRegexError(`Unsupported inline flag (?x) in regular expression: ${pattern}`);
    flags = [...new Set(inline[1])].join('');
    source = source.slice(inline[0].length);
  }
  if (/(^|[^\\])(\\\\)*\(\?>/.test(source) || /[*+?}]\+/.test(source.replace(/\\./g, '').replace(/\[[^\]]*\]/g, ''))) {
    throw new JavaRegexError(`Unsupported regular expression construct (possessive quantifier or atomic group): ${pattern}`);
  }
  source = source.replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2^').replace(/(^|[^\\])((?:\\\\)*)\\[Zz]/g, '$1$2$$');
  try {
    return new RegExp(anchored ? `^(?:${source})$` : source, flags);
  } catch (e) {
    throw new JavaRegexError(`Invalid regular expression ${pattern}: ${(e as Error).message}`);
  }
}

/** Matcher.appendReplacement: the text that replaces `match`. */
export function expandJavaReplacement(replacement: string, match: RegExpExecArray): string {
  const groupCount = match.length - 1;
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
        if (!match.groups || !(name in match.groups)) throw new JavaRegexError(`No group with name {${name}}`);
        out += match.groups[name] ?? '';
        i = end;
      } else {
        // The first digit is always a group number; later digits join it while the group exists.
        if (!/\d/.test(replacement[i + 1])) throw new JavaRegexError('Illegal group reference');
        let group = Number(replacement[++i]);
        while (i + 1 < replacement.length && /\d/.test(replacement[i + 1]) && group * 10 + Number(replacement[i + 1]) <= groupCount) {
          group = group * 10 + Number(replacement[++i]);
        }
        if (group > groupCount) throw new JavaRegexError(`No group ${group}`);
        out += match[group] ?? '';
      }
    } else out += c;
  }
  return out;
}
