import { z } from 'zod';
import { key, type ConfigProblem } from '../../config/define.js';
import type { JdbcDialect } from './dialect.js';
import { defaultDialect, dialectForScheme, dialectNames, findDialect } from './dialects.js';
import { parseZone } from './time.js';
import { JdbcUrlError, parseJdbcUrl } from './url.js';

// The keys the JDBC source and sink share (Confluent's names, defaults and docs): one declaration
// of the connection keys, dialect.name and quote.sql.identifiers, spread into each connector's keys.

export const ISOLATION_MODES = ['DEFAULT', 'READ_UNCOMMITTED', 'READ_COMMITTED', 'REPEATABLE_READ', 'SERIALIZABLE', 'SQL_SERVER_SNAPSHOT'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

const connectionUrl = key.custom(
  {
    type: 'STRING', importance: 'HIGH', group: 'Database', required: true, displayName: 'JDBC URL',
    documentation: 'JDBC connection URL, e.g. jdbc:mysql://localhost:3306/db_name, jdbc:mariadb://host/db_name or jdbc:postgresql://host:5432/db_name. '
      + 'user and password may also be given as URL parameters.',
    example: 'jdbc:mysql://127.0.0.1:3306/shop',
  },
  z.preprocess(blank, z.string().superRefine((s, ctx) => {
    try {
      parseJdbcUrl(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof JdbcUrlError ? e.message : String(e) });
    }
  })),
);

export const jdbcConnectionKeys = {
  'connection.url': connectionUrl,
  'connection.user': key.string({ doc: 'JDBC connection user. Overrides a user given in the URL.', importance: 'HIGH', group: 'Database' }),
  'connection.password': key.password({ doc: 'JDBC connection password. Overrides a password given in the URL. Prefer a config provider reference such as ${env:DB_PASSWORD}.', importance: 'HIGH', group: 'Database' }),
  'connection.attempts': key.int({ doc: 'Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.', default: 3, min: 1, importance: 'LOW', group: 'Database' }),
  'connection.backoff.ms': key.int({ doc: 'Backoff time in milliseconds between connection attempts.', default: 10000, min: 0, type: 'LONG', importance: 'LOW', group: 'Database' }),
  'dialect.name': key.string({ doc: 'Database dialect: MySqlDatabaseDialect (MySQL and MariaDB) or PostgreSqlDatabaseDialect; empty picks it from the URL.', default: '', importance: 'LOW', group: 'Database' }),
  'quote.sql.identifiers': key.enum(['always', 'never'] as const, { doc: 'Identifiers are always quoted (backticks on MySQL, double quotes on PostgreSQL) here, whatever this says: quoting is what keeps names from being read as SQL.', default: 'always', caseInsensitive: true, importance: 'MEDIUM', group: 'Mode' }),
};

/** A time zone id (db.timezone of the JDBC source and sink): UTC when blank. */
export function zoneIdValue() {
  return z.preprocess(blank, z.string().default('UTC').superRefine((s, ctx) => {
    try {
      parseZone(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Invalid time zone identifier' });
    }
  }));
}

/** dialect.name must be empty (picked from the URL) or a registered dialect's name. */
export function dialectNameProblem(name: string | undefined): ConfigProblem | null {
  const dialect = (name ?? '').trim();
  if (dialect === '' || findDialect(dialect)) return null;
  return { key: 'dialect.name', message: `Unsupported dialect ${dialect}: only ${dialectNames().join(', ')} ${dialectNames().length === 1 ? 'is' : 'are'} available` };
}

/**
 * The dialect a config picks: dialect.name's, else the one of the URL's scheme. While either is
 * invalid (their own checks report it) the default dialect stands in, so that the other keys
 * (table lists, table.name.format) are still checked.
 */
export function configDialect(cfg: { 'connection.url': string; 'dialect.name'?: string }): JdbcDialect {
  const named = findDialect((cfg['dialect.name'] ?? '').trim());
  if (named) return named;
  try {
    return dialectForScheme(parseJdbcUrl(cfg['connection.url']).protocol) ?? defaultDialect();
  } catch {
    return defaultDialect();
  }
}
