import { MongoBulkWriteError, MongoClient, MongoError, MongoNetworkError, MongoServerError, MongoServerSelectionError, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { ConfigError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { connectionUri, parseTopicConfig, type MongoSinkConfig } from './config.js';
import { toBsonDocument } from './document.js';
import { writeModel } from './strategies.js';
import { redactedHosts } from './uri.js';

// Writes records to MongoDB as the MongoDB connector's sink task does: each record becomes one
// write (by the topic's id and write model strategies), consecutive records bound for one
// collection go in one bulk write of at most max.batch.size, ordered or not. A write the server
// refuses is reported for that record only (the runtime dead-letters it under
// errors.tolerance=all); in an ordered bulk write the records after it were never attempted and
// are reported as skipped, as the connector does. A lost connection fails the whole put with a
// RetriableError, so nothing is skipped.

/** The id strategies that read the record key. */
const KEY_STRATEGIES = new Set(['ProvidedInKeyStrategy', 'FullKeyStrategy', 'PartialKeyStrategy']);

/** Server error codes that mean bad credentials or missing rights: a retry will not help. */
const AUTH_CODES = new Set([13, 18, 8000]);

interface Prepared {
  index: number;
  db: string;
  collection: string;
  topic: string;
  op: AnyBulkWriteOperation<Document>;
  cfg: MongoSinkConfig;
}

function classify(e: unknown, what: string): Error {
  if (e instanceof MongoServerError && AUTH_CODES.has(Number(e.code))) {
    return new ConfigError(`${what}: MongoDB refused the credentials or rights of connection.uri: ${e.message}`, [{ key: 'connection.uri', message: e.message }]);
  }
  if (e instanceof MongoError && /auth/i.test(e.name)) return new ConfigError(`${what}: ${e.message}`, [{ key: 'connection.uri', message: e.message }]);
  return new RetriableError(`${what}: ${(e as Error).message}`, { cause: e });
}

function transient(e: unknown): boolean {
  return e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || (e instanceof MongoError && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError')));
}

export async function startMongoSinkTask(raw: Record<string, string>, cfg: MongoSinkConfig, ctx: SinkTaskContext): Promise<SinkTask> {
  const uri = connectionUri(cfg);
  // A server that does not answer fails the start within 15 s (unless the URI sets its own timeout).
  const client = new MongoClient(uri, { ...(/[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: 15_000 }), appName: `tconnect-${ctx.connectorName}-${ctx.taskId}` });
  try {
    await client.connect();
  } catch (e) {
    await client.close().catch(() => {});
    throw classify(e, `Cannot connect to MongoDB at ${redactedHosts(uri)}`);
  }
  ctx.logger.info({ hosts: redactedHosts(uri) }, 'connected to MongoDB');

  const topicConfigs = new Map<string, MongoSinkConfig>();
  const topicConfig = (topic: string): MongoSinkConfig => {
    let c = topicConfigs.get(topic);
    if (!c) topicConfigs.set(topic, (c = parseTopicConfig(raw, topic)));
    return c;
  };

  const prepare = (record: SinkRecord, index: number): Prepared => {
    const tc = topicConfig(record.topic);
    const valueDoc = toBsonDocument(record.value, record.valueSchema, 'value');
    // As the MongoDB connector's lazy key document: a key is converted only when the write needs it,
    // so a key that is no document (a plain string) is fine with BsonOidStrategy.
    const keyDoc = !valueDoc || KEY_STRATEGIES.has(tc['document.id.strategy']) ? toBsonDocument(record.key, record.keySchema, 'key') : null;
    return { index, db: tc.database, collection: tc.collection || record.topic, topic: record.topic, op: writeModel(tc, record, keyDoc, valueDoc), cfg: tc };
  };

  /** Runs one bulk write; returns the records it could not write. */
  const bulkWrite = async (batch: Prepared[]): Promise<PutResult['failed']> => {
    const { db, collection, cfg: tc } = batch[0];
    const ordered = tc['bulk.write.ordered'];
    try {
      await client.db(db).collection(collection).bulkWrite(batch.map((p) => p.op), { ordered });
      return [];
    } catch (e) {
      if (e instanceof MongoBulkWriteError && !transient(e)) {
        const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
        if (e.writeConcernError || errors.length === 0) throw new RetriableError(`Bulk write to ${db}.${collection} failed: ${e.message}`, { cause: e });
        const failed: PutResult['failed'] = errors.map((w) => ({
          index: batch[w.index].index,
          error: new DataError(`Write to ${db}.${collection} failed (code ${w.code}): ${w.errmsg ?? 'write error'}`, 'TASK_PUT'),
        }));
        if (ordered) {
          const first = Math.min(...errors.map((w) => w.index));
          for (let i = first + 1; i < batch.length; i++) {
            failed.push({ index: batch[i].index, error: new DataError(`Write to ${db}.${collection} skipped: an earlier write of the ordered bulk write failed (bulk.write.ordered=true)`, 'TASK_PUT') });
          }
        }
        return failed;
      }
      if (transient(e) || !(e instanceof MongoServerError)) throw classify(e, `Bulk write to ${db}.${collection} failed`);
      if (AUTH_CODES.has(Number(e.code))) throw classify(e, `Bulk write to ${db}.${collection} failed`);
      // A command-level refusal (an invalid collection name, a document too large): every record of the batch.
      return batch.map((p) => ({ index: p.index, error: new DataError(`Bulk write to ${db}.${collection} refused (code ${e.code}): ${e.message}`, 'TASK_PUT') }));
    }
  };

  let closed = false;
  return {
    putBatchSize: 2000,
    async put(records): Promise<PutResult> {
      const failed: PutResult['failed'] = [];
      const batches: Prepared[][] = [];
      let current: Prepared[] = [];
      for (let i = 0; i < records.length; i++) {
        let p: Prepared;
        try {
          p = prepare(records[i], i);
        } catch (e) {
          if (e instanceof ConfigError) throw e;
          failed.push({ index: i, error: e instanceof DataError ? e : new DataError(`Cannot build the write for this record: ${(e as Error).message}`, 'TASK_PUT', { cause: e }) });
          continue;
        }
        const prev = current[current.length - 1];
        const max = p.cfg['max.batch.size'];
        if (prev && (prev.topic !== p.topic || prev.db !== p.db || prev.collection !== p.collection || (max > 0 && current.length >= max))) {
          batches.push(current);
          current = [];
        }
        current.push(p);
      }
      if (current.length) batches.push(current);
      for (const batch of batches) failed.push(...(await bulkWrite(batch)));
      return { failed: failed.sort((a, b) => a.index - b.index) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close().catch((e) => ctx.logger.warn({ err: (e as Error).message }, 'closing the MongoDB client failed'));
    },
  };
}
