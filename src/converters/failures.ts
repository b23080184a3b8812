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
    if (e instanceof DataException) throw new DataError(e.message, stage, { cause: e });
    throw e;
  }
}

/** Stage for a key/value converter. */
export function converterStage(isKey: boolean): ErrorStage {
  return isKey ? 'KEY_CONVERTER' : 'VALUE_CONVERTER';
}
