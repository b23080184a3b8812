import { describe, expect, it } from 'vitest';
import { toFailure } from '../../../activities/failures.js';
import { rememberResolvedValues } from '../../../src/config/resolved-values.js';
import { ConfigError } from '../../../src/errors.js';
import { scrubbingLogger, type ActivityLogger } from '../../../src/worker/scrubbing-logger.js';

describe('toFailure', () => {
  it('scrubs resolved values from the message, the stack and a ConfigError\'s problems', () => {
    const e = new ConfigError("Access denied for user 'resolved-user-7'", [{ key: 'connection.user', message: "user 'resolved-user-7' unknown" }]);
    const f = toFailure(e, ['resolved-user-7']);
    const text = JSON.stringify({ message: f.message, stack: f.stack, details: f.details });
    expect(f.message).toBe("Access denied for user '[hidden]'");
    expect(text).not.toContain('resolved-user-7');
    expect((f.details?.[0] as { problems: unknown }).problems).toEqual([{ key: 'connection.user', message: "user '[hidden]' unknown" }]);
  });
});

describe('scrubbingLogger', () => {
  it('scrubs every value resolved in this process from log objects and messages, children included', () => {
    const lines: Array<{ level: string; obj: object; msg?: string }> = [];
    const fake = (bindings: object): ActivityLogger => ({
      debug: (obj, msg) => lines.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
      info: (obj, msg) => lines.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
      error: (obj, msg) => lines.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
      child: (b) => fake({ ...bindings, ...b }),
    });
    rememberResolvedValues(['log-resolved-9']);
    const log = scrubbingLogger(fake({})).child({ connector: 'c' });
    log.warn({ error: "Access denied for user 'log-resolved-9'", attempt: 1 }, 'failed for log-resolved-9');
    expect(lines).toEqual([{ level: 'warn', obj: { connector: 'c', error: "Access denied for user '[hidden]'", attempt: 1 }, msg: 'failed for [hidden]' }]);
  });
});
