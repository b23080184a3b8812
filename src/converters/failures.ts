import { DataError, type ErrorStage } from '../errors.js';
import { DataException } from '../records/schema.js';

/**
 * Converter internals throw DataException (Connect's name, also what Struct throws);
 * at the converter's public surface it becomes a DataError tagged with the stage,
 * so errors.tolerance can route the one bad record. Anything else is a bug and passes through.
 */
export function withStage<T>(stage: ErrorStage, convert: () => T): T {
  try {
    return convert();
  } catch (e) {
    throw stageError(stage, e);
  }
}

/** What withStage throws for an error: for a try/catch inline where a closure per call costs (a record's conversion). */
export function stageError(stage: ErrorStage, e: unknown): unknown {
  return e instanceof DataException ? new DataError(e.message, stage, { cause: e }) : e;
}

/** Stage for a key/value converter. */
export function converterStage(isKey: boolean): ErrorStage {
  return isKey ? 'KEY_CONVERTER' : 'VALUE_CONVERTER';
}
