import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { jdbcSink } from '../../../src/connectors/jdbc-sink/index.js';
import { jdbcSinkConfig, parseJdbcSinkConfig, tableFor, validateJdbcSink } from '../../../src/connectors/jdbc-sink/config.js';

const base = { 'connection.url': 'jdbc:mysql://db:3306/shop' };

function problems(raw: Record<string, unknown>) {
  const r = jdbcSinkConfig.parse(raw);
  return r.ok ? validateJdbcSink(r.value) : r.problems;
}

const ctx = { connectorName: 'c', logger: { debug() {}, info() {}, warn() {}, error() {} } };

describe('JDBC sink config', () => {
  it('parses Connect\'s string values with Confluent\'s defaults', () => {
    const cfg = parseJdbcSinkConfig(base);
    expect(cfg['insert.mode']).toBe('insert');
    expect(cfg['pk.mode']).toBe('none');
    expect(cfg['pk.fields']).toEqual([]);
    expect(cfg['fields.whitelist']).toEqual([]);
    expect(cfg['batch.size']).toBe(3000);
    expect(cfg['delete.enabled']).toBe(false);
    expect(cfg['auto.create']).toBe(false);
    expect(cfg['auto.evolve']).toBe(false);
    expect(cfg['table.name.format']).toBe('${topic}');
    expect(cfg['db.timezone']).toBe('UTC');
    expect(cfg['table.types']).toEqual(['TABLE']);
    expect(cfg['max.retries']).toBe(10);
    expect(cfg['retry.backoff.ms']).toBe(3000);
    expect(cfg['connection.attempts']).toBe(3);
    expect(cfg['quote.sql.identifiers']).toBe('always');

    const set = parseJdbcSinkConfig({ ...base, 'insert.mode': 'UPSERT', 'pk.mode': 'record_value', 'pk.fields': 'a, b', 'batch.size': '10', 'auto.create': 'true', 'table.types': 'table,view' });
    expect(set['insert.mode']).toBe('upsert');
    expect(set['pk.fields']).toEqual(['a', 'b']);
    expect(set['batch.size']).toBe(10);
    expect(set['auto.create']).toBe(true);
    expect(set['table.types']).toEqual(['TABLE', 'VIEW']);
  });

  it('declares the password secret and the plugin under Connect\'s class name', () => {
    expect(jdbcSinkConfig.secretKeys()).toEqual(['connection.password']);
    expect(jdbcSink.className).toBe('io.confluent.connect.jdbc.JdbcSinkConnector');
    expect(jdbcSink.aliases).toEqual(['JdbcSinkConnector', 'JdbcSink']);
    expect(jdbcSink.type).toBe('sink');
  });

  it('refuses delete.enabled without pk.mode record_key, with Confluent\'s message', () => {
    for (const mode of ['none', 'kafka', 'record_value']) {
      expect(problems({ ...base, 'delete.enabled': 'true', 'pk.mode': mode, 'insert.mode': 'insert' })).toContainEqual({
        key: 'delete.enabled', message: 'Primary key mode must be \'record_key\' when delete support is enabled',
      });
    }
    expect(problems({ ...base, 'delete.enabled': 'true', 'pk.mode': 'record_key' })).toEqual([]);
    expect(() => parseJdbcSinkConfig({ ...base, 'delete.enabled': 'true' })).toThrow(ConfigError);
  });

  it('refuses upsert and update without a primary key', () => {
    expect(problems({ ...base, 'insert.mode': 'upsert' }).map((p) => p.key)).toEqual(['insert.mode']);
    expect(problems({ ...base, 'insert.mode': 'update' }).map((p) => p.key)).toEqual(['insert.mode']);
    expect(problems({ ...base, 'insert.mode': 'upsert', 'pk.mode': 'kafka' })).toEqual([]);
  });

  it('wants none or exactly three pk.fields in kafka mode', () => {
    expect(problems({ ...base, 'pk.mode': 'kafka' })).toEqual([]);
    expect(problems({ ...base, 'pk.mode': 'kafka', 'pk.fields': 't,p,o' })).toEqual([]);
    expect(problems({ ...base, 'pk.mode': 'kafka', 'pk.fields': 't,p' }).map((p) => p.key)).toEqual(['pk.fields']);
  });

  it('reports bad values key by key', () => {
    const keys = (raw: Record<string, unknown>) => problems(raw).map((p) => p.key);
    expect(keys({})).toEqual(['connection.url']);
    expect(keys({ 'connection.url': 'jdbc:sqlserver://db/x' })).toEqual(['connection.url']);
    expect(keys({ ...base, 'insert.mode': 'merge' })).toEqual(['insert.mode']);
    expect(keys({ ...base, 'pk.mode': 'record' })).toEqual(['pk.mode']);
    expect(keys({ ...base, 'batch.size': '0' })).toEqual(['batch.size']);
    expect(keys({ ...base, 'db.timezone': 'Mars/Olympus' })).toEqual(['db.timezone']);
    expect(keys({ ...base, 'table.types': 'TABLE,SYNONYM' })).toEqual(['table.types']);
    expect(keys({ ...base, 'dialect.name': 'SqlServerDatabaseDialect' })).toEqual(['dialect.name']);
    expect(keys({ ...base, 'table.name.format': 'a.b.${topic}' })).toEqual(['table.name.format']);
    // No database anywhere: the URL must name one unless the format does.
    expect(keys({ 'connection.url': 'jdbc:mysql://db:3306' })).toEqual(['connection.url']);
    expect(keys({ 'connection.url': 'jdbc:mysql://db:3306', 'table.name.format': 'archive.${topic}' })).toEqual([]);
  });

  it('maps topics to tables: ${topic} substituted, dots in the topic kept, a database only from the format', () => {
    const cfg = (format: string) => parseJdbcSinkConfig({ ...base, 'table.name.format': format });
    expect(tableFor(cfg('${topic}'), 'orders', 'shop')).toEqual({ db: 'shop', table: 'orders' });
    expect(tableFor(cfg('${topic}'), 'mysql.orders', 'shop')).toEqual({ db: 'shop', table: 'mysql.orders' });
    expect(tableFor(cfg('kafka_${topic}'), 'orders', 'shop')).toEqual({ db: 'shop', table: 'kafka_orders' });
    expect(tableFor(cfg('archive.${topic}_${topic}'), 'o', 'shop')).toEqual({ db: 'archive', table: 'o_o' });
    expect(tableFor(cfg('`my.db`.`t-${topic}`'), 'o', 'shop')).toEqual({ db: 'my.db', table: 't-o' });
    expect(tableFor(cfg('fixed'), 'anything', 'shop')).toEqual({ db: 'shop', table: 'fixed' });
  });

  it('plans tasks.max identical task configs and rejects a bad config there too', async () => {
    const raw = { ...base, 'connector.class': 'JdbcSink', topics: 'a,b' };
    const tasks = await jdbcSink.taskConfigs(raw, 3, ctx);
    expect(tasks).toEqual([raw, raw, raw]);
    expect(tasks[0]).not.toBe(tasks[1]);
    await expect(jdbcSink.taskConfigs({ ...base, 'delete.enabled': 'true' }, 1, ctx)).rejects.toThrow(ConfigError);
  });
});
