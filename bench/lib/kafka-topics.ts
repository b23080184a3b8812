// Helpers the sink benchmarks share: loading a topic (not timed) and deleting a connector.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Admin, Kafka, Message } from 'kafkajs';
import type { ConnectClient } from '../../src/client/index.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { sleep } from './common.js';

/**
 * Creates the topic and produces N messages (message(seq) for seq 1..N) round-robin over its
 * partitions: acks=1, `perPartition` messages a partition per sendBatch, 4 requests in flight.
 * Checks that the topic then holds exactly N.
 */
export async function loadTopic(kafka: Kafka, admin: Admin, topic: string, n: number, partitions: number, perPartition: number, message: (seq: number) => Omit<Message, 'partition'>): Promise<{ ms: number; bytes: number }> {
  const t0 = Date.now();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const perRequest = perPartition * partitions;
  let bytes = 0;
  const inflight = new Set<Promise<unknown>>();
  try {
    for (let from = 0; from < n; from += perRequest) {
      const messages: Message[] = [];
      for (let i = from; i < Math.min(n, from + perRequest); i++) {
        const m = message(i + 1);
        bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
        messages.push({ ...m, partition: i % partitions });
      }
      const p = producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] });
      inflight.add(p);
      void p.finally(() => inflight.delete(p)).catch(() => undefined);
      if (inflight.size >= 4) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    await producer.disconnect();
  }
  const offs = await admin.fetchTopicOffsets(topic);
  const total = offs.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  if (total !== n) throw new Error(`produced ${total} messages into ${topic}, expected ${n}`);
  return { ms: Date.now() - t0, bytes };
}

/** SDK delete (cancel and wait); whatever still runs 15 s later is terminated. */
export async function deleteConnector(sdk: ConnectClient, name: string, tasks: number, log: (s: string) => void): Promise<void> {
  await Promise.race([sdk.delete(name).catch(() => undefined), sleep(15_000)]);
  for (const id of [connectorWorkflowId(name), ...Array.from({ length: tasks }, (_, i) => taskWorkflowId(name, i))]) {
    try {
      const h = sdk.temporal.workflow.getHandle(id);
      if ((await h.describe()).status.name === 'RUNNING') await h.terminate('bench cleanup: still running 15 s after delete');
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) log(`    cleanup of ${id}: ${(e as Error).message}`);
    }
  }
}
