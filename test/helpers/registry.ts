import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { Connectors } from './connectors.js';
import type { WorkerFixture } from './fixture.js';
import { readRawTopic } from './kafka.js';
import { stackSetting } from './stack.js';

/**
 * The stack's Schema Registry (scripts/stack/services/registry.sh) over its Confluent-compatible
 * HTTP API, used directly (plain fetch), independent of the converters under test.
 */

let url: string | undefined;

/** SCHEMA_REGISTRY_URL from the environment or `stack.sh env`; throws when the registry does not answer. */
export async function registryUrl(): Promise<string> {
  if (!url) {
    url = stackSetting('SCHEMA_REGISTRY_URL');
  }
  const answer = url ? await fetch(`${url}/subjects`).catch((e: Error) => e) : undefined;
  if (!url || !(answer instanceof Response) || !answer.ok) {
    throw new Error(`The Schema Registry does not answer at ${url ?? '(SCHEMA_REGISTRY_URL unset)'}: start it with 'npm run stack -- up registry' (npm test starts it)`);
  }
  return url;
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function registryCall<T>(method: string, p: string, body?: unknown): Promise<T> {
  const base = await registryUrl();
  const res = await fetch(base + p, { method, headers: { 'Content-Type': JSON_TYPE }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Sets a subject's compatibility level (the registry's own default may be none). */
export function setCompatibility(subject: string, level: 'BACKWARD' | 'NONE' | 'FULL'): Promise<unknown> {
  return registryCall('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
}

export async function schemaById(id: number): Promise<{ schema: string; schemaType?: string }> {
  return registryCall('GET', `/schemas/ids/${id}`);
}

export async function subjectVersions(subject: string): Promise<number[]> {
  return registryCall('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
}

/** Raw messages of a topic from the beginning until `count` arrived. */
export async function readRaw(topic: string, count: number, timeoutMs = 60_000): Promise<KafkaMessage[]> {
  return (await readRawTopic(topic, count, timeoutMs)).map((m) => m.message);
}

/**
 * For a describe block of connectors using the registry (call it after useWorker): the registry's
 * URL and a Connectors of the file's worker, set in beforeAll; at the end every connector is
 * cancelled and the tables listed in `tables` are dropped.
 */
export function useRegistryConnectors(fx: WorkerFixture): { connectors: Connectors; url: string; tables: string[] } {
  const ctx = { tables: [] as string[] } as { connectors: Connectors; url: string; tables: string[] };
  beforeAll(async () => {
    ctx.url = await registryUrl();
    ctx.connectors = new Connectors(fx.client, fx.worker.taskQueue);
  });
  afterAll(async () => {
    await ctx.connectors?.cancelAll();
    for (const t of ctx.tables) await fx.db.query(`DROP TABLE IF EXISTS \`${t}\``);
  });
  return ctx;
}
