// Replays a recorded workflow history against the current workflow code: a determinism error
// here is what a deployed worker would hit on the same history.
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';

import { WORKFLOWS_PATH } from '../worker/workflows-path.js';

export { WORKFLOWS_PATH };

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
  toJson(type: unknown, message: unknown): unknown;
}

let codec: { historyType: unknown; protojson: ProtoJson } | undefined;

/**
 * protobufjs's proto3-JSON codec from the very copy @temporalio/proto loads. The SDK's own
 * historyFromJSON/historyToJSON fail with "type must be a Type" whenever npm installs separate
 * protobufjs copies for @temporalio/common and @temporalio/proto (it did before protobufjs 8 became
 * a direct dependency of ours), because the codec checks `instanceof Type` across copies; taking
 * the codec from proto's own copy works either way.
 */
function historyCodec(): NonNullable<typeof codec> {
  if (codec) return codec;
  const fromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
  const proto = fromProto('@temporalio/proto');
  const { patchProtobufRoot } = fromProto('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot(r: unknown): { lookupType(n: string): unknown } };
  codec = {
    historyType: patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History'),
    protojson: fromProto('protobufjs/ext/protojson') as ProtoJson,
  };
  return codec;
}

/** Older exports (tctl, the web UI) spell event types in PascalCase: WorkflowExecutionStarted. */
function eventTypeName(t: unknown): unknown {
  if (typeof t !== 'string' || t.startsWith('EVENT_TYPE_')) return t;
  return `EVENT_TYPE_${t.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toUpperCase()}`;
}

export interface LoadedHistory {
  history: History;
  events: number;
}

/**
 * Accepts a history as the server returns it (protobuf objects) or as JSON
 * (`temporal workflow show -o json`, the UI's download, `tconnect replay --save`).
 */
export function loadHistory(input: unknown): LoadedHistory {
  const events = (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.length === 0) {
    throw new Error('not a workflow history: expected an object with a non-empty "events" array');
  }
  // JSON histories carry eventId as a string; protobuf ones as a Long.
  if (typeof (events[0] as { eventId?: unknown }).eventId !== 'string') return { history: input as History, events: events.length };
  const { historyType, protojson } = historyCodec();
  const json = { events: events.map((e: Record<string, unknown>) => ({ ...e, eventType: eventTypeName(e.eventType) })) };
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new Error('not a workflow history');
  return { history, events: events.length };
}

/** The history as JSON, in the format `temporal workflow show -o json` writes. */
export function historyJson(history: History): string {
  const { historyType, protojson } = historyCodec();
  return JSON.stringify(protojson.toJson(historyType, history), null, 2);
}

export async function replay(history: History, workflowId: string): Promise<{ ok: true } | { ok: false; error: Error }> {
  // Loaded here: the worker package starts Temporal's native runtime, which only replay needs.
  const { DefaultLogger, Runtime, Worker, makeTelemetryFilterString } = await import('@temporalio/worker');
  try {
    // Bundling logs at INFO and the native core warns about the failing task; the answer printed
    // after replay says the same, so only errors get through.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), console: {} } },
    });
  } catch {
    // Already installed in this process: keep it.
  }
  try {
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
