/**
 * The part of java.text.SimpleDateFormat that Connect users put in TimestampRouter and
 * TimestampConverter configs, always in UTC as Connect sets it. Letters: G y Y M L d D
 * E u a H k K h m s S z Z X and 'quoted text' ('' is a quote). Parsing is lenient like
 * Java's default (2021-13-01 rolls into 2022) and ignores text after the pattern.
 */

type Token = { literal: string } | { letter: string; count: number };

const SUPPORTED = new Set('GyYMLdDEuaHkKhmsSzZX');
const NUMERIC = new Set('yYdDuHkKhmsS');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export class DatePatternError extends Error {
  override name = 'DatePatternError';
}

export interface DateFormat {
  readonly pattern: string;
  format(date: Date): string;
  /** Epoch ms, or null when the text does not match the pattern. */
  parse(text: string): number | null;
}

export function compileDateFormat(pattern: string): DateFormat {
  const tokens = tokenize(pattern);
  return {
    pattern,
    format: (date) => tokens.map((t) => ('literal' in t ? t.literal : formatField(t.letter, t.count, date))).join(''),
    parse: (text) => parse(tokens, text),
  };
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const pushLiteral = (s: string) => {
    const last = tokens[tokens.length - 1];
    if (last && 'literal' in last) last.literal += s;
    else tokens.push({ literal: s });
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") { pushLiteral("'"); i += 2; continue; }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new DatePatternError(`Unterminated quote in date pattern: ${pattern}`);
      // Inside quotes, '' is a literal quote too.
      let text = pattern.slice(i + 1, end);
      let j = end;
      while (pattern[j + 1] === "'") {
        const next = pattern.indexOf("'", j + 2);
        if (next < 0) throw new DatePatternError(`Unterminated quote in date pattern: ${pattern}`);
        text += "'" + pattern.slice(j + 2, next);
        j = next;
      }
      pushLiteral(text);
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!SUPPORTED.has(c)) throw new DatePatternError(`Illegal or unsupported pattern character '${c}' in date pattern: ${pattern}`);
      let n = 1;
      while (pattern[i + n] === c) n++;
      tokens.push({ letter: c, count: n });
      i += n;
    } else {
      pushLiteral(c);
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function formatField(letter: string, count: number, d: Date): string {
  const hour = d.getUTCHours();
  switch (letter) {
    case 'G': return d.getUTCFullYear() > 0 ? 'AD' : 'BC';
    case 'y': case 'Y': {
      const y = d.getUTCFullYear();
      return count === 2 ? pad(y % 100, 2) : pad(y, count);
    }
    case 'M': case 'L': {
      const m = d.getUTCMonth();
      if (count >= 4) return MONTHS[m];
      if (count === 3) return MONTHS[m].slice(0, 3);
      return pad(m + 1, count);
    }
    case 'd': return pad(d.getUTCDate(), count);
    case 'D': return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, count);
    case 'E': return count >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()].slice(0, 3);
    case 'u': return pad(d.getUTCDay() === 0 ? 7 : d.getUTCDay(), count);
    case 'a': return hour < 12 ? 'AM' : 'PM';
    case 'H': return pad(hour, count);
    case 'k': return pad(hour === 0 ? 24 : hour, count);
    case 'K': return pad(hour % 12, count);
    case 'h': return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'm': return pad(d.getUTCMinutes(), count);
    case 's': return pad(d.getUTCSeconds(), count);
    case 'S': return pad(d.getUTCMilliseconds(), count);
    case 'z': return count >= 4 ? 'Coordinated Universal Time' : 'UTC';
    case 'Z': return '+0000';
    case 'X': return 'Z';
    default: throw new DatePatternError(`Unsupported pattern character '${letter}'`);
  }
}

interface Fields {
  year: number; month: number; day: number; dayOfYear?: number;
  hour: number; pm?: boolean; minute: number; second: number; milli: number; offsetMinutes: number;
}

function parse(tokens: Token[], text: string): number | null {
  const f: Fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, milli: 0, offsetMinutes: 0 };
  let pos = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ('literal' in t) {
      if (!text.startsWith(t.literal, pos)) return null;
      pos += t.literal.length;
      continue;
    }
    const next = tokens[i + 1];
    // Java's "abutting" numeric fields (yyyyMMdd): each takes exactly its pattern width.
    const abutting = next !== undefined && 'letter' in next && isNumericToken(next);
    const r = parseField(t.letter, t.count, text, pos, abutting, f);
    if (r === null) return null;
    pos = r;
  }
  let hour = f.hour;
  if (f.pm !== undefined) hour = (hour % 12) + (f.pm ? 12 : 0);
  const base = f.dayOfYear !== undefined
    ? Date.UTC(f.year, 0, f.dayOfYear, hour, f.minute, f.second, f.milli)
    : Date.UTC(f.year, f.month - 1, f.day, hour, f.minute, f.second, f.milli);
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly instead.
  const d = new Date(base);
  if (f.year >= 0 && f.year < 100) d.setUTCFullYear(d.getUTCFullYear() - 1900);
  return d.getTime() - f.offsetMinutes * 60_000;
}

function isNumericToken(t: { letter: string; count: number }): boolean {
  return NUMERIC.has(t.letter) || ((t.letter === 'M' || t.letter === 'L') && t.count <= 2);
}

function parseField(letter: string, count: number, text: string, pos: number, abutting: boolean, f: Fields): number | null {
  const numeric = NUMERIC.has(letter) || ((letter === 'M' || letter === 'L') && count <= 2);
  if (numeric) {
    const m = (abutting ? new RegExp(`^\\d{${count}}`) : /^\d+/).exec(text.slice(pos));
    if (!m) return null;
    const n = Number(m[0]);
    switch (letter) {
      case 'y': case 'Y': f.year = count <= 2 && m[0].length === 2 ? twoDigitYear(n) : n; break;
      case 'M': case 'L': f.month = n; break;
      case 'd': f.day = n; break;
      case 'D': f.dayOfYear = n; break;
      case 'H': case 'K': case 'h': f.hour = n; break;
      case 'k': f.hour = n === 24 ? 0 : n; break;
      case 'm': f.minute = n; break;
      case 's': f.second = n; break;
      case 'S': f.milli = n; break;
      case 'u': break;
    }
    return pos + m[0].length;
  }
  const rest = text.slice(pos);
  switch (letter) {
    case 'M': case 'L': {
      const i = matchName(rest, MONTHS);
      if (!i) return null;
      f.month = i.index + 1;
      return pos + i.length;
    }
    case 'E': {
      const i = matchName(rest, DAYS);
      return i ? pos + i.length : null;
    }
    case 'G': return /^(AD|BC)/i.test(rest) ? pos + 2 : null;
    case 'a': {
      const m = /^(AM|PM)/i.exec(rest);
      if (!m) return null;
      f.pm = m[1].toUpperCase() === 'PM';
      return pos + 2;
    }
    case 'z': case 'Z': case 'X': {
      const zone = parseZone(rest);
      if (!zone) return null;
      f.offsetMinutes = zone.offsetMinutes;
      return pos + zone.length;
    }
  }
  return null;
}

function matchName(text: string, names: string[]): { index: number; length: number } | null {
  const lower = text.toLowerCase();
  for (const [index, name] of names.entries()) if (lower.startsWith(name.toLowerCase())) return { index, length: name.length };
  for (const [index, name] of names.entries()) if (lower.startsWith(name.slice(0, 3).toLowerCase())) return { index, length: 3 };
  return null;
}

/** Z, UTC, GMT, GMT+hh:mm, +hhmm, +hh:mm, +hh. */
function parseZone(text: string): { offsetMinutes: number; length: number } | null {
  const named = /^(UTC|GMT|Z)(?![A-Za-z])/.exec(text);
  const afterName = named ? named[0].length : 0;
  const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(afterName));
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return { offsetMinutes: m[1] === '-' ? -minutes : minutes, length: afterName + m[0].length };
  }
  return named ? { offsetMinutes: 0, length: afterName } : null;
}

/** SimpleDateFormat's default century: two-digit years land within 80 years before and 20 after now. */
function twoDigitYear(yy: number): number {
  const start = new Date().getUTCFullYear() - 80;
  let year = Math.floor(start / 100) * 100 + yy;
  if (year < start) year += 100;
  return year;
}
