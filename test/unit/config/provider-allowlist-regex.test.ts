import { describe, expect, it } from 'vitest';
import { configProvidersFromWorkerConfig, resolveConfig } from '../../../src/config/providers.js';
import { ConfigError } from '../../../src/errors.js';

// The env provider's allowlist.pattern is a user regex like any other: linear-time, and what RE2
// cannot match refused up front naming the worker setting.
describe('env provider allowlist.pattern', () => {
  const key = 'config.providers.environment.param.allowlist.pattern';
  const worker = (pattern: string) => ({
    'config.providers': 'environment',
    'config.providers.environment.class': 'EnvVarConfigProvider',
    [key]: pattern,
  });

  it('refuses lookaround with an error naming the setting and the construct', () => {
    let err: unknown;
    try {
      configProvidersFromWorkerConfig(worker('(?!SECRET_).*'), {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).toMatchObject({ key, message: expect.stringMatching(/lookahead \(\?!…\).*not supported/) });
  });

  it('matches whole names, and a catastrophic pattern answers on a long name', async () => {
    const long = 'A'.repeat(10_000);
    const providers = configProvidersFromWorkerConfig(worker('(A+)+B|DB_.*'), { DB_USER: 'u', [long]: 'x' });
    expect(await resolveConfig({ a: '${environment:DB_USER}' }, providers)).toEqual({ a: 'u' });
    await expect(resolveConfig({ a: `\${environment:${long}}` }, providers)).rejects.toThrow(/not matched by allowlist.pattern/);
  });
});
