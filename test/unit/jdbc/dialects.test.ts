import { describe, expect, it } from 'vitest';
import { connectionSettings } from '../../../src/connectors/jdbc/connection.js';
import { parseTableList } from '../../../src/connectors/jdbc/dialect.js';
import { dialectForScheme, dialectNames, findDialect, urlSchemes } from '../../../src/connectors/jdbc/dialects.js';
import { dialectNameProblem } from '../../../src/connectors/jdbc/keys.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';
import { postgresDialect } from '../../../src/connectors/jdbc/postgres.js';
import { JdbcUrlError, parseJdbcUrl } from '../../../src/connectors/jdbc/url.js';

const keys = (url: string, dialect = '') => ({
  'connection.url': url, 'connection.user': undefined, 'connection.password': undefined,
  'connection.attempts': 1, 'connection.backoff.ms': 0, 'dialect.name': dialect,
});

describe('JDBC dialect registry', () => {
  it('picks the MySQL and PostgreSQL dialects from their URL schemes, and by their Kafka Connect names', () => {
    expect(dialectNames()).toEqual(['MySqlDatabaseDialect', 'PostgreSqlDatabaseDialect']);
    expect(urlSchemes()).toEqual(['mysql', 'mariadb', 'postgresql']);
    expect(dialectForScheme('MariaDB')).toBe(mysqlDialect);
    expect(findDialect('MySqlDatabaseDialect')).toBe(mysqlDialect);
    expect(findDialect('PostgreSqlDatabaseDialect')).toBe(postgresDialect);
    expect(findDialect('SqlServerDatabaseDialect')).toBeUndefined();
    expect(connectionSettings(keys('jdbc:postgresql://h/db')).dialect).toBe(postgresDialect);
    expect(connectionSettings(keys('jdbc:mariadb://h/db')).dialect).toBe(mysqlDialect);
    expect(connectionSettings(keys('jdbc:mysql://h/db', 'MySqlDatabaseDialect')).dialect).toBe(mysqlDialect);
  });

  it('gives a URL without a port the dialect\'s default port, and names every known scheme for an unknown one', () => {
    expect(parseJdbcUrl('jdbc:mariadb://h/db').hosts).toEqual([{ host: 'h', port: mysqlDialect.defaultPort }]);
    expect(parseJdbcUrl('jdbc:postgresql://h/db').hosts).toEqual([{ host: 'h', port: 5432 }]);
    expect(() => parseJdbcUrl('jdbc:sqlserver://h/db')).toThrow(new JdbcUrlError('must start with jdbc:mysql:// or jdbc:mariadb:// or jdbc:postgresql://'));
  });

  it('accepts an empty or registered dialect.name and names the available ones otherwise', () => {
    expect(dialectNameProblem('')).toBeNull();
    expect(dialectNameProblem(' MySqlDatabaseDialect ')).toBeNull();
    expect(dialectNameProblem('PostgreSqlDatabaseDialect')).toBeNull();
    expect(dialectNameProblem('SqlServerDatabaseDialect')).toEqual({
      key: 'dialect.name', message: 'Unsupported dialect SqlServerDatabaseDialect: only MySqlDatabaseDialect, PostgreSqlDatabaseDialect are available',
    });
  });

  it('reads table lists in the dialect\'s quoting', () => {
    expect(parseTableList(mysqlDialect, '`a.b`.`c,d`, e', 'shop')).toEqual([{ db: 'a.b', table: 'c,d' }, { db: 'shop', table: 'e' }]);
  });

  it('builds the upsert from the INSERT it is given', () => {
    expect(mysqlDialect.upsertSql('INSERT INTO t (`k`,`v`) VALUES (?,?)', ['k'], ['v'])).toBe('INSERT INTO t (`k`,`v`) VALUES (?,?) ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)');
  });
});
