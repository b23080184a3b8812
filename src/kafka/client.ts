import { Kafka, logLevel, type Admin, type Producer, type Message, CompressionTypes } from 'kafkajs';
import { RetriableError } from '../errors.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KafkaSettings {
  brokers: string[];
  clientId?: string;
}

/**
 * One Kafka connection per worker process: a shared admin client and producers kept warm by key
 * (Connect gives each task its own producer: connector-producer-<c>-<t>).
 * kafkajs' own retries are kept low so they do not multiply with Temporal's.
 */
export class KafkaPool {
  readonly kafka: Kafka;
  private admin?: Promise<Admin>;
  private readonly producers = new Map<string, Promise<Producer>>();
  private readonly knownTopics = new Set<string>();
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
  }

  async getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const a = this.kafka.admin();
      await a.connect();
      return a;
    })().catch((e) => {
      this.admin = undefined;
      throw kafkaError('connect admin client', e);
    });
    return this.admin;
  }

  /** An idempotent acks=all producer, created once per key and kept. */
  async producer(key: string, opts: { transactionalId?: string } = {}): Promise<Producer> {
    let p = this.producers.get(key);
    if (!p) {
      p = (async () => {
        const prod = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: true,
          transactionalId: opts.transactionalId,
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
    if (p) await p.then((x) => x.disconnect()).catch(() => undefined);
  }

  /**
   * Sends messages with acks=all, in order; resolves once Kafka acknowledged all of them.
   * Requests are cut at about maxRequestBytes: kafkajs puts a partition's messages in one record
   * batch, and a broker refuses batches over message.max.bytes (1 MiB by default).
   */
  async send(key: string, records: Array<{ topic: string; message: Message }>, maxRequestBytes = 512 * 1024): Promise<void> {
    const prod = await this.producer(key);
    let start = 0;
    while (start < records.length) {
      let bytes = 0;
      let end = start;
      while (end < records.length && (end === start || bytes + messageSize(records[end].message) <= maxRequestBytes)) {
        bytes += messageSize(records[end].message);
        end++;
      }
      const byTopic = new Map<string, Message[]>();
      for (let i = start; i < end; i++) {
        const r = records[i];
        let list = byTopic.get(r.topic);
        if (!list) byTopic.set(r.topic, (list = []));
        list.push(r.message);
      }
      try {
        await prod.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      } catch (e) {
        await this.dropProducer(key);
        throw kafkaError('produce', e);
      }
      start = end;
    }
  }

  /** Creates topics that do not exist yet (Connect's topic.creation), remembering the ones seen. */
  async ensureTopics(
    topics: string[],
    opts: { partitions?: number; replicationFactor?: number; configs?: Record<string, string> } = {},
  ): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    const admin = await this.getAdmin();
    try {
      const existing = new Set(await admin.listTopics());
      const create = missing.filter((t) => !existing.has(t));
      if (create.length) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: create.map((topic) => ({
            topic,
            numPartitions: opts.partitions ?? -1,
            replicationFactor: opts.replicationFactor ?? -1,
            configEntries: Object.entries(opts.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      }
    } catch (e) {
      if (!(e instanceof Error && /already exists/i.test(e.message))) throw kafkaError('create topics', e);
    }
    for (const t of missing) this.knownTopics.add(t);
  }

  async close(): Promise<void> {
    await this.onClose?.().catch(() => undefined);
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(all.map((p) => p.then((x) => x.disconnect()).catch(() => undefined)));
    if (this.admin) await this.admin.then((a) => a.disconnect()).catch(() => undefined);
    this.admin = undefined;
  }
}

function messageSize(m: Message): number {
  const len = (v: unknown) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : (v as Buffer).length);
  let n = 70 + len(m.key) + len(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + (Array.isArray(v) ? v.reduce((a: number, x) => a + len(x), 0) : len(v));
  return n;
}

/** kafkajs errors carry `retriable`; broker trouble is retriable for us too. */
export function kafkaError(what: string, e: unknown): Error {
  if (e instanceof RetriableError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new RetriableError(`Kafka ${what} failed: ${msg}`, { cause: e });
}
