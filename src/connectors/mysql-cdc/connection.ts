// Connections to the captured server: one for queries (snapshot, information_schema), with the
// value options the binlog reader shares so both sides read values alike; and error classification.
import mysql from 'mysql2/promise';
import { ConfigError, RetriableError } from '../../errors.js';
import type { MysqlCdcConfig } from './config.js';

/** mysql2 options the snapshot connection and the binlog reader share (values alike on both sides). */
export function valueOptions(): { dateStrings: true; timezone: 'Z'; supportBigNumbers: true; bigNumberStrings: false } {
  return { dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false };
}

export function connectionOptions(cfg: MysqlCdcConfig): mysql.ConnectionOptions {
  return {
    host: cfg['database.hostname'],
    port: cfg['database.port'],
    user: cfg['database.user'],
    password: cfg['database.password'],
    connectTimeout: cfg['connect.timeout.ms'],
    ...valueOptions(),
  };
}

export async function connect(cfg: MysqlCdcConfig): Promise<mysql.Connection> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(connectionOptions(cfg));
  } catch (e) {
    throw classify(e, `Could not connect to ${cfg['database.hostname']}:${cfg['database.port']}`);
  }
  // A dropped connection emits 'error' with no command to receive it; it must not crash the worker.
  conn.on('error', () => {});
  await conn.query("SET SESSION time_zone = '+00:00'");
  return conn;
}

const ACCESS_DENIED = new Set([1044, 1142, 1143, 1227, 1370]);

/** ConfigError for what a retry cannot fix (credentials, privileges), RetriableError otherwise. */
export function classify(e: unknown, what: string): Error {
  if (e instanceof ConfigError || e instanceof RetriableError) return e;
  const err = e as { errno?: number; code?: string; message?: string; sqlMessage?: string };
  const detail = err.sqlMessage ?? err.message ?? String(e);
  if (err.errno === 1045 || err.errno === 1698) {
    return new ConfigError(`${what}: access denied for database.user; check database.user and database.password`, [{ key: 'database.password', message: 'access denied' }]);
  }
  if (typeof err.errno === 'number' && ACCESS_DENIED.has(err.errno)) {
    return new ConfigError(`${what}: ${detail} (database.user needs SELECT, RELOAD, REPLICATION SLAVE and REPLICATION CLIENT / BINLOG MONITOR)`, [{ key: 'database.user', message: detail }]);
  }
  return new RetriableError(`${what}: ${detail}`, { cause: e });
}

/** Whether the server says the binlog position asked for is gone (purged) or unknown. */
export function isPositionLost(e: unknown): boolean {
  const errno = (e as { errno?: number })?.errno;
  return errno === 1236 || errno === 1945 || errno === 1955;
}

export async function isMariaDb(conn: mysql.Connection): Promise<boolean> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
  return /mariadb/i.test(String(rows[0]?.v ?? ''));
}

export interface ServerPosition {
  file: string;
  pos: number;
  /** MariaDB: @@gtid_binlog_pos; MySQL: @@gtid_executed when gtid_mode is ON. */
  gtids?: string;
  serverId: number;
}

/** The server's current binlog position (consistent when taken under a global read lock). */
export async function currentPosition(conn: mysql.Connection, mariadb: boolean): Promise<ServerPosition> {
  const [status] = await conn.query<mysql.RowDataPacket[]>(mariadb ? 'SHOW BINLOG STATUS' : 'SHOW MASTER STATUS').catch(async () => conn.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS'));
  const s = status[0];
  if (!s) throw new ConfigError('The server has no binary log: enable log_bin with binlog_format=ROW', [{ key: 'database.hostname', message: 'binary logging is off on this server' }]);
  const [vars] = await conn.query<mysql.RowDataPacket[]>(mariadb ? 'SELECT @@server_id AS id, @@gtid_binlog_pos AS g' : "SELECT @@server_id AS id, IF(@@gtid_mode = 'ON', @@gtid_executed, '') AS g");
  const gtids = String(vars[0]?.g ?? '').replace(/\s+/g, '');
  return { file: s.File, pos: Number(s.Position), serverId: Number(vars[0]?.id ?? 0), ...(gtids ? { gtids } : {}) };
}

/** The server settings row-based capture needs; a clear error naming what to change. */
export async function checkServer(conn: mysql.Connection): Promise<void> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image');
  const r = rows[0]!;
  const problems: string[] = [];
  if (Number(r.logBin) !== 1) problems.push('log_bin is off');
  if (String(r.format).toUpperCase() !== 'ROW') problems.push(`binlog_format is ${r.format}, not ROW`);
  if (String(r.image).toUpperCase() !== 'FULL') problems.push(`binlog_row_image is ${r.image}, not FULL`);
  if (problems.length) {
    throw new ConfigError(`The server cannot be captured: ${problems.join('; ')}. Set log_bin, binlog_format=ROW and binlog_row_image=FULL.`, [{ key: 'database.hostname', message: problems.join('; ') }]);
  }
}
