import type { PartitionOffset } from '../../workflows/messages.js';
import { JsonNumber, parseJson, type JsonNode } from '../converters/json-tree.js';
import type { KafkaPool } from './client.js';
import { readTopicToEnd } from './read-to-end.js';

/**
 * Reads one connector's source offsets back from a Connect-format offsets topic, as Kafka
 * Connect's KafkaBasedLog does for an exactly-once task: read_committed, to the end the topic had
 * when the read began, the last value of each key winning (a tombstone removes it). Offsets of
 * aborted transactions (a fenced zombie's) are never seen.
 */
export async function readCommittedSourceOffsets(
  pool: KafkaPool,
  topic: string,
  connector: string,
  opts: { timeoutMs?: number } = {},
): Promise<PartitionOffset[]> {
  // By the key's bytes, as Connect's offset store keys them.
  const out = new Map<string, PartitionOffset>();
  await readTopicToEnd(pool.kafka, topic, (_p, m) => {
    if (!m.key) return;
    const key = m.key.toString('utf8');
    const parsed = parseOffsetsKey(key);
    if (!parsed || parsed.connector !== connector) return;
    if (m.value === null || m.value.length === 0) out.delete(key);
    else out.set(key, { partition: parsed.partition, offset: toPlain(parseJson(m.value.toString('utf8'))) as Record<string, unknown> | null });
  }, { timeoutMs: opts.timeoutMs, what: `read the offsets of ${connector} from ${topic} (read_committed)` });
  return [...out.values()];
}

/** `["<connector>",{partition}]`, or undefined for a key of another shape. */
function parseOffsetsKey(text: string): { connector: string; partition: Record<string, unknown> } | undefined {
  try {
    const node = parseJson(text);
    if (!Array.isArray(node) || node.length !== 2 || typeof node[0] !== 'string' || !(node[1] instanceof Map)) return undefined;
    return { connector: node[0], partition: toPlain(node[1]) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** A JSON tree as plain values; integers beyond 2^53 as bigint, as the source plugins read them. */
function toPlain(node: JsonNode | undefined): unknown {
  if (node === undefined || node === null) return null;
  if (node instanceof JsonNumber) {
    if (!node.integral) return Number(node.text);
    const n = Number(node.text);
    return Number.isSafeInteger(n) ? n : BigInt(node.text);
  }
  if (Array.isArray(node)) return node.map(toPlain);
  if (node instanceof Map) return Object.fromEntries([...node].map(([k, v]) => [k, toPlain(v)]));
  return node;
}
