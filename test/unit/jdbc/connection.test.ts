import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, RetriableError } from '../../../src/errors.js';
import { classifyError, connectionSettings } from '../../../src/connectors/jdbc/connection.js';
import { parseJdbcSourceConfig } from '../../../src/connectors/jdbc-source/config.js';

const mysqlError = (errno: number, code: string, message: string) => Object.assign(new Error(message), { errno, code, sqlMessage: message });

describe('classifyError', () => {
  it('credentials, unknown objects and bad SQL are ConfigErrors', () => {
    const denied = classifyError(mysqlError(1045, 'ER_ACCESS_DENIED_ERROR', "Access denied for user 'u'@'h' (using password: YES)"), 'Could not connect');
    expect(denied).toBeInstanceOf(ConfigError);
    expect((denied as ConfigError).problems.map((p) => p.key)).toEqual(['connection.password']);
    for (const [errno, code] of [[1049, 'ER_BAD_DB_ERROR'], [1146, 'ER_NO_SUCH_TABLE'], [1054, 'ER_BAD_FIELD_ERROR'], [1064, 'ER_PARSE_ERROR'], [1142, 'ER_TABLEACCESS_DENIED_ERROR']] as const) {
      expect(classifyError(mysqlError(errno, code, 'x'), 'q')).toBeInstanceOf(ConfigError);
    }
  });

  it('network trouble, lost connections and lock waits are RetriableErrors', () => {
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111 }), 'c')).toBeInstanceOf(RetriableError);
    expect(classifyError(Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'c')).toBeInstanceOf(RetriableError);
    expect(classifyError(mysqlError(1205, 'ER_LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded'), 'q')).toBeInstanceOf(RetriableError);
    expect(classifyError(mysqlError(1927, 'ER_CONNECTION_KILLED', 'Connection was killed'), 'q').message).toBe('q: Connection was killed');
  });

  it('leaves classified errors and bugs alone', () => {
    const data = new DataError('bad row', 'TASK_POLL');
    expect(classifyError(data, 'x')).toBe(data);
    const bug = new TypeError('undefined is not a function');
    expect(classifyError(bug, 'x')).toBe(bug);
  });
});

describe('connectionSettings', () => {
  const base = { mode: 'bulk', 'connection.url': 'jdbc:mysql://u1:p1@h:3307/db?password=p2' };

  it('prefers connection.user / connection.password over the URL, and redacts the URL', () => {
    const s = connectionSettings(parseJdbcSourceConfig({ ...base, 'connection.user': 'u3', 'connection.password': 'p3' }));
    expect([s.user, s.password]).toEqual(['u3', 'p3']);
    expect(s.urlText).not.toContain('p1');
    expect(s.urlText).not.toContain('p2');
    expect(s.url.hosts).toEqual([{ host: 'h', port: 3307 }]);
  });

  it('falls back to the URL credentials', () => {
    const s = connectionSettings(parseJdbcSourceConfig(base));
    expect([s.user, s.password]).toEqual(['u1', 'p1']);
  });
});
