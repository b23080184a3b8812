import type { JdbcDialect, ServerError } from './dialect.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

// The dialects a JDBC URL or dialect.name may pick. A new database is one file implementing
// JdbcDialect, added to this list.

// Read when asked, not when this module loads: the dialects' sessions import connection.ts, which
// imports this module, so a dialect module may still be loading when this one is.
const dialects = (): readonly JdbcDialect[] => [mysqlDialect, postgresDialect];

/** What a config whose URL and dialect.name are both unusable is checked with (their own checks report them). */
export function defaultDialect(): JdbcDialect {
  return mysqlDialect;
}

/** The dialect named by dialect.name, or undefined. */
export function findDialect(name: string): JdbcDialect | undefined {
  return dialects().find((d) => d.name === name);
}

export function dialectNames(): string[] {
  return dialects().map((d) => d.name);
}

/** The dialect whose URLs use this sub-protocol (jdbc:<scheme>://), or undefined. */
export function dialectForScheme(scheme: string): JdbcDialect | undefined {
  const s = scheme.toLowerCase();
  return dialects().find((d) => d.urlSchemes.includes(s));
}

/** Every scheme a JDBC URL may start with, in registration order. */
export function urlSchemes(): string[] {
  return dialects().flatMap((d) => d.urlSchemes);
}

/** What a driver error means, asked of each dialect in turn; undefined when none knows it. */
export function serverError(e: unknown): ServerError | undefined {
  for (const d of dialects()) {
    const s = d.serverError(e);
    if (s) return s;
  }
  return undefined;
}
