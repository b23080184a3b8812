import { describe, expect, it } from 'vitest';
import { connectionSettings } from '../../../src/connectors/jdbc/connection.js';
import { parseTableList } from '../../../src/connectors/jdbc/dialect.js';
import { dialectForScheme, dialectNames, findDialect, urlSchemes } from '../../../src/connectors/jdbc/dialects.js';
import { dialectNameProblem } from '../../../src/connectors/jdbc/keys.js';
import { mysqlDialect } from '../../../src/connectors/jdbc/mysql.js';
import { JdbcUrlError, parseJdbcUrl } from '../../../src/connectors/jdbc/url.js';

const keys = (url: string, dialect = '') => ({
  'connection.url': url, 'connection.user': undefined, 'connection.password': undefined,
  'connection.attempts': 1, 'connection.backoff.ms': 0, 'dialect.name': dialect,
});

describe('JDBC dialect registry', () => {
  it('picks the MySQL dialect from both of its URL schemes, and by its Kafka Connect name', () => {
    expect(dialectNames()).toEqual(['MySqlDatabaseDialect']);
    expect(urlSchemes()).toEqual(['mysql', 'mariadb']);
    expect(dialectForScheme('MariaDB')).toBe(mysqlDialect);
    expect(findDialect('MySqlDatabaseDialect')).toBe(mysqlDialect);
    expect(findDialect('PostgreSqlDatabaseDialect')).toBeUndefined();
    expect(connectionSettings(keys('jdbc:mariadb://h/db')).dialect).toBe(mysqlDialect);
    expect(connectionSettings(keys('jdbc:mysql://h/db', 'MySqlDatabaseDialect')).dialect).toBe(mysqlDialect);
  });

  it('gives a URL without a port the dialect\'s default port, and names every known scheme for an unknown one', () => {
    expect(parseJdbcUrl('jdbc:mariadb://h/db').hosts).toEqual([{ host: 'h', port: mysqlDialect.defaultPort }]);
    expect(() => parseJdbcUrl('jdbc:postgresql://h/db')).toThrow(new JdbcUrlError('must start with jdbc:mysql:// or jdbc:mariadb://'));
  });

  it('accepts an empty or registered dialect.name and names the available ones otherwise', () => {
    expect(dialectNameProblem('')).toBeNull();
    expect(dialectNameProblem(' MySqlDatabaseDialect ')).toBeNull();
    expect(dialectNameProblem('PostgreSqlDatabaseDialect')).toEqual({
      key: 'dialect.name', message: 'Unsupported dialect PostgreSqlDatabaseDialect: only MySqlDatabaseDialect is available',
    });
  });

  it('reads table lists in the dialect\'s quoting', () => {
    expect(parseTableList(mysqlDialect, '`a.b`.`c,d`, e', 'shop')).toEqual([{ db: 'a.b', table: 'c,d' }, { db: 'shop', table: 'e' }]);
  });

  it('builds the upsert from the INSERT it is given', () => {
    expect(mysqlDialect.upsertSql('INSERT INTO t (`k`,`v`) VALUES (?,?)', ['k'], ['v'])).toBe('INSERT INTO t (`k`,`v`) VALUES (?,?) ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)');
  });
});
