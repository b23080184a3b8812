// Pure helpers of the workflows: deterministic, no I/O, unit-testable without Temporal.
import type { ApplicationFailure } from '@temporalio/workflow';
import type { ConnectorState, ConnectorStatus, PartitionOffset, TaskState } from './messages.js';

/** A source partition's identity regardless of key order. */
export function partitionKey(p: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

/** Kafka Connect's retry backoff: 300 ms doubling, capped at errors.retry.delay.max.ms. */
export function backoffMs(attempt: number, maxMs: number): number {
  const cap = Number.isFinite(maxMs) && maxMs > 0 ? maxMs : 60000;
  return Math.min(cap, 300 * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
}

/** The `trace` Kafka Connect shows for a failure: the error's class, message and stack. */
export function failureTrace(f: ApplicationFailure): string {
  const d = (f.details?.[0] ?? {}) as { className?: string; stack?: string };
  const head = `${d.className ?? f.type ?? 'Error'}: ${f.message}`;
  if (d.stack) return d.stack.startsWith(head) ? d.stack : `${head}\n${d.stack}`;
  return head;
}

export interface TaskEntry {
  id: number;
  state: TaskState | 'STOPPED';
  workerId: string;
  trace?: string;
  config: Record<string, string>;
}

export function statusOf(
  name: string,
  state: ConnectorState,
  type: 'source' | 'sink',
  workerId: string,
  tasks: TaskEntry[],
  trace?: string,
): ConnectorStatus {
  return {
    name,
    connector: { state, worker_id: workerId, ...(trace ? { trace } : {}) },
    tasks: tasks
      .filter((t) => t.state !== 'STOPPED')
      .map((t) => ({ id: t.id, state: t.state as TaskState, worker_id: t.workerId, ...(t.trace ? { trace: t.trace } : {}) })),
    type,
  };
}

/** Applies an alterOffsets body: a null offset removes the partition. */
export function mergeOffsets(current: Map<string, PartitionOffset>, changes: PartitionOffset[]): Map<string, PartitionOffset> {
  const next = new Map(current);
  for (const c of changes) {
    const k = partitionKey(c.partition);
    if (c.offset === null) next.delete(k);
    else next.set(k, c);
  }
  return next;
}

/** Checks an offsets body's shape; returns a message for the first problem. */
export function offsetsBodyProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { offsets?: unknown }).offsets)) {
    return 'The request body must be an object with an "offsets" array';
  }
  for (const [i, o] of ((body as { offsets: unknown[] }).offsets).entries()) {
    const e = o as { partition?: unknown; offset?: unknown };
    if (!e || typeof e.partition !== 'object' || e.partition === null || Array.isArray(e.partition)) return `offsets[${i}].partition must be an object`;
    if (e.offset !== null && (typeof e.offset !== 'object' || Array.isArray(e.offset))) return `offsets[${i}].offset must be an object or null`;
  }
  return undefined;
}
