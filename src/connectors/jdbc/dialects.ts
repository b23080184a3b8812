import type { JdbcDialect, ServerError } from './dialect.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

// The dialects a JDBC URL or dialect.name may pick. A new database is one file implementing
// JdbcDialect, added to this list.

const DIALECTS: readonly JdbcDialect[] = [mysqlDialect, postgresDialect];

/** What a config whose URL and dialect.name are both unusable is checked with (their own checks report them). */
export const DEFAULT_DIALECT: JdbcDialect = mysqlDialect;

/** The dialect named by dialect.name, or undefined. */
export function findDialect(name: string): JdbcDialect | undefined {
  return DIALECTS.find((d) => d.name === name);
}

export function dialectNames(): string[] {
  return DIALECTS.map((d) => d.name);
}

/** The dialect whose URLs use this sub-protocol (jdbc:<scheme>://), or undefined. */
export function dialectForScheme(scheme: string): JdbcDialect | undefined {
  const s = scheme.toLowerCase();
  return DIALECTS.find((d) => d.urlSchemes.includes(s));
}

/** Every scheme a JDBC URL may start with, in registration order. */
export function urlSchemes(): string[] {
  return DIALECTS.flatMap((d) => d.urlSchemes);
}

/** What a driver error means, asked of each dialect in turn; undefined when none knows it. */
export function serverError(e: unknown): ServerError | undefined {
  for (const d of DIALECTS) {
    const s = d.serverError(e);
    if (s) return s;
  }
  return undefined;
}
