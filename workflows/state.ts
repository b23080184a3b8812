// Pure helpers of the workflows: deterministic, no I/O, unit-testable without Temporal.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';
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

/** Kafka Connect's `trace` of a failed operation: the activity's (or child's) error when one failed. */
export function errorTrace(e: unknown): string {
  const f = e instanceof ActivityFailure || e instanceof ChildWorkflowFailure ? e.cause : e;
  if (f instanceof ApplicationFailure) return failureTrace(f);
  return f instanceof Error ? `${f.name}: ${f.message}\n${f.stack ?? ''}` : String(f);
}

/**
 * What a failed batch activity means for its task:
 * - `workerLost`: the worker died or cannot be reached (a timeout, or the activity failed without an
 *   error of its own): the task takes whichever worker answers next;
 * - `notLoaded`: the worker no longer holds the task open (it restarted): reopen it there;
 * - `fatal`: a non-retryable error (bad config, a record the connector refuses): the task FAILED;
 * - `transient`: anything else (a database or broker down): back off, reopen from committed offsets.
 * `cause` is the activity's own error; `trace` the status trace of a fatal or transient one.
 */
export type BatchFailure =
  | { kind: 'workerLost'; cause: unknown }
  | { kind: 'notLoaded'; cause: unknown }
  | { kind: 'fatal' | 'transient'; cause: unknown; trace: string };

export function classifyBatchFailure(e: unknown): BatchFailure {
  const f = e instanceof ActivityFailure ? e.cause : e;
  if (f instanceof TimeoutFailure || (e instanceof ActivityFailure && !(f instanceof ApplicationFailure))) return { kind: 'workerLost', cause: f };
  if (f instanceof ApplicationFailure && f.type === 'TaskNotLoaded') return { kind: 'notLoaded', cause: f };
  if (f instanceof ApplicationFailure && f.nonRetryable) return { kind: 'fatal', cause: f, trace: failureTrace(f) };
  return { kind: 'transient', cause: f, trace: failureTrace(f as ApplicationFailure) };
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
  type: ConnectorStatus['type'],
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

/** A task's report applied to the connector's entry: FAILED and RUNNING-while-retrying carry a trace, other states none. */
export function applyTaskReport(t: TaskEntry, r: { state: TaskEntry['state']; workerId: string; trace?: string }): void {
  t.state = r.state;
  t.workerId = r.workerId;
  t.trace = r.state === 'FAILED' || r.state === 'RUNNING' ? r.trace : undefined;
}

/**
 * The trace a task shows while its batches keep failing with transient errors: it stays RUNNING,
 * as in Kafka Connect, but says what fails, for how long, and whether it will give up.
 */
export function retryingTrace(lastError: string, failures: number, failingForMs: number, retryTimeoutMs: number): string {
  const limit = retryTimeoutMs > 0
    ? `the task fails once errors.retry.timeout (${retryTimeoutMs} ms) has passed without a successful batch`
    : 'errors.retry.timeout is not set, so it retries until a batch succeeds';
  return `Retrying: ${failures} batch(es) in a row failed over ${failingForMs} ms; ${limit}. Last error:\n${lastError}`;
}

/** Whether a key's name looks secret: a wide net, for masking a config the workflow has not yet had validated. */
const SECRET_LOOKING = /password|secret|token|api\.key|jaas\.config|user\.info|credential/i;

/**
 * A config as the workflow shows it before an activity has validated and masked it: encrypted
 * references and values of secret-looking keys become `[hidden]`; everything else as written.
 */
export function maskUnvalidated(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === null || v === undefined) continue;
    const s = String(v);
    const reference = /^\$\{[^}]*\}$/.test(s) && !s.startsWith('${enc:');
    out[k] = s !== '' && !reference && (SECRET_LOOKING.test(k) || s.startsWith('${enc:')) ? '[hidden]' : s;
  }
  return out;
}

/** The flat string map Kafka Connect keeps: nulls dropped, numbers and booleans as text. */
export function stringifyConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** Checks that a config sent to reconfigure is a flat object of strings, numbers, booleans or nulls. */
export function rawConfigProblem(config: unknown): string | undefined {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return 'The connector config must be a JSON object of key → value';
  for (const [k, v] of Object.entries(config)) {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) return `The value of ${k} must be a string, number, boolean or null`;
  }
  return undefined;
}

const KAFKA_TOPIC = 'kafka_topic';
const KAFKA_PARTITION = 'kafka_partition';
const KAFKA_OFFSET = 'kafka_offset';

/** Java's String.valueOf of a JSON value, as Kafka Connect prints it in its messages. */
function javaText(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Integer.parseInt / Long.parseLong of String.valueOf(v): a whole number within `bits`, else undefined. */
function parseJavaInt(v: unknown, bits: 32 | 64): number | undefined {
  const s = javaText(v);
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  const max = bits === 32 ? 2n ** 31n : 2n ** 63n;
  if (n < -max || n >= max) return undefined;
  return Number(n);
}

/**
 * Kafka Connect's checks of a sink connector's offsets (alter offsets request), with its messages;
 * returns the entries with `kafka_partition` and `kafka_offset` as numbers, or the first problem.
 */
export function parseSinkOffsets(offsets: PartitionOffset[]): { offsets: PartitionOffset[] } | { problem: string } {
  const out: PartitionOffset[] = [];
  for (const o of offsets) {
    const p = o.partition as Record<string, unknown> | null;
    if (p === null || p === undefined) return { problem: 'The partition for a sink connector offset cannot be null or missing' };
    if (!(KAFKA_TOPIC in p) || !(KAFKA_PARTITION in p)) {
      return { problem: `The partition for a sink connector offset must contain the keys '${KAFKA_TOPIC}' and '${KAFKA_PARTITION}'` };
    }
    if (p[KAFKA_TOPIC] === null) return { problem: 'Kafka topic names must be valid strings and may not be null' };
    if (p[KAFKA_PARTITION] === null) return { problem: 'Kafka partitions must be valid numbers and may not be null' };
    const partition = parseJavaInt(p[KAFKA_PARTITION], 32);
    if (partition === undefined) {
      return { problem: `Failed to parse the following Kafka partition value in the provided offsets: '${javaText(p[KAFKA_PARTITION])}'. Partition values for sink connectors need to be integers.` };
    }
    const topic = javaText(p[KAFKA_TOPIC]);
    if (o.offset === null) {
      out.push({ partition: { [KAFKA_TOPIC]: topic, [KAFKA_PARTITION]: partition }, offset: null });
      continue;
    }
    if (!(KAFKA_OFFSET in o.offset)) return { problem: `The offset for a sink connector should either be null or contain the key '${KAFKA_OFFSET}'` };
    const offset = parseJavaInt(o.offset[KAFKA_OFFSET], 64);
    if (offset === undefined) {
      return { problem: `Failed to parse the following Kafka offset value in the provided offsets: '${javaText(o.offset[KAFKA_OFFSET])}'. Offset values for sink connectors need to be integers.` };
    }
    // Our own check (Connect leaves a negative offset to Kafka): say so before anything is written.
    if (offset < 0) return { problem: `Invalid offset ${offset} for ${topic}-${partition}: offset values for sink connectors must not be negative` };
    out.push({ partition: { [KAFKA_TOPIC]: topic, [KAFKA_PARTITION]: partition }, offset: { [KAFKA_OFFSET]: offset } });
  }
  return { offsets: out };
}
