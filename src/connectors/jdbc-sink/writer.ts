import type { JdbcDialect, TableRef } from '../jdbc/dialect.js';
import type { Statement } from './ddl.js';

// SQL text per write kind, and the grouping of a batch's rows into multi-row statements.
// Identifiers are always quoted (by the dialect); values are always bound (? placeholders).

export type WriteKind = 'insert' | 'upsert' | 'update' | 'delete';

/** One record, ready to write: its bound values already converted (see values.ts). */
export interface PreparedRow {
  /** Index of the record in the batch given to put. */
  index: number;
  table: TableRef;
  kind: WriteKind;
  keyFields: string[];
  nonKeyFields: string[];
  keyParams: unknown[];
  nonKeyParams: unknown[];
  /**
   * Inserts and upserts on a session whose driver writes values into the statement text: the
   * row's values as that text, `(v1,v2,…)`, key fields first; the params are then empty.
   */
  tuple?: string;
  /** Approximate size in the statement text (an upper bound). */
  bytes: number;
}

/** Consecutive rows of one table with the same kind and columns: one statement (update: one per row). */
export interface WriteGroup {
  table: TableRef;
  kind: WriteKind;
  keyFields: string[];
  nonKeyFields: string[];
  rows: PreparedRow[];
}

const cols = (d: JdbcDialect, names: string[]) => names.map((n) => d.quoteId(n)).join(',');
const tuple = (n: number) => `(${new Array(n).fill('?').join(',')})`;
const tuples = (n: number, rows: number) => new Array(rows).fill(tuple(n)).join(',');

export function insertSql(d: JdbcDialect, table: TableRef, keyFields: string[], nonKeyFields: string[], rows: number): string {
  const all = [...keyFields, ...nonKeyFields];
  return `INSERT INTO ${d.quoteTable(table)} (${cols(d, all)}) VALUES ${tuples(all.length, rows)}`;
}

/** The dialect's upsert of these rows (MySQL: INSERT ... ON DUPLICATE KEY UPDATE); idempotent on re-delivery. */
export function upsertSql(d: JdbcDialect, table: TableRef, keyFields: string[], nonKeyFields: string[], rows: number): string {
  return d.upsertSql(insertSql(d, table, keyFields, nonKeyFields, rows), keyFields, nonKeyFields);
}

export function updateSql(d: JdbcDialect, table: TableRef, keyFields: string[], nonKeyFields: string[]): string {
  const set = nonKeyFields.map((c) => `${d.quoteId(c)}=?`).join(',');
  const where = keyFields.map((c) => `${d.quoteId(c)}=?`).join(' AND ');
  return `UPDATE ${d.quoteTable(table)} SET ${set} WHERE ${where}`;
}

export function deleteSql(d: JdbcDialect, table: TableRef, keyFields: string[], rows: number): string {
  if (keyFields.length === 1) return `DELETE FROM ${d.quoteTable(table)} WHERE ${d.quoteId(keyFields[0])} IN ${tuple(rows)}`;
  return `DELETE FROM ${d.quoteTable(table)} WHERE (${cols(d, keyFields)}) IN (${tuples(keyFields.length, rows)})`;
}

/**
 * The statement writing all rows of a group; null when there is nothing to write (an update of a
 * table whose only columns are the key). Update groups must hold one row: MySQL has no multi-row UPDATE.
 */
export function groupStatement(d: JdbcDialect, g: WriteGroup): Statement | null {
  const n = g.rows.length;
  switch (g.kind) {
    case 'insert':
    case 'upsert': {
      if (g.rows[0].tuple !== undefined) return { sql: inlineSql(d, g), params: [] };
      const params: unknown[] = [];
      for (const r of g.rows) {
        for (const v of r.keyParams) params.push(v);
        for (const v of r.nonKeyParams) params.push(v);
      }
      return { sql: cachedSql(d, g, n), params };
    }
    case 'update':
      if (n !== 1) throw new RangeError('an UPDATE statement writes one row');
      if (g.nonKeyFields.length === 0) return null;
      return { sql: updateSql(d, g.table, g.keyFields, g.nonKeyFields), params: [...g.rows[0].nonKeyParams, ...g.rows[0].keyParams] };
    case 'delete':
      return { sql: deleteSql(d, g.table, g.keyFields, n), params: g.rows.flatMap((r) => r.keyParams) };
  }
}

/** Statement texts of recent group shapes (a batch writes the same few shapes again and again). */
const sqlCache = new Map<string, string>();
const SQL_CACHE_SIZE = 64;

function shapeKey(d: JdbcDialect, g: WriteGroup, n: number): string {
  return `${g.kind}\u0000${g.table.db}\u0000${g.table.table}\u0000${g.keyFields.join('\u0001')}\u0000${g.nonKeyFields.join('\u0001')}\u0000${n}\u0000${d.name}`;
}

function cachedSql(d: JdbcDialect, g: WriteGroup, n: number): string {
  const key = shapeKey(d, g, n);
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    sql = g.kind === 'upsert' ? upsertSql(d, g.table, g.keyFields, g.nonKeyFields, n) : insertSql(d, g.table, g.keyFields, g.nonKeyFields, n);
    if (sqlCache.size >= SQL_CACHE_SIZE) sqlCache.delete(sqlCache.keys().next().value!);
    sqlCache.set(key, sql);
  }
  return sql;
}

/**
 * The multi-row insert or upsert of rows that carry their values as text: the statement of one
 * row cut around its tuple of placeholders (cached per shape), the rows' tuples in between.
 */
function inlineSql(d: JdbcDialect, g: WriteGroup): string {
  const key = shapeKey(d, g, 0);
  let parts = inlineCache.get(key);
  if (parts === undefined) {
    const head = insertSql(d, g.table, g.keyFields, g.nonKeyFields, 0);
    const one = cachedSql(d, g, 1);
    const placeholders = tuple(g.keyFields.length + g.nonKeyFields.length);
    if (!one.startsWith(head + placeholders)) throw new Error(`${d.name} does not write its ${g.kind} as an INSERT ... VALUES statement`);
    parts = { head, tail: one.slice(head.length + placeholders.length) };
    if (inlineCache.size >= SQL_CACHE_SIZE) inlineCache.delete(inlineCache.keys().next().value!);
    inlineCache.set(key, parts);
  }
  const texts = new Array<string>(g.rows.length);
  for (let i = 0; i < g.rows.length; i++) texts[i] = g.rows[i].tuple!;
  return parts.head + texts.join(',') + parts.tail;
}

const inlineCache = new Map<string, { head: string; tail: string }>();

/** The same group cut into one-row groups: the fallback that finds which rows a server rejects. */
export function singleRows(g: WriteGroup): WriteGroup[] {
  return g.rows.map((r) => ({ ...g, rows: [r] }));
}

/** What else ends a statement: bound values per statement, and keys an upsert may not touch twice. */
export interface GroupLimits {
  /** Bound values one statement may carry (PostgreSQL: 65535). */
  maxParams?: number;
  /** A multi-row upsert may not hold one key twice (PostgreSQL's ON CONFLICT DO UPDATE). */
  uniqueUpsertKeys?: boolean;
}

/**
 * Groups a batch's rows into statements: per table (tables are independent), consecutive rows
 * with the same kind and columns, at most batchSize rows, maxBytes and limits.maxParams values
 * each. Order within a table is kept, so an insert, a delete and a re-insert of one key end as
 * they did in the topic.
 */
export function groupRows(rows: PreparedRow[], batchSize: number, maxBytes: number, limits: GroupLimits = {}): WriteGroup[] {
  const maxParams = limits.maxParams ?? Number.MAX_SAFE_INTEGER;
  const byTable = new Map<string, PreparedRow[]>();
  // Rows come in runs of one table (one TableRef object per table): its key is made once a run.
  let lastTable: TableRef | null = null;
  let lastList: PreparedRow[] = [];
  for (const r of rows) {
    if (r.table !== lastTable) {
      const k = `${r.table.db}\u0000${r.table.table}`;
      lastTable = r.table;
      const list = byTable.get(k);
      if (list) lastList = list;
      else byTable.set(k, (lastList = []));
    }
    lastList.push(r);
  }
  const groups: WriteGroup[] = [];
  for (const list of byTable.values()) {
    let cur: WriteGroup | null = null;
    let bytes = 0;
    let params = 0;
    let sig = '';
    let keys = new Set<string>();
    let prev: PreparedRow | null = null;
    for (const r of list) {
      // Rows of one record shape share their field lists: the signature is computed when they change.
      const same = prev !== null && r.kind === prev.kind && r.keyFields === prev.keyFields && r.nonKeyFields === prev.nonKeyFields;
      const s = same ? sig : `${r.kind}\u0000${r.keyFields.join('\u0001')}\u0000${r.nonKeyFields.join('\u0001')}`;
      prev = r;
      const n = r.keyParams.length + r.nonKeyParams.length;
      const key = limits.uniqueUpsertKeys && r.kind === 'upsert' ? keyText(r.keyParams) : null;
      const full = cur !== null && (cur.rows.length >= (r.kind === 'update' ? 1 : batchSize) || bytes + r.bytes > maxBytes
        || params + n > maxParams || (key !== null && keys.has(key)));
      if (cur === null || s !== sig || full) {
        cur = { table: r.table, kind: r.kind, keyFields: r.keyFields, nonKeyFields: r.nonKeyFields, rows: [] };
        groups.push(cur);
        sig = s;
        bytes = 0;
        params = 0;
        keys = new Set();
      }
      cur.rows.push(r);
      bytes += r.bytes;
      params += n;
      if (key !== null) keys.add(key);
    }
  }
  return groups;
}

/** A key's identity across its bound values (strings, numbers, bigints, buffers, booleans). */
function keyText(values: unknown[]): string {
  return values.map((v) => (Buffer.isBuffer(v) ? `b:${v.toString('hex')}` : `${typeof v}:${String(v)}`)).join('\u0000');
}
