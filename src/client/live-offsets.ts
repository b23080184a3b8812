import type { WorkflowClient } from '@temporalio/client';
import {
  connectorWorkflowId,
  offsetsQuery,
  statusQuery,
  taskStatusQuery,
  taskWorkflowId,
  type ConnectorOffsets,
  type PartitionOffset,
} from '../../workflows/messages.js';
import { partitionKey } from '../../workflows/state.js';

/**
 * A connector's offsets as of now: what its tasks last reported to it, overlaid with what each of
 * its tasks holds. Tasks report to the connector workflow once a minute while records flow (as Kafka
 * Connect flushes offsets every offset.flush.interval.ms, 60 s by default), and on every stop,
 * pause and failure; each task's own workflow answers with its latest committed offsets at once.
 * A task that cannot answer (closed, or its worker busy) leaves the connector's copy in place.
 */
export async function liveOffsets(workflow: WorkflowClient, name: string): Promise<ConnectorOffsets> {
  const handle = workflow.getHandle(connectorWorkflowId(name));
  const [reported, status] = await Promise.all([handle.query(offsetsQuery), handle.query(statusQuery)]);
  const merged = new Map<string, PartitionOffset>(reported.offsets.map((o) => [partitionKey(o.partition), o]));
  const held = await Promise.all(
    status.tasks.map((t) => workflow.getHandle(taskWorkflowId(name, t.id)).query(taskStatusQuery).then((s) => s.offsets, () => [] as PartitionOffset[])),
  );
  for (const offsets of held) for (const o of offsets) merged.set(partitionKey(o.partition), o);
  return { offsets: [...merged.values()] };
}
