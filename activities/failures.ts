import { ApplicationFailure } from '@temporalio/common';
import { ConfigError, DataError, RetriableError, errorSummary, isProgrammerError } from '../src/errors.js';
import { redact } from '../src/config/secrets.js';
import { FAILURE } from './deps.js';

/**
 * Maps an error to the Temporal failure the workflows understand. `secrets`: the plain secrets and
 * every value a config provider resolved for this connector or task (resolveConfigValues); they
 * are scrubbed from the message, the stack and the problems, which go to history, status traces,
 * logs and REST (drivers echo users, database names and connection strings).
 */
export function toFailure(e: unknown, secrets: readonly string[] = []): ApplicationFailure {
  if (e instanceof ApplicationFailure) return e;
  const s = errorSummary(e);
  const message = redact(s.message, secrets);
  const stack = redact(s.stack, secrets);
  const details = [{ className: s.className, stack }];
  if (e instanceof ConfigError) {
    const problems = e.problems.map((p) => ({ ...p, message: redact(p.message, secrets) }));
    return ApplicationFailure.create({ message, type: FAILURE.config, nonRetryable: true, details: [{ ...details[0], problems }] });
  }
  if (e instanceof DataError) return ApplicationFailure.create({ message, type: FAILURE.data, nonRetryable: true, details: [{ ...details[0], stage: e.stage }] });
  if (e instanceof RetriableError) return ApplicationFailure.create({ message, type: FAILURE.retriable, nonRetryable: false, details });
  if (isProgrammerError(e)) return ApplicationFailure.create({ message, type: s.className, nonRetryable: true, details });
  // Unknown errors from drivers (connection resets, timeouts) are treated as transient.
  return ApplicationFailure.create({ message, type: s.className || 'Error', nonRetryable: false, details });
}
