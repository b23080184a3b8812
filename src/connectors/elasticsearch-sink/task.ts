import type { Client } from '@elastic/elasticsearch';
import { DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { createClient } from './client.js';
import { ignoresKey, ignoresSchema, parseElasticsearchSinkConfig, type ElasticsearchSinkConfig } from './config.js';
import { documentId, documentJson } from './document.js';
import { indexName } from './index-name.js';
import { IndexPreparer } from './indices.js';
import { indexMapping, type FieldMapping } from './mapping.js';
import { BulkWriter, bulkOp, type BulkOp } from './writer.js';

// An Elasticsearch sink task. put writes its records before it returns (there is no background
// buffer, so flush has nothing to do and linger.ms nothing to wait for): the runtime commits
// offsets only after put, and every record is then written, skipped, or reported failed. The
// runtime calls put with batch.size records, up to max.in.flight.requests calls at once; writes
// of one document keep their call order.

const NO_TURN = { before: Promise.resolve(), done: () => undefined };

/** Elasticsearch refuses document ids longer than this many bytes (and the whole bulk request with them). */
const MAX_ID_BYTES = 512;

export async function startElasticsearchSinkTask(taskConfig: Record<string, string>, ctx: SinkTaskContext): Promise<SinkTask> {
  const cfg = parseElasticsearchSinkConfig(taskConfig);
  if (Boolean(cfg['connection.username']) !== Boolean(cfg['connection.password'])) {
    ctx.logger.warn({}, 'Only one of connection.username and connection.password is set: connecting without authentication');
  }
  // No request here: connection trouble shows up in put, where it is retried.
  return new ElasticsearchSinkTask(cfg, createClient(cfg), ctx);
}

class ElasticsearchSinkTask implements SinkTask {
  private readonly indices: IndexPreparer;
  private readonly writer: BulkWriter;
  private closed = false;
  /** Per topic: its index and whether its key is ignored (asked for every record). */
  private readonly topics = new Map<string, { index: string; ignoreKey: boolean }>();
  readonly putBatchSize: number;
  readonly maxConcurrentPuts: number;

  constructor(
    private readonly cfg: ElasticsearchSinkConfig,
    private readonly client: Client,
    private readonly ctx: SinkTaskContext,
  ) {
    this.putBatchSize = cfg['batch.size'];
    this.maxConcurrentPuts = cfg['max.in.flight.requests'];
    const retry = { maxRetries: cfg['max.retries'], backoffMs: cfg['retry.backoff.ms'] };
    this.indices = new IndexPreparer(client, retry, ctx.logger);
    this.writer = new BulkWriter(client, {
      ...retry,
      batchSize: cfg['batch.size'],
      bulkSizeBytes: cfg['bulk.size.bytes'],
      maxInFlight: cfg['max.in.flight.requests'],
      onMalformed: cfg['behavior.on.malformed.documents'],
    }, ctx.logger);
  }

  async put(records: SinkRecord[], signal: AbortSignal): Promise<PutResult> {
    if (this.closed) throw new Error('put on a closed Elasticsearch sink task');
    const failed = new Map<number, Error>();
    const ops: BulkOp[] = [];
    records.forEach((record, i) => {
      try {
        const op = this.operation(record, i);
        if (op) ops.push(op);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        if (this.cfg['drop.invalid.message']) {
          this.ctx.logger.error({ ...this.where(record), error: e.message }, 'Cannot convert the record; dropping it (drop.invalid.message=true)');
        } else {
          failed.set(i, e);
        }
      }
    });

    // Before any await: later puts touching the same documents wait for this one. Ids made of
    // topic+partition+offset (key.ignore) never repeat across puts: no turn needed.
    const turn = records.some((r) => !ignoresKey(this.cfg, r.topic)) ? this.writer.reserve(ops) : NO_TURN;
    const timeoutMs = this.cfg['flush.timeout.ms'];
    const timeout = AbortSignal.timeout(timeoutMs);
    const all = AbortSignal.any([signal, timeout]);
    try {
      const writable = await this.prepareIndices(records, ops, failed, all);
      await turn.before;
      for (const [i, e] of await this.writer.write(writable, all)) failed.set(i, e);
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      if (timeout.aborted) {
        throw new RetriableError(`Writing ${records.length} records to Elasticsearch took longer than flush.timeout.ms (${timeoutMs} ms); the batch will be retried`, { cause: e });
      }
      throw e;
    } finally {
      turn.done();
    }
    return { failed: [...failed].sort(([a], [b]) => a - b).map(([index, error]) => ({ index, error })) };
  }

  /** Nothing is buffered: put returns once Elasticsearch acknowledged every request. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  /** The bulk action for one record, null when there is nothing to write; DataError when it cannot be written. */
  private topic(topic: string): { index: string; ignoreKey: boolean } {
    let t = this.topics.get(topic);
    if (!t) {
      // indexName throws for a topic that gives no valid name: not remembered, each record fails.
      t = { index: indexName(topic), ignoreKey: ignoresKey(this.cfg, topic) };
      this.topics.set(topic, t);
    }
    return t;
  }

  private operation(record: SinkRecord, i: number): BulkOp | null {
    const { index, ignoreKey } = this.topic(record.topic);
    if (record.value === null || record.value === undefined) {
      switch (this.cfg['behavior.on.null.values']) {
        case 'ignore':
          return null;
        case 'delete':
          // A tombstone without a key names no document: nothing to delete (as Confluent).
          if (record.key === null || record.key === undefined) return null;
          return this.checked(bulkOp(i, index, documentId(record, ignoreKey), { kind: 'delete' }));
        default:
          throw new DataError(`Record from topic=${record.topic} partition=${record.kafkaPartition} offset=${record.kafkaOffset} has a null value `
            + '(to ignore future records like this change the configuration property \'behavior.on.null.values\' from \'fail\' to \'ignore\')', 'TASK_PUT');
      }
    }
    const id = documentId(record, ignoreKey);
    // Schemaless JSON nobody changed is written as it came (the same data, no second serialization),
    // unless it spans lines: a bulk request's source must be one line.
    const doc = record.valueJson !== undefined && !record.valueSchema && this.cfg['compact.map.entries'] && !record.valueJson.includes('\n')
      ? record.valueJson
      : documentJson(record.value, record.valueSchema, { compactMapEntries: this.cfg['compact.map.entries'] });
    const op = this.cfg['write.method'] === 'upsert'
      // retry_on_conflict as Confluent: min(max.in.flight.requests, 5).
      ? bulkOp(i, index, id, { kind: 'upsert', doc, retryOnConflict: Math.min(this.cfg['max.in.flight.requests'], 5) })
      : bulkOp(i, index, id, { kind: 'index', doc });
    return this.checked(op);
  }

  private checked(op: BulkOp): BulkOp {
    // Sent as is, a too long id would make Elasticsearch refuse the whole bulk request.
    if (Buffer.byteLength(op.id) > MAX_ID_BYTES) {
      throw new DataError(`Document id is too long: ${Buffer.byteLength(op.id)} bytes, Elasticsearch allows ${MAX_ID_BYTES}`, 'TASK_PUT');
    }
    return op;
  }

  /**
   * Creates missing indices, with a mapping from the schema of the first document that has one
   * unless schemas are ignored; returns the ops whose index is ready. Records of an index that
   * cannot be created or mapped fail; deletes need no mapping.
   */
  private async prepareIndices(records: SinkRecord[], ops: BulkOp[], failed: Map<number, Error>, signal: AbortSignal): Promise<BulkOp[]> {
    const byIndex = new Map<string, BulkOp[]>();
    for (const op of ops) {
      const group = byIndex.get(op.index);
      if (group) group.push(op);
      else byIndex.set(op.index, [op]);
    }
    const ready: BulkOp[] = [];
    const fail = (group: BulkOp[], e: DataError) => group.forEach((op) => failed.set(op.record, e));
    for (const [index, group] of byIndex) {
      let writable = group;
      let mapping: FieldMapping | null = null;
      // Once the index is mapped (every put after the first) no document needs a look here.
      const documents = this.indices.isMapped(index) ? [] : group.filter((op) => records[op.record]!.value != null);
      if (documents.length > 0 && !ignoresSchema(this.cfg, records[documents[0]!.record]!.topic)) {
        const withSchema = documents.find((op) => records[op.record]!.valueSchema);
        try {
          mapping = indexMapping(withSchema ? records[withSchema.record]!.valueSchema : null);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          fail(documents, e);
          writable = group.filter((op) => records[op.record]!.value == null);
        }
      }
      if (writable.length === 0) continue;
      try {
        await this.indices.prepare(index, mapping, signal);
        for (const op of writable) ready.push(op);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        fail(writable, e);
      }
    }
    // Keep the batch order: the writer relies on it for several writes to one document (ops of
    // one index are in order already).
    return byIndex.size > 1 ? ready.sort((a, b) => a.record - b.record) : ready;
  }

  private where(r: SinkRecord) {
    return { topic: r.topic, partition: r.kafkaPartition, offset: r.kafkaOffset };
  }
}
