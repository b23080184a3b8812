// Replays a recorded workflow history against the current workflow code: a determinism error
// here is what a deployed worker would hit on the same history.
import { fileURLToPath } from 'node:url';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface LoadedHistory {
  history: History;
  events: number;
  /** The same history as JSON, in the format `temporal workflow show -o json` writes. */
  json: string;
}

/**
 * Accepts a history as the server returns it (protobuf objects) or as JSON
 * (`temporal workflow show -o json`, the UI's download, historyToJSON).
 */
export function loadHistory(input: unknown): LoadedHistory {
  const events = (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.length === 0) {
    throw new Error('not a workflow history: expected an object with a non-empty "events" array');
  }
  // JSON histories carry eventId as a string; protobuf ones as a Long.
  const fromJson = typeof (events[0] as { eventId?: unknown }).eventId === 'string';
  const history = fromJson ? historyFromJSON(input) : (input as History);
  return { history, events: events.length, json: historyToJSON(history) };
}

export async function replay(history: History, workflowId: string): Promise<{ ok: true } | { ok: false; error: Error }> {
  // Loaded here: the worker package starts Temporal's native runtime, which only replay needs.
  const { DefaultLogger, Runtime, Worker } = await import('@temporalio/worker');
  // Bundling and replay log at INFO; only warnings matter to someone asking "does it replay?".
  Runtime.install({ logger: new DefaultLogger('WARN') });
  try {
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
