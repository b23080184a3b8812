// GET /connectors/{c}/topics and PUT /connectors/{c}/topics/reset.
import { QueryNotRegisteredError } from '@temporalio/client';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ConnectClient } from '../client/index.js';
import { tablesOf } from '../connectors/jdbc-source/tables.js';
import { connectorWorkflowId } from '../../workflows/messages.js';

/**
 * Connect tracks the topics a connector really used (after SMTs). That needs the task workflows to
 * report them; until the connector workflow answers this query, topics are derived from the
 * config. These two definitions belong in workflows/messages.ts once the workflow serves them.
 */
const topicsQuery = defineQuery<string[]>('topics');
const resetTopicsSignal = defineSignal('resetTopics');

const list = (s: string | undefined) => (s ?? '').split(',').map((t) => t.trim()).filter(Boolean);

/**
 * Topics from the config and task plans: a sink's `topics`; a JDBC source's `topic.prefix` plus
 * each planned table (or the prefix alone in query mode). topics.regex and routing SMTs are not
 * reflected.
 */
export function derivedTopics(type: 'source' | 'sink', config: Record<string, string>, taskConfigs: Array<Record<string, string>>): string[] {
  if (type === 'sink') return list(config.topics).sort();
  const prefix = config['topic.prefix'];
  if (prefix === undefined) return [];
  if ((config.query ?? '').trim() !== '') return [prefix];
  const tables = taskConfigs.flatMap((t) => tablesOf(t, null));
  return [...new Set(tables.map((t) => prefix + t.table))].sort();
}

/** Topics the connector used, by the workflow's query when it has one, else derived. */
export async function activeTopics(client: ConnectClient, name: string): Promise<string[]> {
  const info = await client.get(name);
  try {
    return [...(await client.temporal.workflow.getHandle(connectorWorkflowId(name)).query(topicsQuery))].sort();
  } catch (e) {
    if (!(e instanceof QueryNotRegisteredError)) throw e;
  }
  const tasks = await client.tasks(name);
  return derivedTopics(info.type, info.config, tasks.map((t) => t.config));
}

/** Forgets the tracked topics, when the workflow tracks them; derived topics have nothing to reset. */
export async function resetActiveTopics(client: ConnectClient, name: string): Promise<void> {
  await client.get(name);
  const handle = client.temporal.workflow.getHandle(connectorWorkflowId(name));
  try {
    await handle.query(topicsQuery);
  } catch (e) {
    if (e instanceof QueryNotRegisteredError) return;
    throw e;
  }
  await handle.signal(resetTopicsSignal);
}
