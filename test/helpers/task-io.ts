import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord } from '../../src/records/record.js';
import { Struct } from '../../src/records/schema.js';
import type { SourceTask } from '../../src/connectors/types.js';

// What the runtime hands a task and keeps for it, for tests that call a connector's task directly.

/** Source offsets as the runtime keeps them: the last record's offset per partition. */
export class Offsets {
  private m = new Map<string, SourceOffset>();
  record(records: SourceRecord[]) {
    for (const r of records) this.m.set(JSON.stringify(r.sourcePartition), r.sourceOffset);
  }
  /** The last recorded offset of a partition. */
  last(p: SourcePartition): SourceOffset | undefined {
    return this.m.get(JSON.stringify(p));
  }
  offsetFor = (p: SourcePartition) => this.m.get(JSON.stringify(p)) ?? null;
}

/** Polls until a poll returns nothing (every due table read to its end). */
export async function drain(task: SourceTask, signal: AbortSignal, max = 1000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (;;) {
    const batch = await task.poll(max, signal);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

let nextOffset = 0;

/** A sink record of a topic at partition 0 and the next offset (overridable), as the runtime builds it. */
export function sinkRecord(topicName: string, value: unknown, o: Partial<SinkRecord> = {}): SinkRecord {
  const off = nextOffset++;
  return {
    topic: topicName, kafkaPartition: 0, kafkaOffset: off, key: null, keySchema: null,
    value, valueSchema: value instanceof Struct ? value.schema : null, headers: [], timestamp: Date.now(),
    originalTopic: topicName, originalKafkaPartition: 0, originalKafkaOffset: off, ...o,
  };
}
