import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { jdbcSource } from '../../../src/connectors/jdbc-source/index.js';
import { jdbcSourceConfig, numericMapping, parseJdbcSourceConfig, validateJdbcSource } from '../../../src/connectors/jdbc-source/config.js';

const base = { 'connection.url': 'jdbc:mysql://db:3306/shop', mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'shop-' };

function problems(raw: Record<string, unknown>) {
  const r = jdbcSourceConfig.parse(raw);
  return r.ok ? validateJdbcSource(r.value) : r.problems;
}

describe('JDBC source config', () => {
  it('parses Connect\'s string values with Connect\'s defaults', () => {
    const cfg = parseJdbcSourceConfig({ ...base, 'batch.max.rows': '500', 'validate.non.null': 'false' });
    expect(cfg['batch.max.rows']).toBe(500);
    expect(cfg['validate.non.null']).toBe(false);
    expect(cfg['poll.interval.ms']).toBe(5000);
    expect(cfg['connection.attempts']).toBe(3);
    expect(cfg['connection.backoff.ms']).toBe(10000);
    expect(cfg['table.poll.interval.ms']).toBe(60000);
    expect(cfg['timestamp.delay.interval.ms']).toBe(0);
    expect(cfg['db.timezone']).toBe('UTC');
    expect(cfg['table.types']).toEqual(['TABLE']);
    expect(cfg['quote.sql.identifiers']).toBe('always');
    expect(numericMapping(cfg)).toBe('none');
  });

  it('declares the password secret and the plugin under Connect\'s class name', () => {
    expect(jdbcSourceConfig.secretKeys()).toEqual(['connection.password']);
    expect(jdbcSource.className).toBe('io.confluent.connect.jdbc.JdbcSourceConnector');
    expect(jdbcSource.aliases).toEqual(['JdbcSourceConnector', 'JdbcSource']);
    expect(jdbcSource.type).toBe('source');
  });

  it('is happy with a valid config', () => {
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, mode: 'timestamp+incrementing', 'timestamp.column.name': 'a,b', 'numeric.mapping': 'BEST_FIT', 'db.timezone': 'Europe/Paris' })).toEqual([]);
    expect(problems({ 'connection.url': 'jdbc:mariadb://db/shop', mode: 'bulk', 'table.include.list': 'shop\\.a.*', 'table.exclude.list': '.*_tmp' })).toEqual([]);
  });

  it('requires a mode, as Connect does', () => {
    expect(problems({ ...base, mode: '' })).toContainEqual({ key: 'mode', message: 'Query mode must be specified' });
    expect(problems({ ...base, mode: 'sometimes' })[0]).toMatchObject({ key: 'mode' });
  });

  it('timestamp modes need timestamp.column.name', () => {
    expect(problems({ ...base, mode: 'timestamp' })).toContainEqual({ key: 'timestamp.column.name', message: 'timestamp.column.name must be set when mode is timestamp' });
    expect(problems({ ...base, mode: 'timestamp+incrementing' }).map((p) => p.key)).toContain('timestamp.column.name');
  });

  it('whitelist and blacklist are exclusive', () => {
    expect(problems({ ...base, 'table.whitelist': 'a', 'table.blacklist': 'b' }))
      .toContainEqual({ key: 'table.blacklist', message: 'table.whitelist and table.blacklist are exclusive.' });
  });

  it('include/exclude lists: not with white/blacklists, exclude needs include, regexes must compile', () => {
    expect(problems({ ...base, 'table.whitelist': 'a', 'table.include.list': 'b' }).map((p) => p.key)).toContain('table.include.list');
    expect(problems({ ...base, 'table.exclude.list': 'b' }).map((p) => p.key)).toContain('table.exclude.list');
    expect(problems({ ...base, 'table.include.list': '(' })[0].message).toMatch(/Invalid regular expression/);
    expect(problems({ ...base, 'table.include.list': 'shop\\.(?!tmp).*' })[0]).toMatchObject({ key: 'table.include.list', message: expect.stringMatching(/lookahead .*not supported/) });
  });

  it('query mode: no table lists, a topic name, an explicit incrementing column', () => {
    const q = { ...base, query: 'SELECT * FROM orders' };
    expect(problems(q)).toEqual([]);
    expect(problems({ ...q, 'table.whitelist': 'orders' }).map((p) => p.key)).toContain('query');
    expect(problems({ ...q, 'topic.prefix': '' }).map((p) => p.key)).toContain('topic.prefix');
    expect(problems({ ...q, 'incrementing.column.name': '' }).map((p) => p.key)).toContain('incrementing.column.name');
  });

  it('table mode needs a database in the URL; query mode does not', () => {
    expect(problems({ ...base, 'connection.url': 'jdbc:mysql://db:3306' }).map((p) => p.key)).toContain('connection.url');
    expect(problems({ ...base, 'connection.url': 'jdbc:mysql://db:3306', query: 'SELECT 1' })).toEqual([]);
  });

  it('names the key of a value that does not parse', () => {
    const p = problems({ ...base, 'connection.url': 'jdbc:sqlserver://x/y', 'db.timezone': 'Mars/Olympus', 'batch.max.rows': '0', 'topic.prefix': 'bad prefix!' });
    expect(p.map((x) => x.key).sort()).toEqual(['batch.max.rows', 'connection.url', 'db.timezone', 'topic.prefix']);
    expect(p.find((x) => x.key === 'db.timezone')!.message).toMatch(/Invalid time zone identifier/);
    expect(problems({ mode: 'bulk' })).toContainEqual({ key: 'connection.url', message: 'Missing required configuration "connection.url" which has no default value.' });
  });

  it('rejects what only other databases support', () => {
    expect(problems({ ...base, 'transaction.isolation.mode': 'SQL_SERVER_SNAPSHOT' }).map((p) => p.key)).toEqual(['transaction.isolation.mode']);
    expect(problems({ ...base, 'dialect.name': 'SqlServerDatabaseDialect' }).map((p) => p.key)).toEqual(['dialect.name']);
    expect(problems({ ...base, 'table.types': 'SYNONYM' }).map((p) => p.key)).toEqual(['table.types']);
  });

  it('numeric.precision.mapping=true still means precision_only', () => {
    expect(numericMapping(parseJdbcSourceConfig({ ...base, 'numeric.precision.mapping': 'true' }))).toBe('precision_only');
  });

  it('parseJdbcSourceConfig throws one ConfigError listing every problem', () => {
    try {
      parseJdbcSourceConfig({ ...base, mode: '', 'table.whitelist': 'a', 'table.blacklist': 'b' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.key).sort()).toEqual(['mode', 'table.blacklist']);
    }
  });

  it('the plugin validate() is the cross-key check', () => {
    const r = jdbcSource.config.parse({ ...base, 'table.whitelist': 'a', 'table.blacklist': 'b' });
    expect(r.ok && jdbcSource.validate!(r.value)).toEqual([{ key: 'table.blacklist', message: 'table.whitelist and table.blacklist are exclusive.' }]);
  });

  it('taskConfigs gives one task for a query, without touching the database', async () => {
    const raw = { ...base, query: 'SELECT * FROM orders', 'tasks.max': '4' };
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(await jdbcSource.taskConfigs(raw, 4, { connectorName: 'c', logger })).toEqual([{ ...raw, tables: '', 'tables.fetched': 'true' }]);
  });
});
