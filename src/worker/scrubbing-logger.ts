import type { PluginLogger } from '../connectors/types.js';
import { resolvedValuesSeen } from '../config/resolved-values.js';
import { redact, redactDeep } from '../config/secrets.js';

/** The logger activities get: the four levels and child(). */
export interface ActivityLogger extends PluginLogger {
  child(bindings: object): ActivityLogger;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * A logger that scrubs every value a config provider resolved in this process out of each line
 * (objects deep, and the message), before the line is written: plugins and the runtime log driver
 * errors ("Access denied for user '…'") that may carry them. Key-based redaction of secrets
 * (logging.ts) still applies underneath.
 */
export function scrubbingLogger(inner: ActivityLogger): ActivityLogger {
  const out = { child: (bindings: object) => scrubbingLogger(inner.child(bindings)) } as ActivityLogger;
  for (const level of LEVELS) {
    out[level] = (obj: object, msg?: string) => {
      const values = resolvedValuesSeen();
      if (values.length === 0) return inner[level](obj, msg);
      inner[level](redactDeep(obj, values) as object, msg === undefined ? undefined : redact(msg, values));
    };
  }
  return out;
}
