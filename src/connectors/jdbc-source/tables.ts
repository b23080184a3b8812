import type { JdbcSourceConfig } from './config.js';
import type { Db } from '../jdbc/connection.js';
import { parseTableList, unquotedName, type JdbcDialect, type TableRef } from '../jdbc/dialect.js';
import { readSideFor } from './read-side.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';

// Which tables the connector copies, and how they are split across tasks.

/**
 * Keeps the tables the filters select. Whitelist/blacklist entries match, like Connect's
 * TableMonitorThread, the bare name, db.name or `db`.`name`; include/exclude lists are regexes
 * matched against the whole db.name.
 */
export function selectTables(dialect: JdbcDialect, all: TableRef[], cfg: Pick<JdbcSourceConfig, 'table.whitelist' | 'table.blacklist' | 'table.include.list' | 'table.exclude.list'>): TableRef[] {
  const names = (t: TableRef) => [t.table, unquotedName(t), dialect.quoteTable(t)];
  const inList = (list: string[]) => (t: TableRef) => names(t).some((n) => list.includes(n));
  const anyRegex = (list: string[]) => {
    const res = list.map((r) => compileJavaRegex(r));
    return (t: TableRef) => res.some((re) => re.test(unquotedName(t)));
  };
  let out = all;
  if (cfg['table.whitelist'].length) out = out.filter(inList(cfg['table.whitelist']));
  if (cfg['table.blacklist'].length) out = out.filter((t) => !inList(cfg['table.blacklist'])(t));
  if (cfg['table.include.list'].length) out = out.filter(anyRegex(cfg['table.include.list']));
  if (cfg['table.exclude.list'].length) out = out.filter((t) => !anyRegex(cfg['table.exclude.list'])(t));
  return out;
}

/** The tables this connector copies (MySQL: of the URL's database; PostgreSQL: of schema.pattern's schemas), in name order. */
export async function listTables(db: Db, dialect: JdbcDialect, database: string, cfg: JdbcSourceConfig): Promise<TableRef[]> {
  return selectTables(dialect, await readSideFor(dialect).listTables(db, database, cfg), cfg);
}

/** Kafka Connect's ConnectorUtils.groupPartitions: numGroups contiguous groups, the first ones one larger. */
export function groupPartitions<T>(elements: T[], numGroups: number): T[][] {
  if (numGroups <= 0) throw new RangeError('Number of groups must be positive.');
  const perGroup = Math.floor(elements.length / numGroups);
  const leftover = elements.length - numGroups * perGroup;
  const out: T[][] = [];
  let assigned = 0;
  for (let g = 0; g < numGroups; g++) {
    const n = g < leftover ? perGroup + 1 : perGroup;
    out.push(elements.slice(assigned, assigned + n));
    assigned += n;
  }
  return out;
}

/** The task configs key Confluent's connector writes the task's tables into. */
export const TABLES_KEY = 'tables';
export const TABLES_FETCHED_KEY = 'tables.fetched';

export function tablesValue(dialect: JdbcDialect, tables: TableRef[]): string {
  return tables.map((t) => dialect.quoteTable(t)).join(',');
}

export function tablesOf(dialect: JdbcDialect, taskConfig: Record<string, string>, defaultDb: string | null): TableRef[] {
  return parseTableList(dialect, taskConfig[TABLES_KEY] ?? '', defaultDb);
}

/** Splits tables across min(#tables, maxTasks) task configs; each gets the connector config plus its tables. */
export function planTasks(dialect: JdbcDialect, raw: Record<string, string>, tables: TableRef[], maxTasks: number): Array<Record<string, string>> {
  if (tables.length === 0) return [];
  return groupPartitions(tables, Math.min(tables.length, Math.max(1, maxTasks)))
    .map((group) => ({ ...raw, [TABLES_KEY]: tablesValue(dialect, group), [TABLES_FETCHED_KEY]: 'true' }));
}

export function sameTables(a: TableRef[], b: TableRef[]): boolean {
  const key = (ts: TableRef[]) => JSON.stringify(ts.map(unquotedName).sort());
  return key(a) === key(b);
}
