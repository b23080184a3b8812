import type { Kafka, KafkaMessage } from 'kafkajs';
import { kafka } from './clients.js';
import { uniqueName, waitFor } from './stack.js';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: string;
}

function toRead(partition: number, m: KafkaMessage): ReadMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return { partition, offset: m.offset, key: m.key ? m.key.toString() : null, value: m.value ? m.value.toString() : null, headers, timestamp: m.timestamp };
}

/** Reads a topic from the beginning until `count` messages arrived (or throws after the timeout). */
export async function readTopic(topic: string, count: number, timeoutMs = 60_000): Promise<ReadMessage[]> {
  return (await readRawTopic(topic, count, timeoutMs)).map(({ partition, message }) => toRead(partition, message));
}

/** readTopic's messages as Kafka gave them (bytes kept). */
export async function readRawTopic(topic: string, count: number, timeoutMs = 60_000): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  await waitForTopic(topic, timeoutMs);
  const consumer = kafka().consumer({ groupId: uniqueName('reader'), allowAutoTopicCreation: true });
  await consumer.connect();
  const got: Array<{ partition: number; message: KafkaMessage }> = [];
  try {
    // On several brokers, the one this new consumer asks may not know the topic yet (waitForTopic saw it on another).
    await waitFor(async () => (await consumer.subscribe({ topic, fromBeginning: true }), true), { timeout: timeoutMs, what: `subscribe to ${topic}` });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`read ${got.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({ partition, message });
          if (got.length >= count) { clearTimeout(t); resolve(); }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** Sends each value as JSON to `partition` (else the partitioner's pick), idempotent: a retried request must not write twice. */
export async function sendJson(topic: string, values: unknown[], partition?: number): Promise<void> {
  const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  await p.send({ topic, messages: values.map((v) => ({ partition, value: JSON.stringify(v) })) });
  await p.disconnect();
}

/** Waits until the topic exists with leaders (the connector creates it on its first batch). */
export async function waitForTopic(topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await waitFor(async () => (await admin.listTopics()).includes(topic), { timeout: timeoutMs, what: `topic ${topic}` });
    await waitFor(async () => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      return md.topics[0].partitions.every((p) => p.leader >= 0);
    }, { timeout: timeoutMs, what: `leaders of ${topic}` });
  } finally {
    await admin.disconnect();
  }
}

/** The number of messages in a topic (sum of high watermarks minus low). */
export async function topicSize(topic: string): Promise<number> {
  return topicSizeOn(kafka(), topic);
}

/** topicSize on another cluster's client (transaction markers and aborted records count too). */
export async function topicSizeOn(client: Kafka, topic: string): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until a topic holds `total` distinct ids (id read from each JSON value by `idOf`), reading
 * everything in it: at-least-once delivery may have written some records twice.
 */
export async function distinctIds(topic: string, total: number, idOf: (value: string) => number, timeoutMs = 180_000): Promise<Set<number>> {
  return waitFor(async () => {
    const size = await topicSize(topic);
    if (size < total) return undefined;
    const msgs = await readTopic(topic, size, timeoutMs);
    const ids = new Set(msgs.map((m) => idOf(m.value!)));
    return ids.size === total ? ids : undefined;
  }, { what: `${total} distinct ids in ${topic}`, timeout: timeoutMs, interval: 2000 });
}
