// GET /connectors/{c}/topics and PUT /connectors/{c}/topics/reset.
import type { ConnectClient } from '../client/index.js';
import { connectorWorkflowId, resetTopicsSignal, topicsQuery } from '../../workflows/messages.js';

/** Topics the connector's tasks really produced to or consumed from (after transforms), as Connect tracks them. */
export async function activeTopics(client: ConnectClient, name: string): Promise<string[]> {
  await client.get(name); // 404 unless running
  return client.temporal.workflow.getHandle(connectorWorkflowId(name)).query(topicsQuery);
}

/** Forgets the tracked topics; tasks report them again as they use them. */
export async function resetActiveTopics(client: ConnectClient, name: string): Promise<void> {
  await client.get(name);
  await client.temporal.workflow.getHandle(connectorWorkflowId(name)).signal(resetTopicsSignal);
}
