// Wall-clock <-> instant conversion for db.timezone, without server time zone tables
// (MariaDB installs often lack them, so SET time_zone='Europe/Paris' fails there).

/** A point in time with java.sql.Timestamp's precision: epoch millis plus the nanos of its second. */
export interface Instant {
  /** epoch milliseconds (includes the millisecond part of nanos) */
  ms: number;
  /** nanoseconds within the second, 0..999_999_999 */
  nanos: number;
}

export const EPOCH: Instant = { ms: 0, nanos: 0 };

export function compareInstants(a: Instant, b: Instant): number {
  const sa = Math.floor(a.ms / 1000);
  const sb = Math.floor(b.ms / 1000);
  return sa !== sb ? sa - sb : a.nanos - b.nanos;
}

export function instantFromMillis(ms: number): Instant {
  return { ms, nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}

/** i minus d milliseconds, sub-millisecond digits kept. */
export function minusMillis(i: Instant, d: number): Instant {
  const ms = i.ms - d;
  return { ms, nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 + (i.nanos % 1_000_000) };
}

/** A time zone: how many ms it is ahead of UTC at a given instant. */
export interface Zone {
  id: string;
  offsetAt(utcMs: number): number;
}

export const UTC: Zone = { id: 'UTC', offsetAt: () => 0 };

const FIXED = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** Parses a zone id as Java's ZoneId would accept the common forms: UTC, +02:00, GMT+2, Europe/Paris. Throws RangeError when unknown. */
export function parseZone(id: string): Zone {
  const s = id.trim();
  if (/^(UTC|GMT|Z|UT|Etc\/UTC|Etc\/GMT)$/i.test(s)) return { ...UTC, id: s };
  const m = FIXED.exec(s);
  if (m) {
    const off = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
    if (Math.abs(off) > 18 * 3_600_000) throw new RangeError(`Invalid time zone ${id}`);
    return { id: s, offsetAt: () => off };
  }
  return intlZone(s);
}

function intlZone(id: string): Zone {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: id, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  // Offsets change on quarter-hour boundaries at most; caching per quarter hour keeps
  // per-row conversion cheap (Intl formatting costs microseconds).
  const cache = new Map<number, number>();
  return {
    id,
    offsetAt(utcMs) {
      const bucket = Math.floor(utcMs / 900_000);
      let off = cache.get(bucket);
      if (off === undefined) {
        const at = bucket * 900_000;
        const p: Record<string, number> = {};
        for (const part of fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
        off = utcFromFields(p.year, p.month, p.day, p.hour, p.minute, p.second) - at;
        if (cache.size > 10_000) cache.clear();
        cache.set(bucket, off);
      }
      return off;
    },
  };
}

function utcFromFields(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear keeps years below 100 literal, Date.UTC would not
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}


/** True for MySQL's zero date ('0000-00-00 00:00:00'), which is no instant at all. */
export function isZeroDate(wall: string): boolean {
  return wall.startsWith('0000-00-00');
}

/** 'YYYY-MM-DD HH:MM:SS[.fffffffff]' read as wall-clock time in zone. */
export function wallToInstant(wall: string, zone: Zone): Instant {
  // Read by position, not by regex: this runs for every date-time of every row.
  const n = (from: number, len: number) => {
    let v = 0;
    for (let i = from; i < from + len; i++) {
      const d = wall.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new RangeError(`Not a date-time: ${wall}`);
      v = v * 10 + d;
    }
    return v;
  };
  const sep = wall[10];
  if (wall.length < 19 || wall[4] !== '-' || wall[7] !== '-' || (sep !== ' ' && sep !== 'T') || wall[13] !== ':' || wall[16] !== ':'
    || (wall.length > 19 && (wall[19] !== '.' || wall.length > 29 || wall.length === 20))) {
    throw new RangeError(`Not a date-time: ${wall}`);
  }
  const y = n(0, 4);
  const [mo, d, h, mi, s] = [n(5, 2), n(8, 2), n(11, 2), n(14, 2), n(17, 2)];
  // Date.UTC is the fast path; it reads years below 100 as 19xx, hence the fallback.
  const local = y >= 100 ? Date.UTC(y, mo - 1, d, h, mi, s) : utcFromFields(y, mo, d, h, mi, s);
  const nanos = wall.length > 20 ? n(20, wall.length - 20) * 10 ** (29 - wall.length) : 0;
  if (zone === UTC) return { ms: local + Math.floor(nanos / 1_000_000), nanos };
  // Two passes settle the offset around DST changes (a gap moves forward, an overlap takes the first).
  let utc = local - zone.offsetAt(local);
  const second = zone.offsetAt(utc);
  if (local - second !== utc) utc = local - second;
  return { ms: utc + Math.floor(nanos / 1_000_000), nanos };
}

const p2 = (n: number) => (n < 10 ? '0' : '') + n;

/** The wall-clock text of an instant in zone, with microseconds (MariaDB's finest precision). */
export function instantToWall(i: Instant, zone: Zone): string {
  return wallText(i.ms, Math.floor(i.nanos / 1000), zone);
}

/** instantToWall of a millisecond instant (a Connect Timestamp), without making the Instant. */
export function millisToWall(ms: number, zone: Zone): string {
  return wallText(ms, (((ms % 1000) + 1000) % 1000) * 1000, zone);
}

const MILLIS_PER_DAY = 86_400_000;
/** The last day written (rows of a batch mostly share their day): its number and text. */
let lastDay = NaN;
let lastDayText = '';

function wallText(ms: number, micros: number, zone: Zone): string {
  const secondMs = Math.floor(ms / 1000) * 1000;
  const local = secondMs + zone.offsetAt(secondMs);
  const day = Math.floor(local / MILLIS_PER_DAY);
  if (day !== lastDay) {
    const d = new Date(day * MILLIS_PER_DAY);
    lastDayText = `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
    lastDay = day;
  }
  const seconds = Math.floor((local - day * MILLIS_PER_DAY) / 1000);
  const m = micros < 10 ? '00000' : micros < 100 ? '0000' : micros < 1000 ? '000' : micros < 10_000 ? '00' : micros < 100_000 ? '0' : '';
  return `${lastDayText} ${p2(Math.floor(seconds / 3600))}:${p2(Math.floor(seconds / 60) % 60)}:${p2(seconds % 60)}.${m}${micros}`;
}
