// The config a connector runs with, as stored (secrets as ${enc:…}/${env:…} references), for PATCH.
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { ConnectClient } from '../client/index.js';
import type { ValidatedConnector } from '../../activities/control.js';
import type { ConnectorInput } from '../../workflows/connector.js';
import { connectorWorkflowId, type RawConfig } from '../../workflows/messages.js';

const flat = (raw: RawConfig): Record<string, string> =>
  Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));

/**
 * PATCH merges into the stored config, but the config query answers masked values. The stored one
 * is the latest validateConnector result in the current run's history (else the run's input).
 * Never put it in an answer: encrypted secrets are still secrets. A query on the connector
 * workflow returning its unmasked (reference-only) config would replace this history scan.
 */
export async function storedConfig(client: ConnectClient, name: string): Promise<Record<string, string>> {
  await client.config(name); // 404 unless running
  const history = await client.temporal.workflow.getHandle(connectorWorkflowId(name)).fetchHistory();
  const converter = client.temporal.options.loadedDataConverter;
  const activityTypes = new Map<string, string>();
  let config: Record<string, string> | undefined;
  for (const ev of history.events ?? []) {
    const started = ev.workflowExecutionStartedEventAttributes;
    const scheduled = ev.activityTaskScheduledEventAttributes;
    const completed = ev.activityTaskCompletedEventAttributes;
    if (started) {
      const input = await decodeFromPayloadsAtIndex<ConnectorInput>(converter, 0, started.input?.payloads);
      config = input.carried?.validated.config ?? flat(input.config);
    } else if (scheduled) {
      activityTypes.set(String(ev.eventId), scheduled.activityType?.name ?? '');
    } else if (completed && activityTypes.get(String(completed.scheduledEventId)) === 'validateConnector') {
      config = (await decodeFromPayloadsAtIndex<ValidatedConnector>(converter, 0, completed.result?.payloads)).config;
    }
  }
  if (!config) throw new Error(`The history of connector ${name} holds no config`);
  return config;
}
