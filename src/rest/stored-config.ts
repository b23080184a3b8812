// The config a connector runs with, as stored (secrets as ${enc:…}/${env:…} references), for PATCH.
import type { ConnectClient } from '../client/index.js';
import { connectorWorkflowId, storedConfigQuery } from '../../workflows/messages.js';

/** PATCH merges into this. Never put it in an answer: encrypted secrets are still secrets. */
export async function storedConfig(client: ConnectClient, name: string): Promise<Record<string, string>> {
  await client.config(name); // 404 unless running
  return client.temporal.workflow.getHandle(connectorWorkflowId(name)).query(storedConfigQuery);
}
