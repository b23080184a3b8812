import { randomBytes } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { KafkaPool } from './client.js';
import { kafkaError, retryStaleMetadata } from './client.js';
import { Wakers, abortableWait } from '../wait.js';
import type { PluginLogger } from '../connectors/types.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface FetchedMessage extends TopicPartition {
  message: KafkaMessage;
}

/**
 * Default memory all fetchers of a worker process share for records fetched and not yet
 * written (worker property temporal.sink.buffer.max.bytes). It was 48 MiB: records waiting that
 * long lived through young-generation collections and were copied to the old generation, which
 * the GC then had to mark; with 24 MiB the Elasticsearch sink took a little less CPU per document
 * at a lower peak RSS (bench/README.md, sink-es: median peak 393 vs 405 MiB on a shared machine;
 * 16 MiB took less CPU still). It holds ~16,000 records of 230 bytes: the 10,000 of five bulk
 * requests in flight and the next ones.
 */
export const DEFAULT_BUFFER_BYTES = 24 * 1024 * 1024;
/** The least one fetcher may hold, however many share the budget. */
const MIN_SHARE_BYTES = 8 * 1024 * 1024;
/**
 * What a message costs in memory until it is written: its bytes (the fetch response they sit
 * in, the decoded text, the parsed value) plus the JS objects around them (measured: ~1.5 KB for
 * a 230-byte JSON value between fetch and Elasticsearch's answer).
 */
const messageCost = (m: KafkaMessage): number => 3 * ((m.value?.length ?? 0) + (m.key?.length ?? 0)) + 800;

/**
 * The memory the sink tasks of one worker share: each fetcher may hold an equal part (at least
 * 8 MiB) of records fetched but not yet written, so a worker running many tasks does not hold
 * many times the memory.
 */
export class FetchBudget {
  private readonly members = new Set<object>();

  constructor(readonly totalBytes: number = DEFAULT_BUFFER_BYTES) {}

  join(member: object): void {
    this.members.add(member);
  }

  leave(member: object): void {
    this.members.delete(member);
  }

  /** One fetcher's part of the budget. */
  share(): number {
    return Math.max(MIN_SHARE_BYTES, Math.floor(this.totalBytes / Math.max(1, this.members.size)));
  }
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}:${tp.partition}`;

/**
 * A sink task's reader: reads exactly the partitions its workflow owns, from the offsets the
 * workflow says, and buffers what it fetched until a batch activity drains it.
 *
 * kafkajs has no manual assignment, so the consumer joins a group of its own (one member: it gets
 * every partition of its topics), pauses the ones it does not own and seeks the ones it does.
 * Kafka's group rebalancing never decides who reads what; the connector workflow does.
 */
export class PartitionFetcher {
  private consumer?: Consumer;
  private buffer: FetchedMessage[] = [];
  /** Cost of the messages fetched and not yet released (buffered, or taken and being written). */
  private heldBytes = 0;
  private readonly waiters = new Wakers();
  private failure?: Error;
  private readonly owned: Set<string>;
  private pausedForBackpressure = false;
  /** The partition's end (high watermark) in the latest fetch answer, per partition. */
  private readonly highWatermarks = new Map<string, number>();
  /** Next offset to hand out per partition: guards against re-fetched messages. */
  private readonly next = new Map<string, bigint>();
  /** Messages fetched again below that next offset and dropped (after a seek, or a rejoin kafkajs did not seek). */
  refetched = 0;
  /** The consumer group of this fetcher's consumer (its own: one member). */
  groupId?: string;

  constructor(
    private readonly pool: KafkaPool,
    readonly assignment: TopicPartition[],
    private readonly opts: { clientId: string; budget?: FetchBudget; logger?: PluginLogger },
  ) {
    this.owned = new Set(assignment.map(tpKey));
    this.budget = opts.budget ?? new FetchBudget();
  }

  private readonly budget: FetchBudget;

  /** Starts fetching each owned partition at the given next offset. */
  async start(startOffsets: Map<string, string>): Promise<void> {
    const topics = [...new Set(this.assignment.map((a) => a.topic))];
    this.budget.join(this);
    // One fetch response at most an eighth of this fetcher's part of the budget (0.5 to 8 MiB):
    // a small message costs ~6x its bytes here (messageCost), so one response fills ~3/4 of the part.
    const maxBytes = Math.min(8 * 1024 * 1024, Math.max(512 * 1024, Math.floor(this.budget.share() / 8)));
    this.groupId = `tconnect-fetch-${this.opts.clientId}-${randomBytes(4).toString('hex')}`;
    const consumer = this.pool.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: Math.min(2 * 1024 * 1024, maxBytes),
      maxBytes,
      // Also how long kafkajs sleeps while every partition is paused: short, so a resume is quick.
      maxWaitTimeInMs: 100,
      sessionTimeout: 30000,
      // No restart by kafkajs after a crash: the fetcher fails (CRASH below) and the task is opened
      // again from its committed offsets with a new consumer. kafkajs' restart would join as a new
      // member, waiting for the crashed one's session to lapse (30 s seen after a broker's death),
      // and read every partition from its beginning (this group commits nothing).
      retry: { retries: 3, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      // Before run(): a crash in its first join must fail the fetcher too (kafkajs does not restart it).
      consumer.on(consumer.events.CRASH, (e) => {
        const error = (e.payload as { error?: Error }).error ?? new Error('consumer crashed');
        this.opts.logger?.warn({ clientId: this.opts.clientId, err: error.message, restart: e.payload.restart }, 'sink consumer crashed');
        this.failure = kafkaError('consume', error);
        this.wake();
      });
      const log = this.opts.logger;
      if (log) {
        consumer.on(consumer.events.REBALANCING, () => log.info({ clientId: this.opts.clientId }, 'sink consumer rejoining its group'));
        consumer.on(consumer.events.GROUP_JOIN, (e) => log.info({ clientId: this.opts.clientId, duration: e.payload.duration }, 'sink consumer joined its group'));
        consumer.on(consumer.events.REQUEST_TIMEOUT, (e) => log.warn({ clientId: this.opts.clientId, broker: e.payload.broker, api: e.payload.apiName }, 'sink consumer request timed out'));
      }
      // After every join but the first (kafkajs rejoins when the group's coordinator moved, e.g. back
      // to a broker that restarted, or its session lapsed), kafkajs starts each partition again at
      // its committed offset: this group commits none, so at the partition's beginning. Seek each
      // owned partition back to the next offset to hand out, or the whole partition is read again.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const tp of this.assignment) {
          const at = this.next.get(tpKey(tp));
          if (at !== undefined) consumer.seek({ topic: tp.topic, partition: tp.partition, offset: at.toString() });
        }
      });
      // The broker this new client asks may not know a topic created a moment ago yet.
      await retryStaleMetadata(() => consumer.subscribe({ topics, fromBeginning: true }), 30_000);
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, isRunning, isStale, resolveOffset }) => {
          const key = tpKey(batch);
          if (!this.owned.has(key) || this.consumer !== consumer) return; // closed: nothing more is buffered
          this.highWatermarks.set(key, Number(batch.highWatermark));
          const messages = batch.messages;
          // Nothing below awaits, so neither can change while the loop runs: asked once a batch.
          if (messages.length === 0 || !isRunning() || isStale()) return;
          // Offsets rise within a batch: once one is at or past the next expected, all later ones are.
          let expected = this.next.get(key);
          const { topic, partition } = batch;
          let cost = 0;
          for (const message of messages) {
            if (expected !== undefined) {
              if (BigInt(message.offset) < expected) {
                this.refetched++; // a re-fetch after a seek
                continue;
              }
              expected = undefined;
            }
            this.buffer.push({ topic, partition, message });
            cost += messageCost(message);
          }
          this.heldBytes += cost;
          const last = messages[messages.length - 1].offset;
          if (expected === undefined) this.next.set(key, BigInt(last) + 1n);
          // Resolving moves kafkajs' fetch position on (nothing is committed: autoCommit is off);
          // without it the same batch is fetched again and again. Resolving the last offset
          // resolves the ones before it.
          resolveOffset(last);
          this.wake();
          if (this.heldBytes > this.budget.share()) this.backpressure(true);
        },
      });
      if (this.failure) throw this.failure; // its first join failed
      for (const tp of this.assignment) {
        const offset = startOffsets.get(tpKey(tp));
        if (offset !== undefined) {
          this.next.set(tpKey(tp), BigInt(offset));
          consumer.seek({ topic: tp.topic, partition: tp.partition, offset });
        }
      }
      // Partitions of these topics that another task owns are never read here.
      const others = new Map<string, number[]>();
      const admin = await this.pool.getAdmin();
      const md = await admin.fetchTopicMetadata({ topics });
      for (const t of md.topics) {
        for (const p of t.partitions) {
          if (!this.owned.has(`${t.name}:${p.partitionId}`)) {
            let l = others.get(t.name);
            if (!l) others.set(t.name, (l = []));
            l.push(p.partitionId);
          }
        }
      }
      if (others.size) consumer.pause([...others].map(([topic, partitions]) => ({ topic, partitions })));
    } catch (e) {
      await this.close();
      throw kafkaError('start consumer', e);
    }
  }

  private wake(): void {
    this.waiters.wakeAll();
  }

  private backpressure(on: boolean): void {
    if (!this.consumer || on === this.pausedForBackpressure) return;
    this.pausedForBackpressure = on;
    const byTopic = new Map<string, number[]>();
    for (const tp of this.assignment) {
      let l = byTopic.get(tp.topic);
      if (!l) byTopic.set(tp.topic, (l = []));
      l.push(tp.partition);
    }
    const list = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    if (on) this.consumer.pause(list);
    else this.consumer.resume(list);
  }

  /**
   * Takes up to max buffered messages; waits up to waitMs for the first one. Messages of one
   * partition come out in offset order. They count against the budget until released.
   */
  async take(max: number, waitMs: number, signal?: AbortSignal): Promise<FetchedMessage[]> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0 && waitMs > 0) await abortableWait({ ms: waitMs, signal, wakers: this.waiters });
    if (this.failure) throw this.failure;
    return this.buffer.splice(0, max);
  }

  /** The end of a partition as of the latest fetch, if one answered for it yet. */
  highWatermark(tp: TopicPartition): number | undefined {
    return this.highWatermarks.get(tpKey(tp));
  }

  /** Messages taken earlier are written (or given up): their memory is free again. */
  release(messages: FetchedMessage[]): void {
    for (const m of messages) this.heldBytes -= messageCost(m.message);
    if (this.pausedForBackpressure && this.heldBytes < this.budget.share() / 2) this.backpressure(false);
  }

  async close(): Promise<void> {
    this.budget.leave(this);
    const c = this.consumer;
    this.consumer = undefined;
    this.buffer = [];
    this.heldBytes = 0;
    this.wake();
    if (c) await c.disconnect().catch(() => undefined);
  }
}
