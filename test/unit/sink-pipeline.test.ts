import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { SinkPipeline, type ChunkResult, type PipelineOptions, type Prepared, type WriteOutcome } from '../../activities/sink/pipeline.js';
import { PartitionFetcher, type FetchedMessage } from '../../src/kafka/fetcher.js';
import type { KafkaPool } from '../../src/kafka/client.js';

// Pure logic of the sink write pipeline, with an in-memory fetcher and write step.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(partition: number, offset: number): FetchedMessage {
  return { topic: 't', partition, message: { offset: String(offset), value: Buffer.from(`v${offset}`), key: null, timestamp: '0', attributes: 0, headers: {} } as unknown as KafkaMessage };
}

/** A fetcher holding `n` messages of partition 0, handing them out in order. */
function fakeFetcher(n: number) {
  const queue = Array.from({ length: n }, (_, i) => message(0, i));
  let taken = 0;
  let held = 0;
  return {
    taken: () => taken,
    /** Taken and not released yet. */
    held: () => held,
    release: (m: FetchedMessage[]) => void (held -= m.length),
    add: (m: FetchedMessage[]) => queue.push(...m),
    async take(max: number, waitMs: number): Promise<FetchedMessage[]> {
      if (queue.length === 0) await sleep(Math.min(waitMs, 5));
      const out = queue.splice(0, max);
      taken += out.length;
      held += out.length;
      return out;
    },
  };
}

type F = { offset: number };

const OPTS: PipelineOptions = { chunkRecords: 10, concurrency: 3, window: 1000, leaseMs: 50, stopOnFailure: false };

function pipeline(fetcher: ReturnType<typeof fakeFetcher>, write: (p: Prepared<F>, s: AbortSignal) => Promise<WriteOutcome<F>>, opts: Partial<PipelineOptions> = {}, bad = new Set<number>()) {
  const prepare = (ms: FetchedMessage[]): Prepared<F> => ({
    work: ms.filter((m) => !bad.has(Number(m.message.offset))),
    failures: ms.filter((m) => bad.has(Number(m.message.offset))).map((m) => ({ offset: Number(m.message.offset) })),
  });
  return new SinkPipeline<F>(fetcher, prepare, write, { ...OPTS, ...opts });
}

/** Claims finished chunks in order until `records` were claimed. */
async function claim(p: SinkPipeline<F>, records: number): Promise<ChunkResult<F>[]> {
  const out: ChunkResult<F>[] = [];
  let n = 0;
  const never = new AbortController().signal;
  while (n < records) {
    const head = p.head();
    if (!head) {
      await p.waitForChunk(100, never);
      continue;
    }
    const r = await head.result;
    p.shift();
    out.push(r);
    n += r.fetched;
  }
  return out;
}

describe('sink write pipeline', () => {
  it('runs up to `concurrency` writes at once and hands chunks out in fetch order, whatever order writes finish in', async () => {
    const fetcher = fakeFetcher(100);
    let running = 0;
    let maxRunning = 0;
    const finished: number[] = [];
    const p = pipeline(fetcher, async (prep) => {
      const first = Number((prep.work as FetchedMessage[])[0]!.message.offset);
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Later chunks finish first.
      await sleep(first % 20 === 0 ? 30 : 2);
      running--;
      finished.push(first);
      return { written: (prep.work as FetchedMessage[]).length, failures: [] };
    });
    p.hold();
    const chunks = await claim(p, 100);
    p.release();
    await p.close();
    expect(maxRunning).toBe(3);
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b));
    expect(chunks.map((c) => c.next.get('t:0')!.offset)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(chunks.reduce((n, c) => n + c.written, 0)).toBe(100);
    // Every message was given back to the fetcher's memory budget once written.
    expect(fetcher.held()).toBe(0);
  });

  it('takes no more than `window` records beyond what was claimed', async () => {
    const fetcher = fakeFetcher(200);
    const p = pipeline(fetcher, async (prep) => ({ written: (prep.work as FetchedMessage[]).length, failures: [] }), { window: 30 });
    p.hold();
    await sleep(100);
    expect(fetcher.taken()).toBe(30);
    await claim(p, 10);
    await sleep(50);
    expect(fetcher.taken()).toBe(40);
    await p.close();
  });

  it('stops taking once the lease after the last batch ran out, and goes on at the next hold', async () => {
    const fetcher = fakeFetcher(0);
    const p = pipeline(fetcher, async (prep) => ({ written: (prep.work as FetchedMessage[]).length, failures: [] }), { leaseMs: 30 });
    p.hold();
    p.release();
    await sleep(120);
    fetcher.add([message(0, 0), message(0, 1)]);
    await sleep(100);
    expect(fetcher.taken()).toBe(0);
    p.hold();
    const [c] = await claim(p, 2);
    expect(c!.next.get('t:0')!.offset).toBe(2);
    await p.close();
  });

  it('with stopOnFailure, stops taking after a chunk with a failed record and hands that chunk out unwritten', async () => {
    const fetcher = fakeFetcher(100);
    let writes = 0;
    const p = pipeline(fetcher, async (prep) => { writes++; return { written: (prep.work as FetchedMessage[]).length, failures: [] }; }, { stopOnFailure: true }, new Set([25]));
    p.hold();
    const chunks = await claim(p, 30);
    await sleep(50);
    expect(chunks.map((c) => c.failures.map((f) => f.offset))).toEqual([[], [], [25]]);
    expect(chunks[2]!.written).toBe(0);
    expect(writes).toBe(2);
    expect(fetcher.taken()).toBe(30);
    expect(fetcher.held()).toBe(0);
    expect(p.head()).toBeUndefined();
    await p.close();
  });

  it('hands a failed write out in its place and stops; close aborts writes in flight', async () => {
    const fetcher = fakeFetcher(100);
    const aborted: number[] = [];
    const p = pipeline(fetcher, (prep, signal) => {
      const first = Number((prep.work as FetchedMessage[])[0]!.message.offset);
      if (first === 10) return sleep(5).then(() => Promise.reject(new Error('server down')));
      if (first === 0) return sleep(10).then(() => ({ written: 10, failures: [] }));
      return new Promise((_, reject) => signal.addEventListener('abort', () => { aborted.push(first); reject(signal.reason); }, { once: true }));
    });
    p.hold();
    const first = await claim(p, 10);
    expect(first[0]!.written).toBe(10);
    await expect(p.head()!.result).rejects.toThrow('server down');
    await p.close();
    // 0, 10 and 20 were running; 30 was prepared and waiting for a slot when 10 failed.
    expect(aborted).toEqual([20]);
    expect(fetcher.taken()).toBe(40);
    expect(fetcher.held()).toBe(0);
  });

  it('waiting while idle leaves no listeners or waiters behind (an idle task waits many times a second)', async () => {
    const ac = new AbortController();
    // Never started: take() only waits on its empty buffer.
    const fetcher = new PartitionFetcher({} as KafkaPool, [], { clientId: 'idle' });
    for (let i = 0; i < 20; i++) expect(await fetcher.take(10, 1, ac.signal)).toEqual([]);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect((fetcher as unknown as { waiters: { size: number } }).waiters.size).toBe(0);

    const p = pipeline(fakeFetcher(0), async () => ({ written: 0, failures: [] }));
    for (let i = 0; i < 20; i++) await p.waitForChunk(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await p.close();
  });
});
