import type { BigQuery, Table } from '@google-cloud/bigquery';
import { randomUUID } from 'node:crypto';
import { ConfigError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import { Struct, type Schema } from '../../records/schema.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { createBigQuery } from './client.js';
import { parseBigQuerySinkConfig, parseTopic2TableMap, type BigQuerySinkConfig } from './config.js';
import { batchRows, intermediateFields, mergeFlushQuery } from './merge.js';
import { classify, withBigQueryRetry, type RetrySettings } from './retry.js';
import { rowFrom, rowProblem, type Row } from './rows.js';
import {
  evolvedSchema, fieldsFromConnect, fieldsFromValue, kafkaDataField, normalizeFields, sameSchema, sanitizeName, schemaChangeProblem, unionize,
  type BqField, type ConvertOptions,
} from './schema.js';
import { dayDecorator, tableFor, tableKey, type TableRef } from './table-name.js';

// A BigQuery sink task (WePay's BigQuerySinkTask). put writes its records before it returns:
// the runtime commits Kafka offsets only then, so every record is written, skipped (a tombstone
// without deleteEnabled, as WePay) or reported failed (dead letter queue under
// errors.tolerance=all). Rows go through tabledata.insertAll (the streaming API): the emulator
// serves it, it reports errors per row, and insertIds of topic-partition-offset let BigQuery drop
// a redelivered row. Upserts and deletes go through an intermediate table and a MERGE per put.

/** insertAll limits: BigQuery recommends at most 500 rows per request and allows 10 MB. */
const MAX_ROWS_PER_REQUEST = 500;
const MAX_BYTES_PER_REQUEST = 9 * 1024 * 1024;

interface TableState {
  exists: boolean;
  fields: BqField[];
  /** Ingestion-time partitioning type (DAY, HOUR, ...) when the table has one without a field. */
  ingestionPartitioning?: string;
  /** Signatures of proposals already applied to this table. */
  applied: Set<string>;
}

interface Proposal {
  fields: BqField[];
  indexes: number[];
  schemaless: boolean;
}

interface PendingRow {
  index: number;
  insertId: string;
  json: Row;
}

export async function startBigQuerySinkTask(taskConfig: Record<string, string>, ctx: SinkTaskContext): Promise<SinkTask> {
  const cfg = parseBigQuerySinkConfig(taskConfig);
  // No request here: connection trouble shows up in put, where it is retried.
  return new BigQuerySinkTask(cfg, createBigQuery(cfg), ctx);
}

export class BigQuerySinkTask implements SinkTask {
  readonly putBatchSize = 2000;
  private readonly tables = new Map<string, TableState>();
  private readonly topicMap: ReadonlyMap<string, string>;
  private readonly retry: RetrySettings;
  private readonly convert: ConvertOptions;
  private readonly upsertDelete: boolean;
  /** WePay's intermediate table suffix: _<suffix>_<task>_<uuid>_<epoch ms> (then _<batch> here). */
  private readonly intermediateSuffix: string;
  /** Intermediate tables not dropped yet. */
  private readonly intermediates = new Set<TableRef>();
  private batchNumber = 0;
  private iteration = 0;
  private closed = false;

  constructor(
    private readonly cfg: BigQuerySinkConfig,
    private readonly bq: BigQuery,
    private readonly ctx: SinkTaskContext,
  ) {
    const map = parseTopic2TableMap(cfg.topic2TableMap ?? '');
    this.topicMap = 'error' in map ? new Map() : map;
    this.retry = { retries: cfg.bigQueryRetry, waitMs: cfg.bigQueryRetryWait };
    this.convert = { allFieldsNullable: cfg.allBQFieldsNullable, sanitizeFieldNames: cfg.sanitizeFieldNames };
    this.upsertDelete = cfg.upsertEnabled || cfg.deleteEnabled;
    this.intermediateSuffix = `_${cfg.intermediateTableSuffix}_${ctx.taskId}_${randomUUID().replace(/-/g, '_')}_${Date.now()}`;
  }

  async put(records: SinkRecord[], signal: AbortSignal): Promise<PutResult> {
    if (this.closed) throw new Error('put on a closed BigQuery sink task');
    const failed = new Map<number, Error>();
    const groups = new Map<string, { ref: TableRef; indexes: number[] }>();
    records.forEach((r, i) => {
      if ((r.value === null || r.value === undefined) && !this.cfg.deleteEnabled) return;
      try {
        const ref = tableFor(r.topic, this.cfg.defaultDataset, this.topicMap, this.cfg.sanitizeTopics);
        const k = tableKey(ref);
        const g = groups.get(k);
        if (g) g.indexes.push(i);
        else groups.set(k, { ref, indexes: [i] });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(i, e);
      }
    });
    for (const { ref, indexes } of groups.values()) {
      if (this.upsertDelete) await this.writeUpsertDelete(ref, records, indexes, failed, signal);
      else await this.writeRegular(ref, records, indexes, failed, signal);
    }
    return { failed: [...failed].sort(([a], [b]) => a - b).map(([index, error]) => ({ index, error })) };
  }

  /** Nothing is buffered: put returns once BigQuery acknowledged every row. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Intermediate tables belong to this task instance (their names hold its uuid): drop them.
    for (const ref of [...this.intermediates]) await this.dropIntermediate(ref);
  }

  // ------------------------------------------------------------------ regular inserts

  private async writeRegular(ref: TableRef, records: SinkRecord[], indexes: number[], failed: Map<number, Error>, signal: AbortSignal): Promise<void> {
    const rows = new Map<number, Row>();
    const proposals = new Map<string, Proposal>();
    const sigs = new WeakMap<Schema, WeakMap<object, string>>();
    for (const i of indexes) {
      const r = records[i]!;
      try {
        const row = rowFrom(r.value, r.valueSchema, this.rowOptions());
        if (this.cfg.kafkaDataFieldName) row[this.fieldName(this.cfg.kafkaDataFieldName)] = kafkaData(r);
        if (this.cfg.kafkaKeyFieldName) row[this.fieldName(this.cfg.kafkaKeyFieldName)] = this.keyRow(r);
        this.propose(proposals, sigs, r, i);
        rows.set(i, row);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(i, e);
      }
    }
    const state = await this.prepareTable(ref, [...proposals.values()], failed, false, signal);
    if (!state) return;
    const pending: PendingRow[] = [];
    for (const [index, json] of rows) {
      if (failed.has(index)) continue;
      const problem = rowProblem(json, state.fields);
      if (problem) failed.set(index, new DataError(`BigQuery would refuse the row for table \`${ref.dataset}\`.\`${ref.table}\`: ${problem}`, 'TASK_PUT'));
      else pending.push({ index, insertId: rowId(records[index]!), json });
    }
    await this.insertRows(ref, this.insertTarget(ref, state), pending, failed, signal);
  }

  /** Ingestion-time DAY partitions get the day's decorator (bigQueryPartitionDecorator), as WePay. */
  private insertTarget(ref: TableRef, state: TableState): string {
    if (!this.cfg.bigQueryPartitionDecorator || !state.ingestionPartitioning) return ref.table;
    if (state.ingestionPartitioning !== 'DAY') {
      throw new ConfigError(`Cannot use decorator syntax to write to table \`${ref.dataset}\`.\`${ref.table}\` as it is partitioned by ${state.ingestionPartitioning.toLowerCase()} and not by day`,
        [{ key: 'bigQueryPartitionDecorator', message: 'set it to false for tables not partitioned by day' }]);
    }
    return dayDecorator(ref.table, new Date());
  }

  // ------------------------------------------------------------------ upserts and deletes

  private async writeUpsertDelete(ref: TableRef, records: SinkRecord[], indexes: number[], failed: Map<number, Error>, signal: AbortSignal): Promise<void> {
    const proposals = new Map<string, Proposal>();
    const sigs = new WeakMap<Schema, WeakMap<object, string>>();
    const rows = new Map<number, { key: Row; value: Row | null }>();
    for (const i of indexes) {
      const r = records[i]!;
      try {
        if (r.key === null || r.key === undefined) throw new DataError('Record keys must be non-null when upsert/delete is enabled', 'TASK_PUT');
        const key = this.keyRow(r);
        let value: Row | null = null;
        if (r.value !== null && r.value !== undefined) {
          value = rowFrom(r.value, r.valueSchema, this.rowOptions());
          if (this.cfg.kafkaDataFieldName) value[this.fieldName(this.cfg.kafkaDataFieldName)] = kafkaData(r);
          this.propose(proposals, sigs, r, i);
        }
        rows.set(i, { key, value });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(i, e);
      }
    }
    const destination = await this.prepareTable(ref, [...proposals.values()], failed, false, signal);
    // Only tombstones for a table that does not exist: there is nothing to delete.
    if (!destination) return;
    const keyField = this.fieldName(this.cfg.kafkaKeyFieldName!);
    const batch = ++this.batchNumber;
    const temp = { dataset: ref.dataset, table: `${ref.table}${this.intermediateSuffix}_${batch}` };
    const tempFields = intermediateFields(destination.fields, keyField);
    const partitionTime = Math.floor(Date.now() / 1000);
    const candidates = [...rows].filter(([index]) => !failed.has(index)).map(([index, r]) => ({ index, key: JSON.stringify(r.key), value: r.value, row: r }));
    const pending: PendingRow[] = batchRows(candidates, this.cfg.upsertEnabled).map(({ index, row }) => ({
      index, insertId: rowId(records[index]!), json: { key: row.key, value: row.value, i: ++this.iteration, partitionTime, batchNumber: batch },
    }));
    if (pending.length === 0) return;
    this.intermediates.add(temp);
    try {
      await this.prepareTable(temp, [{ fields: tempFields, indexes: [], schemaless: false }], failed, true, signal);
      const before = failed.size;
      await this.insertRows(temp, temp.table, pending, failed, signal);
      if (pending.length === failed.size - before) return;
      const query = mergeFlushQuery({
        destination: ref, intermediate: temp, keyField, intermediateFields: tempFields, batchNumber: batch,
        upsert: this.cfg.upsertEnabled, delete: this.cfg.deleteEnabled, insertPartitionTime: this.cfg.bigQueryPartitionDecorator,
      });
      await this.query(`merge batch ${batch} into table ${tableKey(ref)}`, query, signal);
    } finally {
      await this.dropIntermediate(temp);
    }
  }

  private async dropIntermediate(ref: TableRef): Promise<void> {
    this.tables.delete(tableKey(ref));
    try {
      await this.bq.dataset(ref.dataset).table(ref.table).delete({ ignoreNotFound: true });
      this.intermediates.delete(ref);
    } catch (e) {
      // Kept in the set: close tries again.
      this.ctx.logger.warn({ table: tableKey(ref), error: (e as Error).message }, 'Could not drop the intermediate table');
    }
  }

  private async query(what: string, query: string, signal: AbortSignal): Promise<void> {
    this.ctx.logger.debug({ query }, what);
    await withBigQueryRetry(what, this.retry, signal, async () => {
      await this.bq.query({ query, useLegacySql: false });
    });
  }

  // ------------------------------------------------------------------ schemas and tables

  private rowOptions() {
    return { sanitizeFieldNames: this.cfg.sanitizeFieldNames, convertDoubleSpecialValues: this.cfg.convertDoubleSpecialValues };
  }

  private fieldName(name: string): string {
    return this.cfg.sanitizeFieldNames ? sanitizeName(name) : name;
  }

  /** The key as a RECORD's value: a struct (or a schemaless JSON object), as WePay requires. */
  private keyRow(r: SinkRecord): Row {
    if (r.key === null || r.key === undefined) return {};
    if (r.keySchema && r.keySchema.type !== 'struct') {
      throw new DataError(`The record key must be a struct to be written to kafkaKeyFieldName (Top-level Kafka Connect schema must be of type 'struct'), not ${r.keySchema.type}; a ValueToKey or HoistField$Key transform makes one`, 'TASK_PUT');
    }
    return rowFrom(r.key, r.keySchema, this.rowOptions());
  }

  /** The table fields one record asks for: its value's, plus the Kafka data and key fields. */
  private recordFields(r: SinkRecord): BqField[] {
    const value = r.valueSchema ? fieldsFromConnect(r.valueSchema, this.convert) : fieldsFromValue(r.value, this.convert);
    if (this.cfg.kafkaDataFieldName) value.push(kafkaDataField(this.fieldName(this.cfg.kafkaDataFieldName)));
    if (this.cfg.kafkaKeyFieldName) {
      const key = r.keySchema ? fieldsFromConnect(r.keySchema, this.convert) : r.key instanceof Struct ? fieldsFromConnect(r.key.schema, this.convert) : fieldsFromValue(r.key ?? {}, this.convert);
      value.push({ name: this.fieldName(this.cfg.kafkaKeyFieldName), type: 'RECORD', mode: 'NULLABLE', fields: key });
    }
    return value;
  }

  /** Adds the record's fields to the proposals of this batch (computed once per distinct key/value schema pair). */
  private propose(proposals: Map<string, Proposal>, sigs: WeakMap<Schema, WeakMap<object, string>>, r: SinkRecord, i: number): void {
    const schemaless = !r.valueSchema;
    let sig: string | undefined;
    const keyToken: object = r.keySchema ?? NO_SCHEMA;
    if (!schemaless) sig = sigs.get(r.valueSchema!)?.get(keyToken);
    let fields: BqField[] | undefined;
    if (sig === undefined || schemaless) {
      fields = this.recordFields(r);
      sig = JSON.stringify(fields);
      if (!schemaless) {
        let inner = sigs.get(r.valueSchema!);
        if (!inner) sigs.set(r.valueSchema!, inner = new WeakMap());
        inner.set(keyToken, sig);
      }
    }
    const p = proposals.get(sig);
    if (p) p.indexes.push(i);
    else proposals.set(sig, { fields: fields ?? JSON.parse(sig) as BqField[], indexes: [i], schemaless });
  }

  /**
   * Creates the table or changes its schema for this batch's proposals (SchemaManager's rules);
   * the records of a proposal the rules refuse fail with the reason. Returns the table's state,
   * or null when it does not exist and nothing asked to create it.
   */
  private async prepareTable(ref: TableRef, proposals: Proposal[], failed: Map<number, Error>, ours: boolean, signal: AbortSignal): Promise<TableState | null> {
    const k = tableKey(ref);
    const state = this.tables.get(k) ?? await this.loadTable(ref, signal);
    const rules = ours
      ? { allowNewFields: true, allowRelaxation: true }
      : { allowNewFields: this.cfg.allowNewBigQueryFields, allowRelaxation: this.cfg.allowBigQueryRequiredFieldRelaxation };
    let current: BqField[] | null = state.exists ? state.fields : null;
    const applied: string[] = [];
    for (const p of proposals) {
      const sig = JSON.stringify(p.fields);
      if (state.applied.has(sig)) continue;
      if (current === null) {
        current = p.fields;
      } else {
        let merged: BqField[];
        let problem: string | null;
        if (this.cfg.allowSchemaUnionization && !ours && !p.schemaless) {
          merged = unionize(current, p.fields);
          problem = schemaChangeProblem(current, merged, rules);
        } else {
          problem = schemaChangeProblem(current, p.fields, rules, p.schemaless);
          merged = evolvedSchema(current, p.fields, rules);
        }
        if (problem) {
          const e = new DataError(`Cannot write to table \`${ref.dataset}\`.\`${ref.table}\`: ${problem}`, 'TASK_PUT');
          for (const i of p.indexes) failed.set(i, e);
          continue;
        }
        current = merged;
      }
      applied.push(sig);
    }
    if (current === null) return state.exists ? state : null;
    if (!state.exists) {
      if (!this.cfg.autoCreateTables && !ours) {
        throw new ConfigError(`Table \`${ref.dataset}\`.\`${ref.table}\` does not exist; create it, or set autoCreateTables=true`, [{ key: 'autoCreateTables', message: `table ${k} does not exist` }]);
      }
      const created = await this.createTable(ref, current, ours, signal);
      if (!created) {
        // Another task created it meanwhile: apply the proposals to what it made.
        this.tables.delete(k);
        return this.prepareTable(ref, proposals, failed, ours, signal);
      }
    } else if (!sameSchema(current, state.fields)) {
      await this.updateSchema(ref, current, signal);
    }
    for (const sig of applied) state.applied.add(sig);
    return state;
  }

  private async loadTable(ref: TableRef, signal: AbortSignal): Promise<TableState> {
    const table = this.bq.dataset(ref.dataset).table(ref.table);
    const state: TableState = { exists: false, fields: [], applied: new Set() };
    try {
      const [meta] = await withBigQueryRetry(`read table ${tableKey(ref)}`, this.retry, signal, () => table.getMetadata());
      setMetadata(state, meta);
    } catch (e) {
      if (classify(e).status !== 404) throw this.requestError(`read table ${tableKey(ref)}`, e);
    }
    this.tables.set(tableKey(ref), state);
    return state;
  }

  /** Creates a table; false when it existed already (409). */
  private async createTable(ref: TableRef, fields: BqField[], ours: boolean, signal: AbortSignal): Promise<boolean> {
    const what = `create table ${tableKey(ref)}`;
    const options: Record<string, unknown> = { schema: { fields } };
    if (ours) {
      // As WePay: intermediate tables are day-partitioned by ingestion time.
      options.timePartitioning = { type: 'DAY' };
      options.description = 'Temporary table';
    } else {
      options.timePartitioning = { type: this.cfg.timePartitioningType, ...(this.cfg.timestampPartitionFieldName ? { field: this.cfg.timestampPartitionFieldName } : {}) };
    }
    this.ctx.logger.info({ table: tableKey(ref), fields: fields.map((f) => `${f.name} ${f.type} ${f.mode ?? 'NULLABLE'}`) }, 'Creating the BigQuery table');
    try {
      const [table] = await withBigQueryRetry(what, this.retry, signal, () => this.bq.dataset(ref.dataset).createTable(ref.table, options));
      const state = this.tables.get(tableKey(ref))!;
      const [meta] = await withBigQueryRetry(`read table ${tableKey(ref)}`, this.retry, signal, () => (table as Table).getMetadata());
      setMetadata(state, meta);
      return true;
    } catch (e) {
      if (classify(e).status === 409) return false;
      throw this.requestError(what, e);
    }
  }

  private async updateSchema(ref: TableRef, fields: BqField[], signal: AbortSignal): Promise<void> {
    const what = `update the schema of table ${tableKey(ref)}`;
    this.ctx.logger.info({ table: tableKey(ref), fields: fields.map((f) => `${f.name} ${f.type} ${f.mode ?? 'NULLABLE'}`) }, 'Updating the BigQuery table schema');
    const table = this.bq.dataset(ref.dataset).table(ref.table);
    try {
      const [meta] = await withBigQueryRetry(what, this.retry, signal, () => table.setMetadata({ schema: { fields } }));
      setMetadata(this.tables.get(tableKey(ref))!, meta);
    } catch (e) {
      throw this.requestError(what, e);
    }
  }

  /** A refused table request: a missing dataset is the config's fault, other refusals are retried by the runtime. */
  private requestError(what: string, e: unknown): Error {
    if (e instanceof RetriableError || e instanceof ConfigError || !(e instanceof Error)) return e as Error;
    const f = classify(e);
    if (f.status === 404) {
      return new ConfigError(`Could not ${what}: ${f.message}. Does the dataset exist in project ${this.cfg.project}? Create it, or fix defaultDataset / topic2TableMap`, [{ key: 'defaultDataset', message: f.message }], { cause: e });
    }
    return new RetriableError(`Could not ${what}: HTTP ${f.status} ${f.message}`, { cause: e });
  }

  // ------------------------------------------------------------------ insertAll

  /**
   * insertAll in requests of at most 500 rows / 9 MB. Rows BigQuery reports invalid fail (to the
   * dead letter queue); rows it stopped because of them are sent again. A request refused as a
   * whole (400) is split in halves until the refused rows are found, so one bad row never fails
   * its neighbours.
   */
  private async insertRows(ref: TableRef, target: string, rows: PendingRow[], failed: Map<number, Error>, signal: AbortSignal): Promise<void> {
    const table = this.bq.dataset(ref.dataset).table(target);
    let chunk: PendingRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = JSON.stringify(row.json).length + row.insertId.length + 32;
      if (chunk.length > 0 && (chunk.length >= MAX_ROWS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
        await this.insertChunk(ref, table, chunk, failed, signal);
        chunk = [];
        bytes = 0;
      }
      chunk.push(row);
      bytes += size;
    }
    if (chunk.length > 0) await this.insertChunk(ref, table, chunk, failed, signal);
  }

  private async insertChunk(ref: TableRef, table: Table, rows: PendingRow[], failed: Map<number, Error>, signal: AbortSignal): Promise<void> {
    const what = `insert ${rows.length} rows into table ${tableKey(ref)}`;
    let pending = rows;
    for (let round = 0; pending.length > 0; round++) {
      const byRaw = new Map<object, PendingRow>();
      const raw = pending.map((r) => {
        const o = { insertId: r.insertId, json: r.json };
        byRaw.set(o, r);
        return o;
      });
      try {
        await withBigQueryRetry(what, this.retry, signal, () => table.insert(raw, { raw: true, partialRetries: 0 }));
        return;
      } catch (e) {
        const partial = (e as { name?: string; errors?: Array<{ row?: object; errors?: Array<{ reason?: string; message?: string }> }> });
        if (partial?.name === 'PartialFailureError' && Array.isArray(partial.errors)) {
          const again: PendingRow[] = [];
          let invalid = 0;
          for (const item of partial.errors) {
            const row = item.row ? byRaw.get(item.row) : undefined;
            if (!row) continue;
            const errs = item.errors ?? [];
            const bad = errs.find((x) => x.reason !== 'stopped');
            if (bad && (bad.reason === 'invalid' || bad.reason === 'invalidQuery' || !bad.reason)) {
              failed.set(row.index, new DataError(`BigQuery refused the row for table \`${ref.dataset}\`.\`${ref.table}\`: ${bad.message ?? bad.reason ?? 'invalid'}`, 'TASK_PUT'));
              invalid++;
            } else {
              again.push(row);
            }
          }
          if (again.length > 0 && invalid === 0 && round >= this.retry.retries) {
            throw new RetriableError(`Could not ${what}: ${again.length} rows failed with ${partial.errors[0]?.errors?.[0]?.reason ?? 'an error'} after ${round} retries (bigQueryRetry)`, { cause: e });
          }
          pending = again;
          continue;
        }
        const f = classify(e);
        if (f.status === 400 && e instanceof Error && !(e instanceof RetriableError)) {
          if (rows.length === 1) {
            failed.set(rows[0]!.index, new DataError(`BigQuery refused the row for table \`${ref.dataset}\`.\`${ref.table}\`: ${f.message}`, 'TASK_PUT'));
            return;
          }
          const half = Math.ceil(pending.length / 2);
          await this.insertChunk(ref, table, pending.slice(0, half), failed, signal);
          await this.insertChunk(ref, table, pending.slice(half), failed, signal);
          return;
        }
        if (f.status === 404) {
          // The table went away (dropped by someone): forget it, and let the runtime retry the batch, which recreates it.
          this.tables.delete(tableKey(ref));
          throw new RetriableError(`Could not ${what}: the table does not exist (any more): ${f.message}`, { cause: e });
        }
        throw this.requestError(what, e);
      }
    }
  }
}

const NO_SCHEMA = {};

function setMetadata(state: TableState, meta: { schema?: { fields?: unknown[] }; timePartitioning?: { type?: string; field?: string } }): void {
  state.exists = true;
  state.fields = normalizeFields(meta.schema?.fields as never);
  const tp = meta.timePartitioning;
  state.ingestionPartitioning = tp?.type && !tp.field ? tp.type.toUpperCase() : undefined;
}

/** WePay's row id (insertId): <topic>-<partition>-<offset>, the same on every delivery. */
function rowId(r: SinkRecord): string {
  return `${r.topic}-${r.kafkaPartition}-${r.kafkaOffset}`;
}

/** KafkaDataBuilder.buildKafkaDataRecord: where the row came from, and when it was written (seconds). */
function kafkaData(r: SinkRecord): Row {
  return { topic: r.topic, partition: r.kafkaPartition, offset: r.kafkaOffset, insertTime: Date.now() / 1000 };
}
