import type { Client, WorkflowHandle } from '@temporalio/client';
import type { IHeaders } from 'kafkajs';
import {
  CONNECTOR_WORKFLOW,
  connectorWorkflowId,
  statusQuery,
  taskWorkflowId,
  type ConnectorStatus,
  type PartitionOffset,
  type TaskState,
} from '../../workflows/messages.js';
import { liveOffsets } from '../../src/client/live-offsets.js';
import { kafka } from './clients.js';
import { waitForTopic } from './kafka.js';
import { stackEnv, waitFor } from './stack.js';

/**
 * Connectors started by a test file, on the file's own worker queue; every one is cancelled at
 * the end and waited for (connector and task workflows closed), so nothing keeps running.
 */
export class Connectors {
  private readonly started: string[] = [];

  constructor(private readonly client: Client, private readonly taskQueue: string) {}

  async start(name: string, config: Record<string, string>): Promise<WorkflowHandle> {
    await this.client.workflow.start(CONNECTOR_WORKFLOW, { taskQueue: this.taskQueue, workflowId: connectorWorkflowId(name), args: [{ name, config }] });
    this.started.push(name);
    return this.client.workflow.getHandle(connectorWorkflowId(name));
  }

  status(name: string): Promise<ConnectorStatus> {
    return this.client.workflow.getHandle(connectorWorkflowId(name)).query(statusQuery);
  }

  async offsets(name: string): Promise<PartitionOffset[]> {
    return (await liveOffsets(this.client.workflow, name)).offsets;
  }

  /** Waits until every task (there are `tasks` of them) is in `state`; returns that status. */
  waitForTasks(name: string, state: TaskState, tasks = 1, timeout = 60_000): Promise<ConnectorStatus> {
    return waitFor(async () => {
      const s = await this.status(name);
      return s.tasks.length === tasks && s.tasks.every((t) => t.state === state) ? s : undefined;
    }, { what: `${tasks} task(s) of ${name} ${state}`, timeout });
  }

  /** Cancels the connector (= delete) and waits until it and its task workflows are closed. */
  async cancelAndWait(name: string): Promise<void> {
    const handle = this.client.workflow.getHandle(connectorWorkflowId(name));
    const tasks = await this.status(name).then((s) => s.tasks.map((t) => t.id)).catch(() => [] as number[]);
    await handle.cancel().catch(() => undefined);
    await waitFor(async () => (await handle.describe()).status.name !== 'RUNNING', { what: `connector ${name} closed`, timeout: 60_000 });
    for (const id of tasks) {
      const task = this.client.workflow.getHandle(taskWorkflowId(name, id));
      await waitFor(async () => (await task.describe().catch(() => null))?.status.name !== 'RUNNING', { what: `task ${id} of ${name} closed`, timeout: 60_000 });
    }
    const i = this.started.indexOf(name);
    if (i >= 0) this.started.splice(i, 1);
  }

  async cancelAll(): Promise<void> {
    for (const name of [...this.started].reverse()) await this.cancelAndWait(name).catch(() => undefined);
  }
}

export interface ProducedMessage {
  partition?: number;
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
  /** Epoch milliseconds. */
  timestamp?: number;
}

/** Creates the topic (waiting for leaders) and produces the messages in order. */
export async function produce(topic: string, partitions: number, messages: ProducedMessage[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    // Not waitForLeaders (kafkajs waits by default): on a cluster of several brokers (kafka3) the broker kafkajs asks may not know
    // the new topic yet, and its "does not host this topic-partition" ends kafkajs' leader wait at once.
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false });
  } finally {
    await admin.disconnect();
  }
  await waitForTopic(topic);
  if (messages.length === 0) return;
  const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  try {
    await p.send({
      topic,
      messages: messages.map((m) => ({ ...m, timestamp: m.timestamp === undefined ? undefined : String(m.timestamp) })),
    });
  } finally {
    await p.disconnect();
  }
}

/** The committed offsets of a consumer group, every topic it has any for: "topic:partition" → offset. */
export async function groupOffsets(groupId: string): Promise<Record<string, number>> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of await admin.fetchOffsets({ groupId })) {
      for (const p of t.partitions) if (Number(p.offset) >= 0) out[`${t.topic}:${p.partition}`] = Number(p.offset);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics and consumer groups, ignoring ones that do not exist. */
export async function deleteKafkaResources(topics: string[], groups: string[] = []): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length) await admin.deleteTopics({ topics: doomed }).catch(() => undefined);
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Sink offsets (connector offsets query) as "topic:partition" → next offset. */
export function sinkOffsetMap(offsets: PartitionOffset[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of offsets) {
    const p = o.partition as { kafka_topic: string; kafka_partition: number };
    out[`${p.kafka_topic}:${p.kafka_partition}`] = (o.offset as { kafka_offset: number }).kafka_offset;
  }
  return out;
}

/** The connection keys of a JDBC source or sink on the stack's MariaDB; `password` may be a `${env:…}` reference. */
export function jdbcConnection(password = stackEnv().MYSQL_PASSWORD): Record<string, string> {
  const env = stackEnv();
  return {
    'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
    'connection.user': env.MYSQL_USER,
    'connection.password': password,
  };
}

/** A JDBC source's keys for `table` on the stack's MariaDB, incrementing on id; `password` may be a `${env:…}` reference. */
export function jdbcIncrementing(table: string, password = stackEnv().MYSQL_PASSWORD): Record<string, string> {
  return {
    ...jdbcConnection(password),
    mode: 'incrementing',
    'incrementing.column.name': 'id',
    'table.whitelist': table,
  };
}

/** An Elasticsearch sink of schemaless JSON values from `topic` on the stack's Elasticsearch (index = topic); no secret in it. */
export function esJsonSink(topic: string): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    'connection.url': stackEnv().ELASTICSEARCH_URL,
    topics: topic,
    'key.ignore': 'true',
    'schema.ignore': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
}
