import pLimit from 'p-limit';
import { Kafka, logLevel, type Admin, type Producer, type Message, type Transaction, CompressionTypes } from 'kafkajs';
import type { Producer as DataProducer, MessageToProduce } from '@platformatic/kafka';
import { ConfigError, ConnectError, DataError, RetriableError, isProgrammerError } from '../errors.js';
import { applyKafkajsFixes } from './kafkajs-fixes.js';

applyKafkajsFixes();

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KafkaSettings {
  brokers: string[];
  clientId?: string;
  /** How long a topic seen to exist is trusted before ensureTopics looks again (ms). */
  topicCacheMs?: number;
  /** How long ensureTopics waits for every partition of a topic it created to have a leader (ms). */
  leaderWaitMs?: number;
}

interface AdminHandle {
  admin: Admin;
  connected: Promise<void>;
  /** Calls running on this client. */
  users: number;
  retired: boolean;
}

/**
 * One Kafka connection per worker process: a shared admin client and producers kept warm by key
 * (Connect gives each task its own producer: connector-producer-<c>-<t>).
 * kafkajs' own retries are kept low so they do not multiply with Temporal's.
 *
 * Records are produced (send) with @platformatic/kafka: on the source's records it takes about a
 * third of kafkajs' CPU per record (bench/kafka-clients.ts; kafkajs computes CRC32C in JavaScript
 * and groups a request's messages in quadratic time). kafkajs stays for the admin client and for
 * transactional producers (exactly-once sources), which the runtime drives through its API.
 */
// @platformatic/kafka is loaded by the first send(): its few hundred ES modules cost an idle worker
// ~30 MiB of RSS (bench/README.md, Memory), and a worker running only sinks never sends.
let platformaticKafka: Promise<typeof import('@platformatic/kafka')> | undefined;
const loadPlatformaticKafka = () => (platformaticKafka ??= import('@platformatic/kafka'));

export class KafkaPool {
  readonly kafka: Kafka;
  private adminClient?: AdminHandle;
  private sharedAdmin?: Admin;
  private readonly producers = new Map<string, Promise<Producer>>();
  private readonly dataProducers = new Map<string, DataProducer>();
  /**
   * One send at a time per producer key. The offsets store's producer is shared by every task of
   * the worker: with concurrent sends, one failed send dropped (closed) the producer under the
   * others ("Connection pool is closed") and concurrent idempotent requests drew
   * OUT_OF_ORDER_SEQUENCE_NUMBER, failing hundreds of batches at 200 connectors. Queued sends
   * get a fresh producer after a failure instead.
   */
  private readonly sendQueues = new Map<string, ReturnType<typeof pLimit>>();
  private readonly knownTopics: TopicCache;
  /** Extra cleanup registered by helpers that hold connections of their own. */
  onClose?: () => Promise<void>;

  constructor(readonly settings: KafkaSettings) {
    this.kafka = new Kafka({
      clientId: settings.clientId ?? 'tconnect',
      brokers: settings.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      connectionTimeout: 5000,
      requestTimeout: 30000,
    });
    this.knownTopics = new TopicCache(settings.topicCacheMs);
  }

  /**
   * The worker's shared admin client. Every call goes through withAdmin, so a client whose
   * metadata went stale is replaced under its callers.
   */
  async getAdmin(): Promise<Admin> {
    this.sharedAdmin ??= new Proxy({} as Admin, {
      get: (_target, prop) => {
        if (prop === 'connect' || prop === 'disconnect') return async () => undefined; // the pool owns its lifetime
        if (typeof prop !== 'string' || prop === 'then') return undefined; // not a thenable: `await getAdmin()` must not call it
        return (...args: unknown[]) =>
          this.withAdmin((a) => {
            const f = (a as unknown as Record<PropertyKey, unknown>)[prop];
            if (typeof f !== 'function') throw new TypeError(`kafkajs Admin has no method ${String(prop)}`);
            return (f as (...x: unknown[]) => Promise<unknown>).apply(a, args);
          });
      },
    });
    return this.sharedAdmin;
  }

  /**
   * Runs `fn` on the shared admin client. kafkajs' admin keeps asking the broker for the
   * metadata of every topic it ever read offsets of, and fails every later call with
   * UNKNOWN_TOPIC_OR_PARTITION once one of them is deleted; so on a stale-metadata answer the
   * client is replaced (its topic list starts empty) and the call tried once more.
   */
  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const first = this.currentAdmin();
    try {
      return await this.runOn(first, fn);
    } catch (e) {
      if (!isStaleMetadata(e)) throw e;
      this.retireAdmin(first);
      // A deleted topic may also be among the ones this pool remembers as existing.
      this.knownTopics.clear();
      return await this.runOn(this.currentAdmin(), fn);
    }
  }

  private currentAdmin(): AdminHandle {
    if (this.adminClient && !this.adminClient.retired) return this.adminClient;
    const admin = this.kafka.admin();
    const handle: AdminHandle = {
      admin,
      connected: admin.connect().catch((e) => {
        this.retireAdmin(handle);
        throw kafkaError('connect admin client', e);
      }),
      users: 0,
      retired: false,
    };
    this.adminClient = handle;
    return handle;
  }

  private async runOn<T>(h: AdminHandle, fn: (admin: Admin) => Promise<T>): Promise<T> {
    h.users++;
    try {
      await h.connected;
      return await fn(h.admin);
    } finally {
      h.users--;
      if (h.retired && h.users === 0) await h.admin.disconnect().catch(() => undefined);
    }
  }

  /** A retired client takes no new calls and disconnects once the calls still running on it end. */
  private retireAdmin(h: AdminHandle): void {
    h.retired = true;
    if (this.adminClient === h) this.adminClient = undefined;
    if (h.users === 0) void h.admin.disconnect().catch(() => undefined);
  }

  /**
   * An idempotent acks=all producer, created once per key and kept. With a transactionalId it is
   * transactional, and connecting it (InitProducerId) fences every older producer of that id:
   * their open transaction is aborted and their later commits refused.
   */
  async producer(key: string, opts: { transactionalId?: string } = {}): Promise<Producer> {
    let p = this.producers.get(key);
    if (!p) {
      p = (async () => {
        const prod = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: true,
          transactionalId: opts.transactionalId,
          // Kafka's default; an open transaction of a zombie nobody fences is aborted after this.
          transactionTimeout: 60_000,
          retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
        });
        await prod.connect();
        return prod;
      })();
      this.producers.set(key, p);
      p.catch(() => this.producers.delete(key));
    }
    try {
      return await p;
    } catch (e) {
      throw kafkaError('connect producer', e);
    }
  }

  /** Drops a producer after an error so the next batch reconnects cleanly. */
  async dropProducer(key: string): Promise<void> {
    const p = this.producers.get(key);
    this.producers.delete(key);
    const d = this.dataProducers.get(key);
    this.dataProducers.delete(key);
    await Promise.all([
      p?.then((x) => x.disconnect()).catch(() => undefined),
      d && closeDataProducer(d),
    ]);
  }

  /** The idempotent acks=all producer of send(), created once per key and kept. */
  private async dataProducer(key: string): Promise<DataProducer> {
    let p = this.dataProducers.get(key);
    if (p) return p;
    const { Producer, compatibilityPartitioner } = await loadPlatformaticKafka();
    p = this.dataProducers.get(key);
    if (!p) {
      p = new Producer({
        clientId: this.settings.clientId ?? 'tconnect',
        bootstrapBrokers: this.settings.brokers,
        idempotent: true,
        acks: -1,
        autocreateTopics: true,
        // Java's partitioner for keyed records (murmur2, positive), as kafkajs' default and Connect.
        partitioner: compatibilityPartitioner,
        connectTimeout: 5000,
        timeout: 30_000,
        retries: 3,
        retryDelay: 200,
      });
      this.dataProducers.set(key, p);
    }
    return p;
  }

  /**
   * Sends messages with acks=all on an idempotent producer, in order; resolves once Kafka
   * acknowledged all of them. Requests are cut at about maxRequestBytes: a partition's messages
   * go in one record batch, and a broker refuses batches over message.max.bytes (1 MiB by default).
   */
  async send(key: string, records: Array<{ topic: string; message: Message }>, maxRequestBytes = 900 * 1024): Promise<void> {
    let q = this.sendQueues.get(key);
    if (!q) this.sendQueues.set(key, (q = pLimit(1)));
    try {
      await q(() => this.sendNow(key, records, maxRequestBytes));
    } finally {
      if (q.activeCount === 0 && q.pendingCount === 0 && this.sendQueues.get(key) === q) this.sendQueues.delete(key);
    }
  }

  private async sendNow(key: string, records: Array<{ topic: string; message: Message }>, maxRequestBytes: number): Promise<void> {
    const prod = await this.dataProducer(key);
    for (const [start, end] of requestRanges(records, maxRequestBytes)) {
      const messages: MessageToProduce[] = [];
      for (let i = start; i < end; i++) messages.push(toProduce(records[i]));
      try {
        await prod.send({ messages });
      } catch (e) {
        await this.dropProducer(key);
        // The topic may be gone (deleted, or auto-created again without our settings): look again next time.
        this.knownTopics.forget(new Set(messages.map((m) => m.topic)));
        throw kafkaError('produce', e);
      }
    }
  }

  /**
   * Sends messages inside an open transaction of a transactional producer, cut into requests as
   * send() does. On failure the caller aborts the transaction and drops the producer.
   */
  async sendInTransaction(txn: Transaction, records: Array<{ topic: string; message: Message }>, maxRequestBytes = 900 * 1024): Promise<void> {
    for (const topicMessages of requests(records, maxRequestBytes)) {
      try {
        await txn.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      } catch (e) {
        this.knownTopics.forget(topicMessages.map((t) => t.topic));
        throw kafkaError('produce (transactional)', e);
      }
    }
  }

  /**
   * Creates topics that do not exist yet (Connect's topic.creation). Topics seen to exist are
   * trusted for topicCacheMs, or until a send to them or a stale-metadata answer says otherwise.
   */
  async ensureTopics(
    topics: string[],
    opts: { partitions?: number; replicationFactor?: number; configs?: Record<string, string> } = {},
  ): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    try {
      await this.withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const create = missing.filter((t) => !existing.has(t));
        if (create.length === 0) return;
        // Not kafkajs' waitForLeaders: it asks one broker, and on a cluster of several brokers the
        // one asked may not know the new topic yet; its UNKNOWN_TOPIC_OR_PARTITION ends the wait at once.
        await admin.createTopics({
          waitForLeaders: false,
          topics: create.map((topic) => ({
            topic,
            numPartitions: opts.partitions ?? -1,
            replicationFactor: opts.replicationFactor ?? -1,
            configEntries: Object.entries(opts.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
        await waitForLeaders(admin, create, this.settings.leaderWaitMs ?? 30_000);
      });
    } catch (e) {
      if (!(e instanceof Error && /already exists/i.test(e.message))) throw kafkaError('create topics', e);
    }
    this.knownTopics.add(missing);
  }

  async close(): Promise<void> {
    await this.onClose?.().catch(() => undefined);
    const all = [...this.producers.values()];
    this.producers.clear();
    const data = [...this.dataProducers.values()];
    this.dataProducers.clear();
    await Promise.all([
      ...all.map((p) => p.then((x) => x.disconnect()).catch(() => undefined)),
      ...data.map(closeDataProducer),
    ]);
    const h = this.adminClient;
    this.adminClient = undefined;
    if (h) {
      h.retired = true;
      await h.admin.disconnect().catch(() => undefined);
    }
  }
}

type Sleep = (ms: number) => Promise<void>;
const sleepMs: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` until it succeeds, again after 50 ms, 100 ms, … (at most 1 s apart) while its failure
 * is `transient`, until `timeoutMs`: the last failure is then thrown as it is, as is at once a
 * failure that is not transient.
 */
async function retryWithBackoff<T>(fn: () => Promise<T>, transient: (e: unknown) => boolean, timeoutMs: number, sleep: Sleep, now: () => number): Promise<T> {
  const deadline = now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn();
    } catch (e) {
      if (!transient(e) || now() + delay > deadline) throw e;
    }
    await sleep(delay);
  }
}

/**
 * Waits until a fresh metadata answer gives every partition of `topics` a leader. Right after
 * CreateTopics, a broker other than the controller may not know a topic yet (UNKNOWN_TOPIC_OR_PARTITION,
 * "does not host this topic-partition") or know it without a leader (LEADER_NOT_AVAILABLE): those
 * answers are retried until `timeoutMs`, then a RetriableError names the topics and what to check.
 * Every other failure is thrown as it is.
 */
export async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: string[],
  timeoutMs: number,
  sleep: Sleep = sleepMs,
  now: () => number = Date.now,
): Promise<void> {
  let pending = [...topics];
  let last = '';
  const notYet = new Error('not every partition has a leader yet');
  const transient = (e: unknown) => e === notYet || isLeaderWaitTransient(e);
  try {
    await retryWithBackoff(async () => {
      const md = await admin.fetchTopicMetadata({ topics: pending }).catch((e: unknown) => {
        if (isLeaderWaitTransient(e)) last = e instanceof Error ? e.message : String(e);
        throw e;
      });
      const led = new Set(md.topics.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)).map((t) => t.name));
      const without = md.topics.filter((t) => !led.has(t.name)).map((t) => `${t.name} (partitions ${t.partitions.filter((p) => p.leader < 0).map((p) => p.partitionId).join(', ')} without a leader)`);
      pending = pending.filter((t) => !led.has(t));
      if (pending.length === 0) return;
      last = without.join('; ') || `no metadata for ${pending.join(', ')}`;
      throw notYet;
    }, transient, timeoutMs, sleep, now);
  } catch (e) {
    if (!transient(e)) throw e;
    throw new RetriableError(
      `Kafka topic${pending.length > 1 ? 's' : ''} ${pending.join(', ')} created, but not every partition had a leader ` +
      `within ${Math.round(timeoutMs / 1000)} s (last answer: ${last}): check that the brokers in bootstrap.servers are up ` +
      'and that enough of them are alive for the replication factor and min.insync.replicas',
    );
  }
}

/**
 * Runs `fn` again while it fails with a stale-metadata answer (UNKNOWN_TOPIC_OR_PARTITION and
 * friends), up to `timeoutMs`: a new client asks one broker for a topic's metadata, and right after
 * the topic was created that broker may not know it yet. The last failure is thrown as it is.
 */
export function retryStaleMetadata<T>(fn: () => Promise<T>, timeoutMs: number, sleep: Sleep = sleepMs, now: () => number = Date.now): Promise<T> {
  return retryWithBackoff(fn, isStaleMetadata, timeoutMs, sleep, now);
}

/**
 * The answers a new topic gets while the cluster's brokers learn of it. Also kafkajs' TypeError
 * when every broker it asked failed (its pool then hands back no answer, and it reads topicMetadata of null).
 */
function isLeaderWaitTransient(e: unknown): boolean {
  if (isStaleMetadata(e)) return true;
  if (e instanceof TypeError && /reading 'topicMetadata'/.test(e.message)) return true;
  return !isProgrammerError(e) && classify(e).kind === 'retriable';
}

/** Topics known to exist, each trusted for a while: a topic can be deleted under a running worker. */
export class TopicCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  has(topic: string): boolean {
    const at = this.seen.get(topic);
    if (at === undefined) return false;
    if (this.now() - at < this.ttlMs) return true;
    this.seen.delete(topic);
    return false;
  }

  add(topics: Iterable<string>): void {
    const at = this.now();
    for (const t of topics) this.seen.set(t, at);
  }

  forget(topics: Iterable<string>): void {
    for (const t of topics) this.seen.delete(t);
  }

  clear(): void {
    this.seen.clear();
  }
}

/**
 * Messages cut into requests of about maxRequestBytes, in order, as [start, end) ranges: a
 * partition's messages go in one record batch, and a broker refuses batches over message.max.bytes.
 */
function* requestRanges(records: Array<{ message: Message }>, maxRequestBytes: number): Generator<[number, number]> {
  let start = 0;
  while (start < records.length) {
    let bytes = messageSize(records[start].message);
    let end = start + 1;
    for (; end < records.length; end++) {
      const size = messageSize(records[end].message);
      if (bytes + size > maxRequestBytes) break;
      bytes += size;
    }
    yield [start, end];
    start = end;
  }
}

/** The same ranges grouped by topic, for kafkajs' sendBatch (transactions). */
function* requests(records: Array<{ topic: string; message: Message }>, maxRequestBytes: number): Generator<Array<{ topic: string; messages: Message[] }>> {
  for (const [start, end] of requestRanges(records, maxRequestBytes)) {
    const byTopic = new Map<string, Message[]>();
    for (let i = start; i < end; i++) {
      const r = records[i];
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push(r.message);
    }
    yield [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

function byteLength(v: unknown): number {
  return v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : (v as Buffer).length;
}

function messageSize(m: Message): number {
  let n = 70 + byteLength(m.key) + byteLength(m.value);
  if (m.headers) {
    for (const k in m.headers) {
      const v = m.headers[k];
      n += k.length;
      if (Array.isArray(v)) for (const x of v) n += byteLength(x);
      else n += byteLength(v);
    }
  }
  return n;
}

/** Closes a send() producer, never failing (force: pending requests are failed, not waited for). */
function closeDataProducer(p: DataProducer): Promise<void> {
  return new Promise<void>((resolve) => p.close(true, () => resolve()));
}

const asBuffer = (v: Buffer | string | null | undefined): Buffer | undefined => (v == null ? undefined : typeof v === 'string' ? Buffer.from(v) : v);

/**
 * A kafkajs-shaped message for @platformatic/kafka. Headers become a Map keyed by Buffer objects,
 * so a header key that repeats (kafkajs: an array of values) keeps all its values, in order.
 */
function toProduce(r: { topic: string; message: Message }): MessageToProduce {
  const m = r.message;
  const out: MessageToProduce = { topic: r.topic, key: asBuffer(m.key), value: asBuffer(m.value) };
  if (m.partition !== undefined && m.partition !== null) out.partition = m.partition;
  if (m.timestamp !== undefined && m.timestamp !== null) out.timestamp = BigInt(m.timestamp);
  if (m.headers) {
    const headers = new Map<Buffer, Buffer>();
    for (const k in m.headers) {
      const v = m.headers[k];
      for (const x of Array.isArray(v) ? v : [v]) headers.set(Buffer.from(k), asBuffer(x as Buffer | string | undefined) ?? Buffer.alloc(0));
    }
    if (headers.size) out.headers = headers;
  }
  return out;
}

/** An error and its causes, outermost first (kafkajs wraps what its retry loop gives up on). */
function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let x = e; x != null && out.length < 10 && !out.includes(x); x = (x as { cause?: unknown }).cause) out.push(x);
  return out;
}

/** The broker's error name: kafkajs' `type`, @platformatic/kafka's `apiId`. */
const kafkaType = (x: unknown): string | undefined => {
  const e = x as { type?: unknown; apiId?: unknown } | null;
  const t = e?.type ?? e?.apiId;
  return typeof t === 'string' ? t : undefined;
};

/** Answers that mean a client's view of the cluster is out of date: a new client (fresh metadata) fixes them. */
const STALE_METADATA = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE']);

export function isStaleMetadata(e: unknown): boolean {
  return someAnswer(e, (x) => STALE_METADATA.has(kafkaType(x) ?? ''));
}

/**
 * The broker refused a topic because the cluster has fewer brokers than its replication factor
 * (createTopics answers one error per topic, inside kafkajs' wrappers).
 */
export function isInvalidReplicationFactor(e: unknown): boolean {
  return someAnswer(e, (x) => kafkaType(x) === 'INVALID_REPLICATION_FACTOR');
}

/**
 * Whether an error in e's cause chain, or among the `errors` of one (kafkajs' createTopics: one per
 * topic; @platformatic/kafka: the answers of one request, an AggregateError), matches.
 */
function someAnswer(e: unknown, match: (x: unknown) => boolean): boolean {
  return causes(e).some((x) => {
    if (match(x)) return true;
    const errors = (x as { errors?: unknown }).errors;
    return Array.isArray(errors) && errors.some((y) => y !== x && someAnswer(y, match));
  });
}

/**
 * e's message, followed by the distinct messages of the answers inside it (its cause chain and the
 * `errors` of an aggregate: @platformatic/kafka's "Producing messages failed." says nothing by
 * itself), at most three, so a status or log names what the broker said.
 */
function withInnerAnswers(e: unknown): string {
  const top = e instanceof Error ? e.message : String(e);
  const inner: string[] = [];
  const visit = (x: unknown, depth: number): void => {
    if (x == null || depth > 6 || inner.length >= 3) return;
    const errors = (x as { errors?: unknown }).errors;
    const cause = (x as { cause?: unknown }).cause;
    const nested = [...(Array.isArray(errors) ? errors : []), ...(cause != null ? [cause] : [])].filter((y) => y !== x);
    if (nested.length === 0) {
      const m = x instanceof Error ? x.message : String(x);
      const type = kafkaType(x);
      const text = type && !m.includes(type) ? `${m} (${type})` : m;
      if (text && text !== top && !inner.includes(text)) inner.push(text);
      return;
    }
    for (const y of nested) visit(y, depth + 1);
  };
  visit(e, 0);
  return inner.length ? `${top} ${inner.map((m) => `[${m}]`).join(' ')}` : top;
}

/** Broker answers about the records themselves: the batch can never be written as it is. */
const RECORD_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP', 'CORRUPT_MESSAGE']);

/**
 * Answers kafkajs marks non-retriable that a later attempt does fix here, because the runtime
 * retries with a new client: broker and controller churn, group membership (our groups have no
 * members), idempotent-producer state (send drops the producer after an error), races.
 */
const TRANSIENT_HERE = new Set([
  'UNKNOWN', 'BROKER_NOT_AVAILABLE', 'STALE_CONTROLLER_EPOCH', 'STALE_BROKER_EPOCH', 'REASSIGNMENT_IN_PROGRESS',
  'OPERATION_NOT_ATTEMPTED', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'MEMBER_ID_REQUIRED',
  'NON_EMPTY_GROUP', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_ID_MAPPING', 'INVALID_TXN_STATE', 'TRANSACTION_COORDINATOR_FENCED',
  // Races with another client: a retry finds the topic there, the group gone.
  'TOPIC_ALREADY_EXISTS', 'GROUP_ID_NOT_FOUND',
]);

/**
 * kafkajs' own errors without a broker answer inside that no retry fixes: failed authentication,
 * a broker too old for a request. Its other final errors (a producer disconnecting under a send, a
 * timeout, its retry loop giving up) are about the moment, and retried here.
 */
const FINAL_CLASSES = new Set(['KafkaJSSASLAuthenticationError', 'KafkaJSServerDoesNotSupportApiKey', 'KafkaJSNotImplemented']);

type KafkaVerdict = { kind: 'retriable' } | { kind: 'record' | 'config'; type: string };

/** What a Kafka failure means for the runtime, decided by the broker's error type where there is one. */
function classify(e: unknown): KafkaVerdict {
  const chain = causes(e);
  // The innermost broker answer decides: kafkajs wraps it in its retry loop's own errors.
  const typed = [...chain].reverse().find((x) => kafkaType(x) !== undefined);
  if (typed !== undefined) {
    const type = kafkaType(typed)!;
    if (RECORD_ERRORS.has(type)) return { kind: 'record', type };
    const t = typed as { retriable?: unknown; canRetry?: unknown };
    if (t.retriable === true || t.canRetry === true || TRANSIENT_HERE.has(type)) return { kind: 'retriable' };
    return { kind: 'config', type };
  }
  // createTopics and friends report one error per topic.
  for (const x of chain) {
    const errors = (x as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const verdicts = errors.map(classify);
      return verdicts.find((v) => v.kind !== 'retriable') ?? { kind: 'retriable' };
    }
  }
  const final = chain.find((x) => x instanceof Error && FINAL_CLASSES.has(x.name));
  return final instanceof Error ? { kind: 'config', type: final.name } : { kind: 'retriable' };
}

/**
 * A Kafka failure as the runtime's error. kafkajs' `retriable` flag on the broker's answer (found
 * inside kafkajs' wrappers) decides, except for the answers above that a new client fixes;
 * without a broker answer, only the final classes above are not retried. Records the broker
 * refuses are a DataError (stage KAFKA_PRODUCE); other answers no retry can fix (invalid topic,
 * authorization, bad topic config) a ConfigError; neither is retried. A programmer error thrown
 * as it is passes through (never retried).
 */
export function kafkaError(what: string, e: unknown): Error {
  if (e instanceof ConnectError) return e;
  if (isProgrammerError(e)) return e as Error;
  const msg = withInnerAnswers(e);
  const v = classify(e);
  if (v.kind === 'record') return new DataError(`Kafka ${what} failed: ${msg} (${v.type}; not retried)`, 'KAFKA_PRODUCE', { cause: e });
  if (v.kind === 'config') return new ConfigError(`Kafka ${what} failed: ${msg} (${v.type}; not retried)`, [], { cause: e });
  return new RetriableError(`Kafka ${what} failed: ${msg}`, { cause: e });
}
