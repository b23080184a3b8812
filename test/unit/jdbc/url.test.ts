import { describe, expect, it } from 'vitest';
import { JdbcUrlError, parseJdbcUrl, redactJdbcUrl } from '../../../src/connectors/jdbc/url.js';

describe('parseJdbcUrl', () => {
  it('reads host, port and database of a jdbc:mysql URL', () => {
    expect(parseJdbcUrl('jdbc:mysql://db.example.com:3307/shop')).toEqual({
      protocol: 'mysql', hosts: [{ host: 'db.example.com', port: 3307 }], database: 'shop', user: null, password: null, params: {},
    });
  });

  it('reads jdbc:mariadb URLs and defaults the port to 3306', () => {
    const u = parseJdbcUrl('jdbc:mariadb://localhost/inventory');
    expect(u.protocol).toBe('mariadb');
    expect(u.hosts).toEqual([{ host: 'localhost', port: 3306 }]);
    expect(u.database).toBe('inventory');
  });

  it('takes user and password from query parameters, percent-decoded', () => {
    const u = parseJdbcUrl('jdbc:mysql://h:3306/db?user=app&password=p%40ss%26word&useSSL=false');
    expect(u.user).toBe('app');
    expect(u.password).toBe('p@ss&word');
    expect(u.params).toEqual({ user: 'app', password: 'p@ss&word', useSSL: 'false' });
  });

  it('takes user:password@ credentials before the host', () => {
    const u = parseJdbcUrl('jdbc:mysql://app:s3cr%3At@h:3306/db');
    expect(u).toMatchObject({ user: 'app', password: 's3cr:t', hosts: [{ host: 'h', port: 3306 }], database: 'db' });
  });

  it('keeps several hosts in order and reads IPv6 literals', () => {
    const u = parseJdbcUrl('jdbc:mysql://a:3306,b,[::1]:3310/db');
    expect(u.hosts).toEqual([{ host: 'a', port: 3306 }, { host: 'b', port: 3306 }, { host: '::1', port: 3310 }]);
  });

  it('accepts a URL without database, and a sub-protocol', () => {
    expect(parseJdbcUrl('jdbc:mysql://h:3306').database).toBeNull();
    expect(parseJdbcUrl('jdbc:mysql://h:3306/').database).toBeNull();
    expect(parseJdbcUrl('jdbc:mysql:loadbalance://h/db').database).toBe('db');
  });

  it('rejects other drivers and bad ports', () => {
    expect(() => parseJdbcUrl('jdbc:sqlserver://h/db')).toThrow(JdbcUrlError);
    expect(() => parseJdbcUrl('mysql://h/db')).toThrow(/jdbc:mysql/);
    expect(() => parseJdbcUrl('jdbc:mysql://h:99999/db')).toThrow(/invalid port/);
    expect(() => parseJdbcUrl('jdbc:mysql://h:abc/db')).toThrow(/invalid port/);
  });
});

describe('redactJdbcUrl', () => {
  it('hides passwords in parameters and credentials', () => {
    expect(redactJdbcUrl('jdbc:mysql://h/db?user=u&password=secret&x=1')).toBe('jdbc:mysql://h/db?user=u&password=****&x=1');
    expect(redactJdbcUrl('jdbc:mysql://u:secret@h/db')).toBe('jdbc:mysql://u:****@h/db');
  });
});
