// The initial snapshot (Debezium's MySqlSnapshotChangeEventSource, snapshot.locking.mode minimal):
// under a global read lock, open a consistent-snapshot transaction, take the binlog position and
// the table structures, release the lock; then read every captured table inside that transaction
// in primary-key order, chunk by chunk. Rows read are what the database held at exactly that
// binlog position, so streaming from it neither misses nor repeats a change.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { PluginLogger } from '../types.js';
import { classify, currentPosition, isMariaDb, type ServerPosition } from './connection.js';
import { readCatalog, type CapturedTable, type CatalogOptions } from './tables.js';

export interface SnapshotStart {
  position: ServerPosition;
  tables: Map<string, CapturedTable>;
}

/** A chunk of rows of one table, with where it stands in the snapshot (for the snapshot markers). */
export interface SnapshotChunk {
  table: CapturedTable;
  /** The first / last table of the snapshot that has rows (for the first / last markers). */
  firstTable: boolean;
  lastTable: boolean;
  rows: Array<Record<string, unknown>>;
  /** Index of the chunk's first row among the table's rows. */
  firstRow: number;
  tableRows: number;
}

const q = (id: string) => `\`${id.replace(/`/g, '``')}\``;

export class SnapshotReader {
  private order: CapturedTable[] = [];
  private counts: number[] = [];
  private tableIndex = 0;
  private rowIndex = 0;
  private tableRows = -1;
  private lastKey: unknown[] | null = null;
  private locked = false;
  private inTransaction = false;

  constructor(private readonly conn: Connection, private readonly o: CatalogOptions & { lockingMode: 'minimal' | 'extended' | 'none'; fetchSize: number }, private readonly logger: PluginLogger) {}

  /** Opens the consistent view and returns its binlog position and the captured tables' structures. */
  async begin(): Promise<SnapshotStart> {
    try {
      const mariadb = await isMariaDb(this.conn);
      await this.conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      if (this.o.lockingMode !== 'none') {
        await this.conn.query('FLUSH TABLES WITH READ LOCK');
        this.locked = true;
      }
      await this.conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      this.inTransaction = true;
      let position: ServerPosition;
      if (this.locked) {
        position = await currentPosition(this.conn, mariadb);
      } else if (mariadb) {
        // MariaDB reports the binlog position of the consistent snapshot itself (no lock needed); no GTID position then.
        const [rows] = await this.conn.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
        const v = Object.fromEntries(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
        const base = await currentPosition(this.conn, mariadb);
        position = { file: v.binlog_snapshot_file ?? base.file, pos: Number(v.binlog_snapshot_position ?? base.pos), serverId: base.serverId };
      } else {
        this.logger.warn({}, 'snapshot.locking.mode=none on MySQL: the binlog position is read without a lock, so changes committed meanwhile may be missed or repeated');
        position = await currentPosition(this.conn, mariadb);
      }
      const tables = await readCatalog(this.conn, this.o);
      for (const t of tables.values()) {
        const [rows] = await this.conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${q(t.db)}.${q(t.table)}`);
        t.createStatement = String(rows[0]?.['Create Table'] ?? '') || undefined;
      }
      if (this.locked && this.o.lockingMode === 'minimal') await this.unlock();
      this.order = [...tables.values()];
      // Row counts in the consistent view: the chunks then know which row is the last of a table and of the snapshot.
      for (const t of this.order) {
        const [c] = await this.conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(t.db)}.${q(t.table)}`);
        this.counts.push(Number(c[0]!.n));
      }
      this.logger.info({ file: position.file, pos: position.pos, gtids: position.gtids, tables: this.order.length }, 'snapshot started');
      return { position, tables };
    } catch (e) {
      await this.close();
      throw classify(e, 'Could not start the snapshot');
    }
  }

  /** The next chunk of rows (at most max), or null when every table was read. */
  async next(max: number): Promise<SnapshotChunk | null> {
    while (this.tableIndex < this.order.length) {
      const t = this.order[this.tableIndex]!;
      const from = `${q(t.db)}.${q(t.table)}`;
      if (this.tableRows < 0) {
        this.tableRows = this.counts[this.tableIndex]!;
        this.rowIndex = 0;
        this.lastKey = null;
      }
      const limit = Math.max(1, Math.min(max, this.o.fetchSize));
      const cols = t.columns.map((c) => q(c.info.name)).join(', ');
      let rows: RowDataPacket[];
      if (t.keyColumns.length) {
        const keys = t.keyColumns.map(q).join(', ');
        const after = this.lastKey ? ` WHERE (${keys}) > (${t.keyColumns.map(() => '?').join(', ')})` : '';
        [rows] = await this.conn.query<RowDataPacket[]>(`SELECT ${cols} FROM ${from}${after} ORDER BY ${keys} LIMIT ${limit}`, this.lastKey ?? []);
      } else {
        [rows] = await this.conn.query<RowDataPacket[]>(`SELECT ${cols} FROM ${from} LIMIT ${limit} OFFSET ${this.rowIndex}`);
      }
      if (rows.length === 0) {
        this.tableIndex++;
        this.tableRows = -1;
        continue;
      }
      const firstWithRows = this.counts.findIndex((n) => n > 0);
      const lastWithRows = this.counts.length - 1 - [...this.counts].reverse().findIndex((n) => n > 0);
      const chunk: SnapshotChunk = {
        table: t, firstTable: this.tableIndex === firstWithRows, lastTable: this.tableIndex === lastWithRows,
        rows, firstRow: this.rowIndex, tableRows: Math.max(this.tableRows, this.rowIndex + rows.length),
      };
      this.rowIndex += rows.length;
      const last = rows[rows.length - 1]!;
      this.lastKey = t.keyColumns.map((k) => last[k]);
      return chunk;
    }
    await this.finish();
    return null;
  }

  private async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await this.conn.query('UNLOCK TABLES');
  }

  private async finish(): Promise<void> {
    if (this.inTransaction) {
      this.inTransaction = false;
      await this.conn.query('COMMIT');
    }
    await this.unlock();
  }

  async close(): Promise<void> {
    await this.finish().catch(() => {});
  }
}
