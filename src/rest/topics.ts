// GET /connectors/{c}/topics and PUT /connectors/{c}/topics/reset.
import { ConnectorNotFoundError, type ConnectClient } from '../client/index.js';
import { connectorWorkflowId, resetTopicsSignal, topicsQuery } from '../../workflows/messages.js';

/** Whether the connector exists; Connect 3.9 answers topics requests for any name, known or not. */
async function exists(client: ConnectClient, name: string): Promise<boolean> {
  try {
    await client.get(name);
    return true;
  } catch (e) {
    if (e instanceof ConnectorNotFoundError) return false;
    throw e;
  }
}

/** Topics the connector's tasks really produced to or consumed from (after transforms), as Connect tracks them; none for an unknown name. */
export async function activeTopics(client: ConnectClient, name: string): Promise<string[]> {
  if (!(await exists(client, name))) return [];
  return client.temporal.workflow.getHandle(connectorWorkflowId(name)).query(topicsQuery);
}

/** Forgets the tracked topics; tasks report them again as they use them. Nothing to forget for an unknown name. */
export async function resetActiveTopics(client: ConnectClient, name: string): Promise<void> {
  if (!(await exists(client, name))) return;
  await client.temporal.workflow.getHandle(connectorWorkflowId(name)).signal(resetTopicsSignal);
}
