import { describe, expect, it } from 'vitest';
import { jdbcSource } from '../../../src/connectors/jdbc-source/index.js';
import { containsSecret, HIDDEN, isSecretKeyName, maskConfig, redact, secretKeys } from '../../../src/config/secrets.js';

describe('secretKeys', () => {
  it('includes keys the plugin declares PASSWORD even when unset', () => {
    expect(secretKeys(jdbcSource, {})).toContain('connection.password');
  });

  it('catches secret-looking names from converters, transforms and client overrides', () => {
    const config = {
      'value.converter.basic.auth.user.info': 'u:p',
      'producer.override.sasl.jaas.config': 'x',
      'producer.override.ssl.key.password': 'x',
      'transforms.t.api.key': 'x',
      'consumer.override.sasl.oauthbearer.token': 'x',
      'admin.override.aws.secret.key': 'x',
      'value.converter.client.secret': 'x',
      'tasks.max': '1',
      'topic.prefix': 'x',
      'transforms.mask.replacement': 'x',
    };
    const keys = secretKeys(jdbcSource, config);
    for (const k of Object.keys(config).slice(0, 7)) expect(keys, k).toContain(k);
    for (const k of ['tasks.max', 'topic.prefix', 'transforms.mask.replacement']) expect(keys).not.toContain(k);
  });

  it('works without a plugin (unknown class)', () => {
    expect(secretKeys(undefined, { 'db.Password': 'x' })).toEqual(['db.Password']);
    expect(isSecretKeyName('DB.PASSWORD')).toBe(true);
  });
});

describe('maskConfig', () => {
  it('hides secret values and keeps pure config-provider references as written', () => {
    const config = {
      'connection.password': 'hunter2',
      'connection.user': 'app',
      'a.password': '${env:DB_PASSWORD}',
      'b.password': '${file:/etc/creds.properties:db.password}',
      'c.password': '${file:/p:user}${env:X}',
      'd.password': 'prefix-${env:X}',
      'e.password': '',
    };
    const masked = maskConfig(config, secretKeys(jdbcSource, config));
    expect(masked).toEqual({
      'connection.password': HIDDEN,
      'connection.user': 'app',
      'a.password': '${env:DB_PASSWORD}',
      'b.password': '${file:/etc/creds.properties:db.password}',
      'c.password': '${file:/p:user}${env:X}',
      'd.password': HIDDEN,
      'e.password': HIDDEN,
    });
    expect(HIDDEN).toBe('[hidden]');
    expect(config['connection.password']).toBe('hunter2');
  });
});

describe('containsSecret and redact', () => {
  const config = { 'connection.password': 'p@ss w0rd', 'x.password': '${env:X}' };
  const keys = secretKeys(jdbcSource, config);

  it('finds plain secret values, not references', () => {
    expect(containsSecret('login failed with p@ss w0rd', config, keys)).toBe(true);
    expect(containsSecret('reference ${env:X} is fine', config, keys)).toBe(false);
    expect(containsSecret('nothing here', config, keys)).toBe(false);
  });

  it('scrubs secrets as written and URL-encoded, longest first', () => {
    const msg = 'Access denied for mysql://app:p%40ss%20w0rd@db/shop (password p@ss w0rd, also p@ss)';
    expect(redact(msg, ['p@ss', 'p@ss w0rd'])).toBe('Access denied for mysql://app:[hidden]@db/shop (password [hidden], also [hidden])');
    expect(redact('untouched', ['', 'zzz'])).toBe('untouched');
  });
});
