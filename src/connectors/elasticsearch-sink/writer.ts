import type { Client, estypes } from '@elastic/elasticsearch';
import { DataError, RetriableError } from '../../errors.js';
import type { PluginLogger } from '../types.js';
import type { MalformedDocBehavior } from './config.js';
import { classifyRequestError, configError, retryWaitMs, type RetrySettings } from './retry.js';
import { sleep } from '../../wait.js';

/**
 * Bulk writes of one put: operations split into requests by batch.size and bulk.size.bytes,
 * up to max.in.flight.requests of them at once, each retried on its own (whole request, or just
 * the items the server was too busy for). Every record ends written, skipped by
 * behavior.on.malformed.documents, or failed with a DataError; whole-request trouble that
 * outlasts max.retries throws a RetriableError for the batch.
 */

/** One bulk action: its NDJSON text (the action line, then the source unless a delete; each line ends with a newline). */
export interface BulkOp {
  /** Index of the record in the put batch. */
  record: number;
  index: string;
  id: string;
  text: string;
}

export type BulkAction = { kind: 'delete' } | { kind: 'index'; doc: string } | { kind: 'upsert'; doc: string; retryOnConflict: number };

export function bulkOp(record: number, index: string, id: string, action: BulkAction): BulkOp {
  const meta = `{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}`;
  const text =
    action.kind === 'delete' ? `{"delete":${meta}}}\n`
    : action.kind === 'index' ? `{"index":${meta}}}\n${action.doc}\n`
    : `{"update":${meta},"retry_on_conflict":${action.retryOnConflict}}}\n{"doc":${action.doc},"doc_as_upsert":true}\n`;
  return { record, index, id, text };
}

/** The UTF-8 size of an op in a request. */
export const opBytes = (op: BulkOp): number => Buffer.byteLength(op.text);

/** A request's body: its ops' NDJSON, encoded once (the client passes a Buffer on as is). */
export function bulkBody(ops: BulkOp[]): Buffer {
  let text = '';
  for (const op of ops) text += op.text;
  return Buffer.from(text);
}

/** Every item keeps its status, so items stay aligned with the actions sent. */
const BULK_FILTER = ['errors', 'items.*.status', 'items.*.error'];

const docKey = (op: BulkOp) => `${op.index}\u0000${op.id}`;

export interface Chunk {
  ops: BulkOp[];
  /** Earlier chunks writing one of the same documents: this one waits for them, so the last write wins. */
  after: number[];
}

/** Splits ops, in order, into requests of at most maxCount actions and maxBytes bytes (-1: no byte limit). */
export function planChunks(ops: BulkOp[], maxCount: number, maxBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  // The current request's size: an upper bound (3 bytes per UTF-16 unit) until that could pass
  // maxBytes, then counted exactly. Usually (2,000 documents of a few hundred bytes, 5 MB) no
  // byte is counted.
  let bytes = 0;
  let exact = false;
  for (const op of ops) {
    let size = 3 * op.text.length;
    if (current && maxBytes >= 0 && (exact || bytes + size > maxBytes)) {
      if (!exact) {
        bytes = 0;
        for (const o of current.ops) bytes += opBytes(o);
        exact = true;
      }
      size = opBytes(op);
    }
    const full = current && (current.ops.length >= maxCount || (maxBytes >= 0 && bytes + size > maxBytes));
    if (!current || full) {
      current = { ops: [], after: [] };
      chunks.push(current);
      bytes = 0;
      exact = false;
    }
    current.ops.push(op);
    bytes += size;
  }
  // One request (the usual case: the runtime puts batch.size records at a time) orders itself.
  if (chunks.length > 1) {
    const lastChunkOf = new Map<string, number>();
    chunks.forEach((chunk, n) => {
      for (const op of chunk.ops) {
        const k = docKey(op);
        const prev = lastChunkOf.get(k);
        if (prev !== undefined && prev !== n && !chunk.after.includes(prev)) chunk.after.push(prev);
        lastChunkOf.set(k, n);
      }
    });
  }
  return chunks;
}

/** Error types Confluent counts as a malformed document (ElasticsearchClient.MALFORMED_DOC_ERRORS). */
const MALFORMED_TYPES = new Set([
  'strict_dynamic_mapping_exception', 'mapper_parsing_exception', 'illegal_argument_exception',
  'action_request_validation_exception', 'document_parsing_exception',
]);

export type ItemVerdict =
  | { kind: 'ok' }
  | { kind: 'retry' | 'malformed' | 'failed' | 'auth'; message: string };

/** What one bulk item's answer means for its record. */
export function classifyItem(item: estypes.BulkResponseItem): ItemVerdict {
  const error = item.error;
  if (!error) return { kind: 'ok' };
  const message = `HTTP ${item.status} ${error.type}: ${error.reason ?? ''}`;
  const types: string[] = [];
  for (let c: estypes.ErrorCause | undefined = error; c && types.length < 10; c = c.caused_by) types.push(c.type);
  if (types.some((t) => MALFORMED_TYPES.has(t))) return { kind: 'malformed', message };
  if (item.status === 429 || item.status >= 500 || error.type === 'cluster_block_exception') return { kind: 'retry', message };
  if (item.status === 401 || error.type === 'security_exception') return { kind: 'auth', message };
  // e.g. version_conflict_engine_exception (another writer), invalid_index_name_exception: this record was not written.
  return { kind: 'failed', message };
}

export interface WriterSettings extends RetrySettings {
  batchSize: number;
  bulkSizeBytes: number;
  maxInFlight: number;
  onMalformed: MalformedDocBehavior;
}

export class BulkWriter {
  /** Requests in flight across all writes of the task: max.in.flight.requests. */
  private readonly slots: Semaphore;
  /** Per document, the latest write reserved for it that has not finished. */
  private readonly lastWrite = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly settings: WriterSettings,
    private readonly logger: PluginLogger,
  ) {
    this.slots = new Semaphore(settings.maxInFlight);
  }

  /**
   * Takes a turn for ops' documents, in call order: `before` resolves once earlier writes of any
   * of them finished (so the last write of a document wins); call `done` when this write ended.
   */
  reserve(ops: BulkOp[]): { before: Promise<void>; done: () => void } {
    let finish!: () => void;
    const mine = new Promise<void>((r) => { finish = r; });
    const earlier = new Set<Promise<void>>();
    const keys: string[] = [];
    for (const op of ops) {
      const k = docKey(op);
      const prev = this.lastWrite.get(k);
      if (prev && prev !== mine) earlier.add(prev);
      this.lastWrite.set(k, mine);
      keys.push(k);
    }
    let ended = false;
    return {
      before: earlier.size ? Promise.all(earlier).then(() => undefined) : Promise.resolve(),
      done: () => {
        if (ended) return;
        ended = true;
        for (const k of keys) if (this.lastWrite.get(k) === mine) this.lastWrite.delete(k);
        finish();
      },
    };
  }

  /** Writes ops; returns the records that failed, by record index. */
  async write(ops: BulkOp[], signal: AbortSignal): Promise<Map<number, Error>> {
    const failures = new Map<number, Error>();
    if (ops.length === 0) return failures;
    const chunks = planChunks(ops, this.settings.batchSize, this.settings.bulkSizeBytes);
    // One failed request stops the others: the batch is retried as a whole anyway.
    const stop = new AbortController();
    const anySignal = AbortSignal.any([signal, stop.signal]);
    let firstError: unknown;
    const slots = this.slots;
    const done: Array<Promise<void>> = [];
    for (const chunk of chunks) {
      const run = async () => {
        await Promise.all(chunk.after.map((i) => done[i]));
        await slots.acquire();
        try {
          await this.send(chunk.ops, failures, anySignal);
        } finally {
          slots.release();
        }
      };
      done.push(run().catch((e: unknown) => {
        firstError ??= e;
        stop.abort(e);
        throw e;
      }));
    }
    await Promise.allSettled(done);
    if (firstError !== undefined) throw firstError;
    return failures;
  }

  /** One bulk request with its retries. */
  private async send(ops: BulkOp[], failures: Map<number, Error>, signal: AbortSignal): Promise<void> {
    const { maxRetries, backoffMs } = this.settings;
    let pending = ops;
    let lastProblem: string;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(retryWaitMs(attempt - 1, backoffMs), signal);
      let response: estypes.BulkResponse;
      try {
        // Only what judging needs comes back: ~25 bytes an item instead of ~170 (less to parse here and to write there).
        // The body as bytes: the client sends a Buffer as it is (a string it would measure and encode again).
        response = await this.client.bulk({ operations: bulkBody(pending) as unknown as estypes.BulkOperationContainer[], filter_path: BULK_FILTER }, { signal });
      } catch (e) {
        const problem = classifyRequestError(e);
        if (problem?.kind === 'config') throw configError('write documents', problem, e);
        if (problem?.kind === 'rejected') {
          // The server refused the request as a whole for its content: its records failed.
          for (const o of pending) failures.set(o.record, new DataError(`Elasticsearch refused the bulk request: ${problem.message}`, 'TASK_PUT', { cause: e }));
          return;
        }
        if (problem?.kind !== 'retry' || signal.aborted) throw e;
        lastProblem = problem.message;
        if (attempt >= maxRetries) break;
        continue;
      }
      const judged = this.judge(pending, response, failures);
      pending = judged.again;
      if (pending.length === 0) return;
      lastProblem = `${pending.length} bulk items not accepted (${judged.reason})`;
      if (attempt >= maxRetries) break;
    }
    throw new RetriableError(`Elasticsearch bulk request failed after ${maxRetries} retries: ${lastProblem}`);
  }

  /** Records each item's outcome; returns the ops to send again. */
  private judge(sent: BulkOp[], response: estypes.BulkResponse, failures: Map<number, Error>): { again: BulkOp[]; reason: string } {
    // Every item succeeded (the usual answer): nothing to look at per item.
    if (response.errors === false) return { again: [], reason: '' };
    const items = response.items ?? [];
    const again: BulkOp[] = [];
    let reason = '';
    const replayed = new Set<string>();
    sent.forEach((op, i) => {
      const item = items[i] ? Object.values(items[i]!)[0] : undefined;
      const verdict: ItemVerdict = item ? classifyItem(item) : { kind: 'retry', message: 'no answer for this item' };
      // Once a document's op is sent again, its later ops in this request go again after it, in order.
      if (verdict.kind === 'retry' || replayed.has(docKey(op))) {
        if (verdict.kind === 'retry') reason = verdict.message;
        replayed.add(docKey(op));
        failures.delete(op.record);
        again.push(op);
        return;
      }
      if (verdict.kind === 'ok') return;
      if (verdict.kind === 'auth') throw configError(`write to index ${op.index}`, { key: 'connection.username', message: `${verdict.message}; check the privileges of connection.username` });
      if (verdict.kind === 'malformed' && this.settings.onMalformed !== 'fail') {
        const log = { index: op.index, id: op.id, error: verdict.message };
        if (this.settings.onMalformed === 'warn') this.logger.warn(log, 'Elasticsearch refused a malformed document; skipping it (behavior.on.malformed.documents=warn)');
        else this.logger.debug(log, 'Elasticsearch refused a malformed document; skipping it (behavior.on.malformed.documents=ignore)');
        return;
      }
      failures.set(op.record, new DataError(`Indexing failed for document ${JSON.stringify(op.id)} in index ${op.index}: ${verdict.message}`, 'TASK_PUT'));
    });
    return { again, reason };
  }
}

/** A counting semaphore: at most n holders at once, granted in request order. */
class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
