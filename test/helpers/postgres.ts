import pg from 'pg';
import { stackSetting } from './stack.js';

// The stack's PostgreSQL (scripts/stack/services/postgres.sh): its address from the environment
// (npm test exports it) or from `scripts/stack.sh env`, and a client for the tests' own SQL.

export const PG_KEYS = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DATABASE'] as const;
export type PgEnv = Record<(typeof PG_KEYS)[number], string>;

let cached: PgEnv | undefined;

export function pgEnv(): PgEnv {
  if (cached) return cached;
  const env = {} as PgEnv;
  for (const k of PG_KEYS) {
    const v = stackSetting(k);
    if (!v) throw new Error(`${k} is not set: start PostgreSQL with 'npm run stack -- up postgres'`);
    env[k] = v;
  }
  cached = env;
  return env;
}

export function pgUrl(): string {
  const e = pgEnv();
  return `jdbc:postgresql://${e.POSTGRES_HOST}:${e.POSTGRES_PORT}/${e.POSTGRES_DATABASE}`;
}

/** A connected client; a server that is not up fails with the way to start it. */
export async function pgClient(): Promise<pg.Client> {
  const e = pgEnv();
  const c = new pg.Client({ host: e.POSTGRES_HOST, port: Number(e.POSTGRES_PORT), user: e.POSTGRES_USER, password: e.POSTGRES_PASSWORD, database: e.POSTGRES_DATABASE });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at ${e.POSTGRES_HOST}:${e.POSTGRES_PORT} is not reachable (${(err as Error).message}): start it with 'npm run stack -- up postgres'`, { cause: err });
  }
  await c.query("SET TIME ZONE 'UTC'");
  return c;
}
