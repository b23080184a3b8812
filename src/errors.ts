/**
 * Errors, classified once. Activities map them to Temporal failures:
 * RetriableError -> retried with backoff; ConfigError and programmer bugs -> non-retryable;
 * DataError -> per record, routed by errors.tolerance.
 */
export type ErrorStage =
  | 'TASK_POLL' | 'TASK_PUT' | 'TRANSFORMATION' | 'KEY_CONVERTER' | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

/** Marks our errors with their class chain, so `instanceof` holds across copies of this package. */
const KINDS = Symbol.for('temporal-connect.errorKinds');

export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) kinds.push((c as { name: string }).name);
    Object.defineProperty(this, KINDS, { value: kinds });
  }

  /**
   * A plugin may bundle its own copy of temporal-connect (npm installs one per package when
   * versions differ): its RetriableError must still classify as ours, so the check goes by the
   * class names recorded at construction rather than by prototype identity.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    const kinds = (x as { [KINDS]?: unknown } | null)?.[KINDS];
    return Array.isArray(kinds) && kinds.includes(this.name);
  }
}

/** I/O trouble a retry may fix: a broker or database down, a timeout. */
export class RetriableError extends ConnectError {
  override name = 'RetriableError';
  override readonly retriable = true;
}

/** A configuration (or credential) problem; retrying does not help. */
export class ConfigError extends ConnectError {
  override name = 'ConfigError';
  readonly problems: Array<{ key: string; message: string }>;
  constructor(message: string, problems: Array<{ key: string; message: string }> = [], options?: { cause?: unknown }) {
    super(message, options);
    this.problems = problems;
  }
}

/** One record could not be converted, transformed or written. */
export class DataError extends ConnectError {
  override name = 'DataError';
  readonly stage: ErrorStage;
  /** The Connect class of what failed in that stage (e.g. the transform's), when the stage alone does not say. */
  readonly executingClass?: string;
  constructor(message: string, stage: ErrorStage, options?: { cause?: unknown; executingClass?: string }) {
    super(message, options);
    this.stage = stage;
    this.executingClass = options?.executingClass;
  }
}

/** Programmer bugs are never retried. */
export function isProgrammerError(e: unknown): boolean {
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;
}

export function errorSummary(e: unknown): { className: string; message: string; stack: string } {
  if (e instanceof Error) return { className: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` };
  return { className: 'Error', message: String(e), stack: String(e) };
}
