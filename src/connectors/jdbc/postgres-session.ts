import pg from 'pg';
import Cursor from 'pg-cursor';
import { ISOLATION_SQL, type ConnectionSettings, type Db, type ResultColumn, type Row, type RowStream } from './connection.js';

// A PostgreSQL session over node-postgres (the PostgreSQL dialect's driver). Statements are
// written with JDBC's ? placeholders and turned into $1, $2 ... the way PgJDBC does it (outside
// quotes, comments and dollar quotes; ?? is a literal ?). Every statement goes through the
// extended protocol, which carries one statement only, so a `;` in a config cannot start a second.
// Values arrive as the server's text (bytea as bytes), so the source converts them without loss.

/** A result column with what the source needs to map it (pg_attribute's NOT NULL and identity/serial). */
export interface PgColumn extends ResultColumn {
  readonly name: string;
  /** The type's OID (pg_type). */
  readonly typeId: number;
  /** The type modifier: numeric precision/scale, bit length, -1 when none. */
  readonly typmod: number;
  /** The table and column the value comes from, 0 for expressions. */
  readonly tableId: number;
  readonly columnId: number;
  readonly notNull: boolean;
  readonly autoIncrement: boolean;
}

const BYTEA_OID = 17;
const byteaParser = pg.types.getTypeParser(BYTEA_OID, 'text');
/** Server text as is, bytea as a Buffer: the source's type mapping converts the rest exactly. */
const TEXT_TYPES = {
  getTypeParser: (oid: number) => (oid === BYTEA_OID ? byteaParser : (v: string) => v),
} as unknown as pg.CustomTypesConfig;

/**
 * JDBC's ? placeholders as PostgreSQL's $n, as PgJDBC rewrites them: not inside '…', E'…',
 * "…", $tag$…$tag$, -- or /* *\/ comments; ?? stands for a literal ?. Returns the text and the count.
 */
export function toDollarParams(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && !/[\w$]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') { j += 2; continue; }
        if (sql[j] === c) {
          if (sql[j + 1] === c) { j += 2; continue; }
          break;
        }
        j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? n : j + 1;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') { depth++; j += 2; } else if (sql[j] === '*' && sql[j + 1] === '/') { depth--; j += 2; } else j++;
      }
      out += sql.slice(i, j);
      i = j;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? n : close + tag[0].length;
        out += sql.slice(i, end);
        i = end;
      } else {
        out += c;
        i++;
      }
    } else if (c === '?') {
      if (sql[i + 1] === '?') {
        out += '?';
        i += 2;
      } else {
        out += `$${++count}`;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, count };
}

/** Bound values as node-postgres sends them: text, with bigints as their digits. */
function bind(params: unknown[]): unknown[] {
  return params.map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

interface FieldDef {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeModifier: number;
}

export class PgSession implements Db {
  private closed = false;
  /** pg_attribute facts by "table:column", read once per session. */
  private readonly attributes = new Map<string, { notNull: boolean; autoIncrement: boolean }>();

  private constructor(readonly client: pg.Client) {
    // A dropped connection emits 'error' with no query to receive it; it must not crash the worker.
    client.on('error', () => { this.closed = true; });
    client.on('end', () => { this.closed = true; });
  }

  get usable(): boolean {
    return !this.closed;
  }

  static async connect(s: ConnectionSettings, host: string, port: number): Promise<Db> {
    const p = s.url.params;
    const sslMode = (p.sslmode ?? (p.ssl === 'true' ? 'require' : '')).toLowerCase();
    const client = new pg.Client({
      host,
      port,
      user: s.user,
      password: s.password,
      database: s.url.database ?? undefined,
      connectionTimeoutMillis: p.connectTimeout ? Number(p.connectTimeout) * 1000 : 10_000,
      application_name: p.ApplicationName ?? 'temporal-connect',
      types: TEXT_TYPES,
      ...(sslMode && sslMode !== 'disable' && sslMode !== 'allow' && sslMode !== 'prefer'
        ? { ssl: { rejectUnauthorized: sslMode === 'verify-ca' || sslMode === 'verify-full' } }
        : {}),
    });
    const db = new PgSession(client);
    try {
      await client.connect();
      // timestamptz values then arrive, and are written, as UTC text.
      await db.query("SET TIME ZONE 'UTC'");
      if (p.currentSchema) await db.query('SELECT set_config(\'search_path\', ?, false)', [p.currentSchema]);
      const level = ISOLATION_SQL[s.isolation];
      if (level) await db.query(`SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${level}`);
      // Every later statement of the session, autocommitted or not, runs in a read-only transaction.
      if (s.readOnly) await db.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      return db;
    } catch (e) {
      db.destroy();
      throw e;
    }
  }

  async query(sql: string, params: unknown[] = []): Promise<{ rows: Row[]; fields: ResultColumn[] }> {
    const { text } = toDollarParams(sql);
    const r = await this.client.query({ text, values: bind(params), queryMode: 'extended' } as pg.QueryConfig);
    return { rows: r.rows as Row[], fields: await this.columns(r.fields as FieldDef[]) };
  }

  /**
   * Column metadata of a statement without reading rows: it runs as a subquery under LIMIT 0,
   * every placeholder bound to NULL, so the whole statement (suffix included) is parsed and planned.
   */
  async describe(sql: string): Promise<ResultColumn[]> {
    const { text, count } = toDollarParams(sql);
    const r = await this.client.query({
      text: `SELECT * FROM (${text}\n) AS tc_describe LIMIT 0`, values: new Array(count).fill(null), queryMode: 'extended',
    } as pg.QueryConfig);
    return this.columns(r.fields as FieldDef[]);
  }

  stream(sql: string, params: unknown[], highWaterMark: number): RowStream {
    const { text } = toDollarParams(sql);
    return new PgRowCursor(this, this.client.query(new Cursor(text, bind(params), { types: TEXT_TYPES })), highWaterMark);
  }

  /** The fields with their pg_attribute facts (read once per column and session). */
  async columns(fields: FieldDef[]): Promise<PgColumn[]> {
    const unknown = fields.filter((f) => f.tableID !== 0 && !this.attributes.has(`${f.tableID}:${f.columnID}`));
    if (unknown.length > 0) {
      const r = await this.client.query({
        text: 'SELECT a.attrelid AS t, a.attnum AS c, a.attnotnull AS not_null, '
          + "(a.attidentity <> '' OR COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS auto "
          + 'FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum '
          + 'WHERE (a.attrelid, a.attnum) IN (SELECT * FROM unnest($1::oid[], $2::int2[]))',
        values: [unknown.map((f) => String(f.tableID)), unknown.map((f) => String(f.columnID))],
        queryMode: 'extended',
      } as pg.QueryConfig);
      for (const row of r.rows as Array<Record<string, string>>) {
        this.attributes.set(`${row.t}:${row.c}`, { notNull: row.not_null === 't', autoIncrement: row.auto === 't' });
      }
    }
    return fields.map((f) => this.column(f));
  }

  /** A field as a PgColumn from what is known; a column not looked up yet counts as nullable. */
  column(f: FieldDef): PgColumn {
    const a = this.attributes.get(`${f.tableID}:${f.columnID}`);
    return {
      name: f.name, typeId: f.dataTypeID, typmod: f.dataTypeModifier, tableId: f.tableID, columnId: f.columnID,
      notNull: a?.notNull ?? false, autoIncrement: a?.autoIncrement ?? false,
    };
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    // end() without waiting: the socket closes; a running query fails.
    this.client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}

/** A pg-cursor read in batches of highWaterMark rows: the portal stays open between reads. */
class PgRowCursor implements RowStream {
  private fields: PgColumn[] | null = null;
  private buffer: Row[] = [];
  private at = 0;
  private ended = false;
  private done = false;

  constructor(private readonly session: PgSession, private readonly cursor: Cursor, private readonly batch: number) {}

  get columns(): ResultColumn[] | null {
    return this.fields;
  }

  get exhausted(): boolean {
    return this.done;
  }

  async next(): Promise<Row | null> {
    if (this.done) return null;
    if (this.at >= this.buffer.length && !this.ended) {
      const { rows, fields } = await new Promise<{ rows: Row[]; fields: FieldDef[] }>((resolve, reject) => {
        this.cursor.read(Math.max(1, this.batch), (e, rows, result) => (e ? reject(e) : resolve({ rows: rows as Row[], fields: (result?.fields ?? []) as FieldDef[] })));
      });
      if (!this.fields) this.fields = fields.map((f) => this.session.column(f));
      this.buffer = rows;
      this.at = 0;
      if (rows.length < this.batch) {
        this.ended = true;
        await this.cursor.close();
      }
    }
    if (this.at < this.buffer.length) return this.buffer[this.at++];
    this.done = true;
    return null;
  }

  nextNow(): Row | null | undefined {
    if (this.done) return null;
    return this.at < this.buffer.length ? this.buffer[this.at++] : undefined;
  }
}
