import { ConfigError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { KeyPairAuth, loadPrivateKey } from './auth.js';
import { parseSnowflakeSinkConfig, parseTopic2Table, type SnowflakeSinkConfig } from './config.js';
import { contentJson, metadataJson, type MetadataFlags } from './content.js';
import { SqlApiClient, StatementError, type Binding } from './sql-api.js';
import { tableFor } from './table-name.js';
import { parseSnowflakeUrl } from './url.js';

// A Snowflake sink task. put writes its records before it returns (the runtime commits Kafka
// offsets then): one INSERT ... SELECT PARSE_JSON(column1), PARSE_JSON(column2) FROM VALUES
// (?, ?), ... per table and buffer.size.bytes, through the SQL API. Tables are created as
// Snowflake's connector creates them: RECORD_METADATA and RECORD_CONTENT, both VARIANT.
// Delivery is at least once: a batch the runtime retries after a failed put may be inserted twice.

export async function startSnowflakeSinkTask(taskConfig: Record<string, string>, ctx: SinkTaskContext): Promise<SinkTask> {
  const cfg = parseSnowflakeSinkConfig(taskConfig);
  const url = parseSnowflakeUrl(cfg['snowflake.url.name']);
  if ('error' in url) throw new ConfigError(url.error, [{ key: 'snowflake.url.name', message: url.error }]);
  const key = loadPrivateKey(cfg['snowflake.private.key'] ?? '', cfg['snowflake.private.key.passphrase']);
  const auth = new KeyPairAuth(cfg['snowflake.account.name'] ?? url.account, cfg['snowflake.user.name'], key);
  const client = new SqlApiClient(url.base, auth, {
    database: cfg['snowflake.database.name'],
    schema: cfg['snowflake.schema.name'],
    role: cfg['snowflake.role.name'],
    warehouse: cfg['snowflake.warehouse.name'],
  }, { retries: 5, backoffMs: 200, timeoutSeconds: 120 });
  return new SnowflakeSinkTask(cfg, client, ctx);
}

export class SnowflakeSinkTask implements SinkTask {
  readonly putBatchSize: number;
  private readonly map: ReadonlyMap<string, string>;
  private readonly flags: MetadataFlags;
  /** Tables known to exist with the two VARIANT columns. */
  private readonly ready = new Set<string>();
  private closed = false;

  constructor(private readonly cfg: SnowflakeSinkConfig, private readonly client: SqlApiClient, private readonly ctx: SinkTaskContext) {
    this.putBatchSize = Math.min(cfg['buffer.count.records'], 100_000);
    const map = parseTopic2Table(cfg['snowflake.topic2table.map'] ?? '');
    this.map = 'error' in map ? new Map() : map;
    const all = cfg['snowflake.metadata.all'];
    this.flags = {
      topic: all && cfg['snowflake.metadata.topic'],
      offsetAndPartition: all && cfg['snowflake.metadata.offset.and.partition'],
      createTime: all && cfg['snowflake.metadata.createtime'],
    };
  }

  async put(records: SinkRecord[], signal: AbortSignal): Promise<PutResult> {
    if (this.closed) throw new Error('put on a closed Snowflake sink task');
    const failed = new Map<number, Error>();
    const byTable = new Map<string, Array<{ index: number; meta: string; content: string }>>();
    records.forEach((r, index) => {
      // Tombstones carry no content; Snowflake's connector skips them by default (behavior.on.null.values=default writes "{}": not run here).
      if (r.value === null || r.value === undefined) return;
      try {
        const row = { index, meta: metadataJson(r, this.flags), content: contentJson(r.value, r.valueSchema) };
        const table = tableFor(r.topic, this.map);
        const rows = byTable.get(table);
        if (rows) rows.push(row);
        else byTable.set(table, [row]);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(index, e);
      }
    });
    for (const [table, rows] of byTable) {
      await this.ensureTable(table, signal);
      for (const chunk of chunks(rows, this.cfg['buffer.size.bytes'])) await this.insert(table, chunk, signal);
    }
    return { failed: [...failed].sort(([a], [b]) => a - b).map(([index, error]) => ({ index, error })) };
  }

  /** Nothing is buffered: put returns once Snowflake ran every INSERT. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** SnowflakeConnectionServiceV1.createTable (if not exists) and isTableCompatible (DESC TABLE). */
  private async ensureTable(table: string, signal: AbortSignal): Promise<void> {
    if (this.ready.has(table)) return;
    const name: Binding = { type: 'TEXT', value: table };
    await this.run(`create table ${table}`, {
      statement: 'create table if not exists identifier(?) (record_metadata variant, record_content variant)',
      bindings: { 1: name },
    }, signal);
    const desc = await this.run(`describe table ${table}`, { statement: 'desc table identifier(?)', bindings: { 1: name } }, signal);
    const columns = (desc.data ?? []).map((row) => ({ name: String(row[0]).toUpperCase(), type: String(row[1]).toUpperCase(), nullable: row[3] !== 'N' }));
    const variant = (n: string) => columns.some((c) => c.name === n && c.type.startsWith('VARIANT'));
    const blocking = columns.filter((c) => c.name !== 'RECORD_METADATA' && c.name !== 'RECORD_CONTENT' && !c.nullable).map((c) => c.name);
    if (!variant('RECORD_METADATA') || !variant('RECORD_CONTENT') || blocking.length > 0) {
      throw new ConfigError(`Table ${table} exists but is not compatible with the Snowflake sink: it needs RECORD_METADATA and RECORD_CONTENT columns of type VARIANT${blocking.length ? ` and no other NOT NULL columns (has ${blocking.join(', ')})` : ''}; drop or rename it, or map the topic to another table in snowflake.topic2table.map`,
        [{ key: 'snowflake.topic2table.map', message: `table ${table} is not compatible` }]);
    }
    this.ready.add(table);
  }

  private async insert(table: string, rows: Array<{ meta: string; content: string }>, signal: AbortSignal): Promise<void> {
    const bindings: Record<string, Binding> = {};
    rows.forEach((r, i) => {
      bindings[String(2 * i + 1)] = { type: 'TEXT', value: r.meta };
      bindings[String(2 * i + 2)] = { type: 'TEXT', value: r.content };
    });
    const values = rows.map(() => '(?, ?)').join(', ');
    const result = await this.run(`insert ${rows.length} rows into ${table}`, {
      statement: `insert into identifier('${table}') (RECORD_METADATA, RECORD_CONTENT) select parse_json(column1), parse_json(column2) from values ${values}`,
      bindings,
    }, signal);
    const inserted = result.stats?.numRowsInserted ?? Number(result.data?.[0]?.[0]);
    if (Number.isFinite(inserted) && inserted !== rows.length) {
      throw new RetriableError(`Snowflake inserted ${inserted} of ${rows.length} rows into ${table}`);
    }
  }

  private async run(what: string, statement: Parameters<SqlApiClient['execute']>[0], signal: AbortSignal) {
    try {
      return await this.client.execute(statement, signal);
    } catch (e) {
      if (!(e instanceof StatementError)) throw e;
      // 002003: the database, schema or table does not exist or the role may not use it.
      if (e.code === '002003' || /does not exist|not authorized/i.test(e.message)) {
        throw new ConfigError(`Snowflake could not ${what}: ${e.message} (${e.code}); check snowflake.database.name, snowflake.schema.name and snowflake.role.name`,
          [{ key: 'snowflake.schema.name', message: e.message }], { cause: e });
      }
      throw new RetriableError(`Snowflake could not ${what}: ${e.message} (${e.code} ${e.sqlState})`, { cause: e });
    }
  }
}

/** Rows in groups whose JSON bindings stay within maxBytes (at least one row each). */
function* chunks<T extends { meta: string; content: string }>(rows: T[], maxBytes: number): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const r of rows) {
    const size = r.meta.length + r.content.length + 64;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
