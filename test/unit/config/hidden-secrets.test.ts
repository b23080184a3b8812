import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { keepHiddenSecrets } from '../../../activities/control.js';

// A config read back from an answer shows secrets as [hidden]; sent again in a reconfigure it
// keeps the stored value (whatever the client: SDK, CLI, REST, Temporal CLI).
describe('[hidden] secrets in a reconfigure', () => {
  const config = { 'connector.class': 'JdbcSource', 'connection.url': 'jdbc:mysql://db:3306/x', 'connection.password': '[hidden]', mode: 'bulk' };

  it('takes the stored value of each secret sent as [hidden], and only of those', () => {
    const stored = { ...config, 'connection.password': '${enc:v1.a.b.c}', 'topic.prefix': 'old.' };
    expect(keepHiddenSecrets(config, stored)).toEqual({ ...config, 'connection.password': '${enc:v1.a.b.c}' });
    // A non-secret key whose value happens to be [hidden] stays as sent.
    expect(keepHiddenSecrets({ ...config, 'connection.password': 'pw', 'topic.prefix': '[hidden]' }, stored)['topic.prefix']).toBe('[hidden]');
  });

  it('refuses [hidden] with no stored value, as a ConfigError naming the key and what to send', () => {
    let err: unknown;
    try {
      keepHiddenSecrets(config, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as ApplicationFailure;
    expect(f.type).toBe('ConfigError');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/connection\.password: .*send the real value or a config provider reference/);
    expect((f.details?.[0] as { problems: Array<{ key: string }> }).problems.map((p) => p.key)).toEqual(['connection.password']);
  });
});
