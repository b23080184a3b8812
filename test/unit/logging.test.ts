import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  const saved = process.env.TCONNECT_LOG_LEVEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.TCONNECT_LOG_LEVEL;
    else process.env.TCONNECT_LOG_LEVEL = saved;
  });

  it('binds its fields and redacts secret keys at any usual depth', () => {
    const out = capture();
    createLogger({ connector: 'orders' }, out.stream).info({
      password: 'p0',
      'connection.password': 'p1',
      config: { 'connection.user': 'u', 'connection.password': 'p2', 'sasl.jaas.config': 'p3' },
      connector: { config: { token: 'p4' } },
    }, 'started');
    const [rec] = out.records();
    expect(rec).toMatchObject({
      msg: 'started',
      password: '[hidden]',
      'connection.password': '[hidden]',
      config: { 'connection.user': 'u', 'connection.password': '[hidden]', 'sasl.jaas.config': '[hidden]' },
      connector: { config: { token: '[hidden]' } },
    });
    expect(JSON.stringify(rec)).not.toMatch(/p[0-4]"/);
  });

  it('takes its level from TCONNECT_LOG_LEVEL, info by default or when unknown', () => {
    process.env.TCONNECT_LOG_LEVEL = 'debug';
    expect(createLogger().level).toBe('debug');
    process.env.TCONNECT_LOG_LEVEL = 'loud';
    expect(createLogger().level).toBe('info');
    delete process.env.TCONNECT_LOG_LEVEL;
    expect(createLogger().level).toBe('info');
  });
});
