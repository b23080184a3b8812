import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { authorized, challenges, parseUserList, parseUsersFile } from '../../../src/rest/auth.js';
import { LoggerLevels, LoggerLimitError, MAX_LOGGERS, MAX_LOGGER_NAME_LENGTH } from '../../../src/rest/loggers.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('REST auth', () => {
  const creds = { users: parseUserList('alice:s3cret:with:colons, bob:pw'), tokens: ['tok-123'] };

  it('accepts the configured users and tokens, nothing else', () => {
    expect(authorized(basic('alice', 's3cret:with:colons'), creds)).toBe(true);
    expect(authorized(basic('bob', 'pw'), creds)).toBe(true);
    expect(authorized(basic('bob', 'nope'), creds)).toBe(false);
    expect(authorized(basic('eve', 'pw'), creds)).toBe(false);
    expect(authorized('Bearer tok-123', creds)).toBe(true);
    expect(authorized('bearer tok-123', creds)).toBe(true);
    expect(authorized('Bearer tok-12', creds)).toBe(false);
    expect(authorized(undefined, creds)).toBe(false);
    expect(authorized('Digest x', creds)).toBe(false);
  });

  it("reads Jetty's users file format and names the configured schemes in the challenge", () => {
    expect(parseUsersFile('alice: pw1,admin\nbob=pw2\n# comment\n')).toEqual(new Map([['alice', 'pw1'], ['bob', 'pw2']]));
    expect(challenges(creds)).toEqual(['Basic realm="temporal-connect", charset="UTF-8"', 'Bearer realm="temporal-connect"']);
    expect(challenges({ users: new Map(), tokens: ['t'] })).toEqual(['Bearer realm="temporal-connect"']);
    expect(() => parseUserList('nocolon')).toThrow(/user:password/);
  });
});

describe('/admin/loggers levels', () => {
  it("maps Connect's level names to pino and reaches children created before and after", () => {
    const root = pino({ level: 'info' }, { write() {} });
    const levels = new LoggerLevels(root);
    const worker = levels.register('worker', root.child({ component: 'worker' }));
    const task = worker.child({ task: 0 });
    expect(levels.list()).toEqual({ root: { level: 'INFO', last_modified: null }, worker: { level: 'INFO', last_modified: null } });

    expect(levels.set('worker', 'debug')).toEqual(['worker']);
    expect(task.level).toBe('debug');
    expect(root.level).toBe('info');
    expect(levels.get('worker')).toMatchObject({ level: 'DEBUG', last_modified: expect.any(Number) });

    const later = worker.child({ task: 1 }).child({ batch: 2 });
    expect(levels.set('root', 'OFF')).toEqual(['root', 'worker']);
    expect([root.level, worker.level, task.level, later.level]).toEqual(['silent', 'silent', 'silent', 'silent']);
    expect(levels.get('root')?.level).toBe('OFF');
    // A name no logger has yet is created at that level (Connect/log4j), and listed from then on.
    expect(levels.set('org.example', 'WARN')).toEqual(['org.example']);
    expect(levels.get('org.example')).toEqual({ level: 'WARN', last_modified: expect.any(Number) });
    // A logger set to the level it has keeps last_modified null; others change and get a time.
    const fresh = new LoggerLevels(pino({ level: 'info' }, { write() {} }));
    fresh.set('org.example.a', 'DEBUG');
    expect(fresh.set('root', 'INFO')).toEqual(['org.example.a', 'root']);
    expect(fresh.get('root')).toEqual({ level: 'INFO', last_modified: null });
    expect(fresh.get('org.example.a')).toEqual({ level: 'INFO', last_modified: expect.any(Number) });
    // A name covers the loggers below it.
    fresh.set('org.example.b', 'ERROR');
    expect(fresh.set('org.example', 'TRACE')).toEqual(['org.example', 'org.example.a', 'org.example.b']);
    expect(LoggerLevels.pinoLevel('all')).toBe('trace');
    expect(LoggerLevels.pinoLevel('verbose')).toBeUndefined();
  });
});

describe('/admin/loggers bounds', () => {
  it('creates new logger names only up to MAX_LOGGERS and MAX_LOGGER_NAME_LENGTH, existing ones still change', () => {
    const root = pino({ level: 'info' }, { write() {} });
    const levels = new LoggerLevels(root);
    expect(() => levels.set('x'.repeat(MAX_LOGGER_NAME_LENGTH + 1), 'DEBUG')).toThrow(LoggerLimitError);
    for (let i = 1; i < MAX_LOGGERS; i++) levels.set(`org.example.L${i}`, 'DEBUG');
    expect(Object.keys(levels.list())).toHaveLength(MAX_LOGGERS);
    expect(() => levels.set('org.example.one.more', 'DEBUG')).toThrow(/already has 1000 loggers/);
    expect(levels.set('org.example.L7', 'WARN')).toEqual(['org.example.L7']);
    expect(levels.get('org.example.L7')?.level).toBe('WARN');
  });
});
