import { DateTime, IANAZone } from 'luxon';

// The time-based partitioner's path.format: a Joda-Time DateTimeFormat pattern, as Confluent's
// TimeBasedPartitioner reads it ("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH"). Text in single
// quotes is literal ('' is a quote), ASCII letters are fields, everything else is copied.
// Formatting goes through luxon (time zones and month/day names by locale); the pattern letters
// keep Joda's meaning, which differs from luxon's and from Unicode's (Joda's Y is the year of era,
// not the week-based year).

type Piece = { literal: string } | { letter: string; count: number };

const FIELDS = 'GCYyxwekEDMdaKhHkmsSzZ';

export function parsePathFormat(pattern: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= pattern.length) throw new Error(`unterminated quote in "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      // '' outside text is one quote.
      out.push({ literal: j === i + 1 ? "'" : text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!FIELDS.includes(c)) throw new Error(`illegal pattern letter ${c} in "${pattern}"`);
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
    } else {
      out.push({ literal: c });
      i++;
    }
  }
  return out;
}

const pad = (n: number, width: number) => (n < 0 ? '-' + String(-n).padStart(width, '0') : String(n).padStart(width, '0'));

function field(dt: DateTime, letter: string, count: number): string {
  switch (letter) {
    case 'G': return dt.toFormat(count >= 4 ? 'GG' : 'G');
    case 'C': return pad(Math.floor(dt.year / 100), count);
    case 'Y': case 'y': case 'x': {
      const year = letter === 'x' ? dt.weekYear : dt.year;
      // Joda: two letters print the year modulo 100, otherwise at least count digits.
      return count === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, count);
    }
    case 'w': return pad(dt.weekNumber, count);
    case 'e': return pad(dt.weekday, count);
    case 'E': return dt.toFormat(count >= 4 ? 'cccc' : 'ccc');
    case 'D': return pad(dt.ordinal, count);
    case 'M': return count >= 4 ? dt.toFormat('LLLL') : count === 3 ? dt.toFormat('LLL') : pad(dt.month, count);
    case 'd': return pad(dt.day, count);
    case 'a': return dt.toFormat('a');
    case 'K': return pad(dt.hour % 12, count);
    case 'h': return pad(dt.hour % 12 === 0 ? 12 : dt.hour % 12, count);
    case 'H': return pad(dt.hour, count);
    case 'k': return pad(dt.hour === 0 ? 24 : dt.hour, count);
    case 'm': return pad(dt.minute, count);
    case 's': return pad(dt.second, count);
    case 'S': return String(dt.millisecond).padStart(3, '0').slice(0, count).padEnd(count, '0');
    case 'z': return dt.toFormat(count >= 4 ? 'ZZZZZ' : 'ZZZZ');
    case 'Z': return count === 1 ? dt.toFormat('ZZZ') : count === 2 ? dt.toFormat('ZZ') : dt.zoneName ?? '';
    default: throw new Error(`illegal pattern letter ${letter}`);
  }
}

/** A compiled path.format in one time zone and locale. */
export class PathFormat {
  private readonly pieces: Piece[];
  readonly zone: IANAZone;

  constructor(readonly pattern: string, timezone: string, readonly locale: string) {
    this.pieces = parsePathFormat(pattern);
    const zone = IANAZone.create(timezone);
    if (!zone.isValid) throw new Error(`unknown time zone ${timezone}`);
    this.zone = zone;
  }

  format(epochMillis: number): string {
    const dt = DateTime.fromMillis(epochMillis, { zone: this.zone, locale: this.locale });
    return this.pieces.map((p) => ('literal' in p ? p.literal : field(dt, p.letter, p.count))).join('');
  }

  /** The start of the partition.duration.ms bucket holding the time, counted in local time (Confluent's getPartition). */
  bucketStart(epochMillis: number, durationMs: number): number {
    const local = epochMillis + this.zone.offset(epochMillis) * 60_000;
    const floored = Math.floor(local / durationMs) * durationMs;
    // Local to UTC: the offset in force at that local time (earlier offset at an overlap, as Joda's non-strict conversion).
    const guess = floored - this.zone.offset(floored) * 60_000;
    return floored - this.zone.offset(guess) * 60_000;
  }

  /**
   * The next wall-clock rotation time after `now` for rotate.schedule.interval.ms: intervals
   * counted from the start of the day in this zone, starting again each day (Confluent's
   * DateTimeUtils.getNextTimeAdjustedByDay).
   */
  nextScheduled(now: number, intervalMs: number): number {
    const dayStart = DateTime.fromMillis(now, { zone: this.zone }).startOf('day');
    const start = dayStart.toMillis();
    const next = start + (Math.floor((now - start) / intervalMs) + 1) * intervalMs;
    const nextDay = dayStart.plus({ days: 1 }).toMillis();
    return Math.min(next, nextDay);
  }
}
