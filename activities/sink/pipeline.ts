import type { FetchedMessage, PartitionFetcher, TopicPartition } from '../../src/kafka/fetcher.js';
import { tpKey } from '../../src/kafka/fetcher.js';
import { Wakers, abortableWait, within } from '../../src/wait.js';

/**
 * A sink task's write pipeline, kept running in the worker between batch activities.
 *
 * A batch activity used to fetch, convert and put its whole batch, then return; the next batch
 * started only after the workflow scheduled it, so the external system sat idle at every batch
 * edge (conversion before the first request, the last requests draining, the workflow's turn).
 * Here the pipeline takes chunks from the fetcher, prepares (converts, transforms) one chunk
 * while earlier ones are being written, and runs up to `concurrency` writes at once; batch
 * activities only claim finished chunks in order, dead-letter their failures, commit their
 * offsets and report them. Records still never leave the worker.
 *
 * Bounds: the pipeline writes only while a batch activity runs or for `leaseMs` after one
 * ended (so a paused task stops writing within about a second), and never more than `window`
 * records beyond what batches claimed. Whatever was written but not claimed when a task is
 * closed is read and written again by the next open: at least once, as before.
 */

export interface Prepared<F, W = unknown> {
  /** What the write step needs (records converted and transformed). */
  work: W;
  /** Records that failed before the write (conversion, transforms). */
  failures: F[];
}

export interface WriteOutcome<F> {
  written: number;
  failures: F[];
}

/** A finished chunk, as a batch claims it. The fetched messages themselves are not kept. */
export interface ChunkResult<F> {
  fetched: number;
  written: number;
  failures: F[];
  /** Next offset to read, per partition, after this chunk. */
  next: Map<string, TopicPartition & { offset: number }>;
  topics: Set<string>;
}

export interface PipelineOptions {
  /** Records taken from the fetcher per chunk (one put call). */
  chunkRecords: number;
  /** Writes (put calls) running at once. */
  concurrency: number;
  /** Most records taken but not yet claimed by a batch. */
  window: number;
  /** How long the pipeline keeps going after a batch activity ended. */
  leaseMs: number;
  /** Stop taking new chunks once a chunk had a failed record (errors.tolerance=none: the task is about to fail). */
  stopOnFailure: boolean;
}

interface Chunk<F> {
  fetched: number;
  result: Promise<ChunkResult<F>>;
  settled: { done: boolean };
}

const TAKE_WAIT_MS = 200;

export class SinkPipeline<F, W = unknown> {
  private readonly chunks: Array<Chunk<F>> = [];
  /** Records in chunks not yet claimed. */
  private unclaimed = 0;
  private holders = 0;
  private leaseUntil = 0;
  private running = 0;
  private halted = false;
  private readonly abort = new AbortController();
  /** The loop waiting for a batch to hold it or claim a chunk. */
  private readonly loopWakers = new Wakers();
  /** A batch waiting for a chunk. */
  private readonly claimWakers = new Wakers();
  /** The loop waiting for a write to end. */
  private readonly slotWakers = new Wakers();
  private started = false;

  constructor(
    private readonly fetcher: Pick<PartitionFetcher, 'take' | 'release'>,
    private readonly prepare: (messages: FetchedMessage[]) => Prepared<F, W> | Promise<Prepared<F, W>>,
    private readonly write: (prepared: Prepared<F, W>, signal: AbortSignal) => Promise<WriteOutcome<F>>,
    private readonly opts: PipelineOptions,
  ) {}

  /** A batch activity starts: the pipeline may write. */
  hold(): void {
    this.holders++;
    if (!this.started) {
      this.started = true;
      void this.loop();
    }
    this.poke();
  }

  /** A batch activity ended: the pipeline goes on for leaseMs, then waits for the next one. */
  release(): void {
    this.holders = Math.max(0, this.holders - 1);
    this.leaseUntil = Date.now() + this.opts.leaseMs;
  }

  /** The oldest unclaimed chunk, if any. */
  head(): Chunk<F> | undefined {
    return this.chunks[0];
  }

  /** Removes the head chunk after a batch claimed it. */
  shift(): void {
    const c = this.chunks.shift();
    if (c) this.unclaimed -= c.fetched;
    this.poke();
  }

  /** Waits until a chunk is queued, the time is up or signal aborts (one batch of a task waits at a time). */
  async waitForChunk(ms: number, signal: AbortSignal): Promise<void> {
    if (this.chunks.length || ms <= 0) return;
    await abortableWait({ ms, signal, wakers: this.claimWakers });
  }

  /** Stops writing and waits (up to a bound) for writes in flight to give up. */
  async close(): Promise<void> {
    this.halted = true;
    this.abort.abort(new Error('sink task closed'));
    this.poke();
    const pending = this.chunks.filter((c) => !c.settled.done).map((c) => c.result.catch(() => undefined));
    this.chunks.length = 0;
    this.unclaimed = 0;
    if (pending.length) await within(Promise.all(pending), 30_000);
  }

  private poke(): void {
    this.loopWakers.wakeAll();
    this.slotWakers.wakeAll();
  }

  private mayTake(): boolean {
    return !this.halted && (this.holders > 0 || Date.now() < this.leaseUntil) && this.unclaimed < this.opts.window;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!this.halted) {
      if (!this.mayTake()) {
        // Woken by hold() or shift(); the timer notices a lease running out.
        await abortableWait({ ms: Math.max(10, Math.min(250, this.leaseUntil - Date.now())), wakers: this.loopWakers });
        continue;
      }
      let messages: FetchedMessage[] = [];
      let prepared: Prepared<F, W>;
      try {
        messages = await this.fetcher.take(this.opts.chunkRecords, TAKE_WAIT_MS, signal);
        if (this.halted) return this.fetcher.release(messages);
        if (messages.length === 0) continue;
        prepared = await this.prepare(messages);
      } catch (e) {
        this.fetcher.release(messages);
        // The consumer failed or a bug in conversion: the batch that claims this throws it.
        this.push(0, Promise.reject(e));
        this.halted = true;
        return;
      }
      const stop = this.opts.stopOnFailure && prepared.failures.length > 0;
      if (stop) {
        this.fetcher.release(messages);
        this.halted = true;
        this.push(messages.length, Promise.resolve(summarize(messages, { written: 0, failures: prepared.failures })));
        return;
      }
      while (this.running >= this.opts.concurrency && !this.halted) {
        await abortableWait({ wakers: this.slotWakers });
      }
      if (this.halted) return this.fetcher.release(messages);
      this.running++;
      const settled = { done: false };
      const result = this.write(prepared, signal).then(
        (w) => {
          if (this.opts.stopOnFailure && w.failures.length) this.halted = true;
          return summarize(messages, w);
        },
        (e: unknown) => {
          this.halted = true;
          throw e;
        },
      ).finally(() => {
        this.fetcher.release(messages);
        this.running--;
        settled.done = true;
        this.slotWakers.wakeAll();
      });
      this.push(messages.length, result, settled);
    }
  }

  private push(fetched: number, result: Promise<ChunkResult<F>>, settled = { done: true }): Chunk<F> {
    result.catch(() => undefined);
    const chunk: Chunk<F> = { fetched, result, settled };
    this.chunks.push(chunk);
    this.unclaimed += fetched;
    this.claimWakers.wakeAll();
    return chunk;
  }
}

function summarize<F>(messages: FetchedMessage[], w: WriteOutcome<F>): ChunkResult<F> {
  const next = new Map<string, TopicPartition & { offset: number }>();
  const topics = new Set<string>();
  // Messages come in runs of one partition: look the partition up once a run.
  let current: (TopicPartition & { offset: number }) | undefined;
  for (const m of messages) {
    if (!current || current.partition !== m.partition || current.topic !== m.topic) {
      const k = tpKey(m);
      current = next.get(k);
      if (!current) next.set(k, (current = { topic: m.topic, partition: m.partition, offset: 0 }));
      topics.add(m.topic);
    }
    current.offset = Number(m.message.offset) + 1;
  }
  return { fetched: messages.length, written: w.written, failures: w.failures, next, topics };
}
