import { fullMatch } from './config.js';

/** Snowflake's rule for an unquoted identifier the connector may use as is. */
const VALID = /^[_a-zA-Z][_$a-zA-Z0-9]+$/;

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1], in 32-bit arithmetic over UTF-16 units. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Utils.generateValidName: the mapped table (by exact topic, then by a regex key of the map); else
 * the topic when it is a valid identifier; else the topic with every invalid character (and a
 * leading one that is not _ or a letter) replaced by _, ".*" removed, then _<|hashCode(topic)|>.
 */
export function tableFor(topic: string, map: ReadonlyMap<string, string>): string {
  const mapped = map.get(topic);
  if (mapped) return mapped;
  for (const [pattern, table] of map) if (fullMatch(topic, pattern)) return table;
  if (VALID.test(topic)) return topic;
  const hash = Math.abs(javaHashCode(topic)) | 0; // Java's Math.abs(Integer.MIN_VALUE) stays negative
  const t = topic.replace(/\.\*/g, '');
  let out = /^[_a-zA-Z]/.test(t) ? t[0]! : '_';
  for (let i = /^[_a-zA-Z]/.test(t) ? 1 : 0; i < t.length; i++) out += /[_$a-zA-Z0-9]/.test(t[i]!) ? t[i] : '_';
  return `${out}_${hash}`;
}
