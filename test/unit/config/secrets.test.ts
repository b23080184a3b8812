import { describe, expect, it } from 'vitest';
import { jdbcSource } from '../../../src/connectors/jdbc-source/index.js';
import { containsSecret, HIDDEN, isSecretKeyName, maskConfig, MIN_SCRUB_LENGTH, redact, redactDeep, secretKeys } from '../../../src/config/secrets.js';

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

  it('scrubs a value shorter than MIN_SCRUB_LENGTH only where it stands quoted, so a short value does not garble the text', () => {
    expect(MIN_SCRUB_LENGTH).toBe(4);
    expect(redact("Access denied for user 'e'@'10.0.0.1' (using password: YES)", ['e']))
      .toBe("Access denied for user '[hidden]'@'10.0.0.1' (using password: YES)");
    expect(redact('connector prob-shortpw failed: "e" is not a table', ['e'])).toBe('connector prob-shortpw failed: "[hidden]" is not a table');
    expect(redact('a `ab` and ab', ['ab'])).toBe('a `[hidden]` and ab');
    // Four characters and more: everywhere.
    expect(redact('user tcon1 and xtcon1x', ['tcon1'])).toBe('user [hidden] and x[hidden]x');
  });

  it('replaces in one pass: a replacement is never matched again, a trimmed value (a dir file with its newline) too', () => {
    expect(redact('[hidden] idde', ['idde', 'hidden'])).toBe('[[hidden]] [hidden]');
    expect(redact("user 'from-dir'", ['from-dir\n'])).toBe("user '[hidden]'");
  });

  it('scrubs every string of a log object deep, turning Errors into their scrubbed stack and keeping other objects', () => {
    const when = new Date(0);
    const out = redactDeep({ err: 'denied for s3cret-user', nested: { list: ['s3cret-user', 1] }, when, e: new Error('bad s3cret-user') }, ['s3cret-user']) as Record<string, unknown>;
    expect(out.err).toBe('denied for [hidden]');
    expect(out.nested).toEqual({ list: ['[hidden]', 1] });
    expect(out.when).toBe(when);
    expect(out.e).toMatch(/^Error: bad \[hidden\]\n/);
  });
});
