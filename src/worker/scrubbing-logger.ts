import type { PluginLogger } from '../connectors/types.js';
import { resolvedValuesScrubber } from '../config/resolved-values.js';
import { scrubDeep } from '../config/secrets.js';

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
      const scrub = resolvedValuesScrubber();
      if (!scrub) return inner[level](obj, msg);
      inner[level](scrubDeep(obj, scrub) as object, msg === undefined ? undefined : scrub(msg));
    };
  }
  return out;
}
