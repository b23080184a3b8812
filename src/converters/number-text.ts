/**
 * Numbers written the way the JVM writes them (Double.toString, Float.toString,
 * BigDecimal.toString), so our JSON and header bytes match Kafka Connect's, and
 * exact decimal arithmetic on strings for the Decimal logical type.
 */

/** A decimal as BigDecimal holds it: value = unscaled × 10^-scale. */
export interface BigDecimalValue {
  unscaled: bigint;
  scale: number;
}

/** Java's Double.toString (JDK 19+): shortest round-trip digits, "1.0", "1.0E10", "1.0E-4". */
export function javaDoubleText(d: number): string {
  if (!Number.isFinite(d) || d === 0) return specialText(d);
  return javaStyle(preferTwoDigits(d.toExponential(), d, (x) => x));
}

/** Java's Float.toString of a float32 value: the shortest digits that round-trip through float32. */
export function javaFloatText(value: number): string {
  const f = Math.fround(value);
  if (!Number.isFinite(f) || f === 0) return specialText(f);
  for (let digits = 1; digits < 9; digits++) {
    const s = f.toExponential(digits - 1);
    if (Math.fround(Number(s)) === f) return javaStyle(preferTwoDigits(s, f, Math.fround));
  }
  return javaStyle(f.toExponential(8));
}

/**
 * Java's rule when one digit would do: it writes the closest two-digit decimal instead,
 * which differs only for tiny subnormals (Double.MIN_VALUE is "4.9E-324", not "5.0E-324").
 */
function preferTwoDigits(shortest: string, x: number, round: (n: number) => number): string {
  if (shortest.includes('.')) return shortest;
  const two = x.toExponential(1);
  return two.replace('-', '')[2] !== '0' && round(Number(two)) === x ? two : shortest;
}

function specialText(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  return Object.is(d, -0) ? '-0.0' : '0.0';
}

/** Lays out JS exponential text ("-1.25e+7") as Java does: plain in [1e-3, 1e7), else d.dddE±n. */
function javaStyle(exponential: string): string {
  const [mantissa, expText] = exponential.split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  let body: string;
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      body = `${int}.${digits.slice(exp + 1) || '0'}`;
    } else {
      body = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    body = `${digits[0]}.${digits.slice(1) || '0'}E${exp}`;
  }
  return negative ? `-${body}` : body;
}

const DECIMAL_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/**
 * Scales beyond this are refused: "1e999999999" is valid JSON, and 10n ** 999999999n
 * would stall the worker on one bad record.
 */
export const MAX_SCALE = 10_000;

/** Parses BigDecimal syntax ("-12.340", "1E+3", ".5"); null when it is not a number or its scale is absurd. */
export function parseBigDecimal(text: string): BigDecimalValue | null {
  const m = DECIMAL_SYNTAX.exec(text);
  if (!m) return null;
  const [, sign, int = '', frac = '', exp] = m;
  if (int.length + frac.length === 0) return null;
  const scale = frac.length - (exp === undefined ? 0 : Number(exp));
  if (!(Math.abs(scale) <= MAX_SCALE)) return null;
  return { unscaled: BigInt(`${sign}${int}${frac}`), scale };
}

/** The same value at another scale, or null when that would drop non-zero digits. */
export function rescale(d: BigDecimalValue, scale: number): BigDecimalValue | null {
  if (scale === d.scale) return d;
  if (scale > d.scale) return { unscaled: d.unscaled * 10n ** BigInt(scale - d.scale), scale };
  const divisor = 10n ** BigInt(d.scale - scale);
  return d.unscaled % divisor === 0n ? { unscaled: d.unscaled / divisor, scale } : null;
}

/** BigDecimal.toPlainString: never an exponent. */
export function plainText(d: BigDecimalValue): string {
  if (d.scale <= 0) return (d.unscaled * 10n ** BigInt(-d.scale)).toString();
  const negative = d.unscaled < 0n;
  const digits = (negative ? -d.unscaled : d.unscaled).toString().padStart(d.scale + 1, '0');
  const body = `${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`;
  return negative ? `-${body}` : body;
}

/** BigDecimal.toString: plain unless the exponent is positive or below -6 ("1E-7", "1.2E+3"). */
export function bigDecimalText(d: BigDecimalValue): string {
  const negative = d.unscaled < 0n;
  const coefficient = (negative ? -d.unscaled : d.unscaled).toString();
  const adjusted = coefficient.length - 1 - d.scale;
  if (d.scale >= 0 && adjusted >= -6) return plainText(d);
  const mantissa = coefficient.length > 1 ? `${coefficient[0]}.${coefficient.slice(1)}` : coefficient;
  const body = `${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  return negative ? `-${body}` : body;
}

/**
 * The integer part of a number's text, the fraction truncated toward zero as Jackson's
 * intValue()/longValue() do; null when it is too large for any integer type.
 */
export function integerPart(text: string): bigint | null {
  const d = parseBigDecimal(text);
  if (d) return d.scale <= 0 ? d.unscaled * 10n ** BigInt(-d.scale) : d.unscaled / 10n ** BigInt(d.scale);
  // Only a scale past MAX_SCALE gets here: zero, below one, or astronomically large.
  return /^[+-]?[0.]*(?:[eE]|$)/.test(text) || /[eE]-/.test(text) ? 0n : null;
}

/** int64 in our value model: a number while it is exact, a bigint beyond 2^53. */
export function int64Value(n: bigint): number | bigint {
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n;
}
