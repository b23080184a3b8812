/**
 * Java's primitive conversions and toString, so values cast or printed by a transform
 * come out exactly as Connect's would. JavaScript has one number type, so callers say
 * whether a number stands for a Java integer (Long semantics: narrowing wraps) or a
 * floating point value (Double semantics: truncate, saturate, then narrow).
 */

export type NumberKind = 'integer' | 'floating';

const INT_BITS = { int8: 8, int16: 16, int32: 32, int64: 64 } as const;
export type IntType = keyof typeof INT_BITS;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** int64 values are numbers when safe, bigint beyond 2^53 (records/schema.ts). */
export function fromBigInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Number.byteValue()/shortValue()/intValue()/longValue() of a Java Long or Double. */
export function toJavaInt(v: number | bigint, type: IntType, kind: NumberKind = 'integer'): number | bigint {
  const bits = INT_BITS[type];
  let whole: bigint;
  if (typeof v === 'bigint') whole = v;
  else if (kind === 'floating' || !Number.isInteger(v)) {
    // (long) d for int64, (int) d otherwise: NaN -> 0, saturating at the target range.
    if (Number.isNaN(v)) return 0;
    const [min, max] = bits === 64 ? [LONG_MIN, LONG_MAX] : [BigInt(INT_MIN), BigInt(INT_MAX)];
    if (!Number.isFinite(v)) whole = v > 0 ? max : min;
    else {
      const t = BigInt(Math.trunc(v));
      whole = t < min ? min : t > max ? max : t;
    }
  } else whole = BigInt(v);
  return fromBigInt(BigInt.asIntN(bits, whole));
}

/** Byte.parseByte, Short.parseShort, Integer.parseInt, Long.parseLong: strict, range-checked. */
export function parseJavaInt(s: string, type: IntType): number | bigint | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const v = BigInt(s);
  return BigInt.asIntN(INT_BITS[type], v) === v ? fromBigInt(v) : null;
}

/** Float.parseFloat / Double.parseDouble (trimmed; NaN, Infinity and an f/d suffix allowed). */
export function parseJavaFloat(s: string, float32: boolean): number | null {
  const m = /^([+-]?)(NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?$/.exec(s.trim());
  if (!m) return null;
  const v = Number(m[1] + m[2]);
  return float32 ? Math.fround(v) : v;
}

/** Boolean.parseBoolean: "true" in any case, anything else is false. */
export function parseJavaBoolean(s: string): boolean {
  return s.toLowerCase() === 'true';
}

/**
 * Double.toString / Float.toString: shortest digits that round-trip, plain notation
 * for 1e-3 <= |v| < 1e7 with at least one fractional digit, otherwise 1.0E10 style.
 */
export function javaFloatToString(v: number, float32 = false): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  let exp = float32 ? shortestFloat32(v) : v.toExponential();
  const [mantissa, e] = exp.split('e');
  const digits = mantissa.replace('-', '').replace('.', '');
  const power = Number(e);
  const sign = v < 0 ? '-' : '';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    if (power >= 0) {
      const int = digits.slice(0, power + 1).padEnd(power + 1, '0');
      const frac = digits.slice(power + 1) || '0';
      return `${sign}${int}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-power - 1)}${digits}`;
  }
  exp = `${digits[0]}.${digits.slice(1) || '0'}E${power}`;
  return sign + exp;
}

function shortestFloat32(v: number): string {
  for (let p = 0; p < 9; p++) {
    const s = v.toExponential(p);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toExponential(8);
}

/** Base64 of bytes, as Connect prints binary values. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
