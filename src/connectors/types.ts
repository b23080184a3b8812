import type { ConfigDef, KeyMap, ConfigOf } from '../config/define.js';
import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord } from '../records/record.js';

/** Structured logger the runtime hands to plugins (pino-compatible subset). Never log secrets. */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SourceTaskContext {
  connectorName: string;
  taskId: number;
  /** The last committed offset of a source partition, or null when it has none. */
  offsetFor(partition: SourcePartition): SourceOffset | null;
  /** Already bound to the connector and task: their names appear in every line. */
  logger: PluginLogger;
}

export interface SourceTask {
  /**
   * Returns up to maxRecords records (an empty array when nothing is new right now).
   * Records of one source partition come in offset order. Throw RetriableError for
   * I/O trouble, ConfigError for what a retry cannot fix.
   */
  poll(maxRecords: number, signal: AbortSignal): Promise<SourceRecord[]>;
  /** Called after the records up to these offsets were acknowledged by Kafka. */
  commit?(committed: Array<{ partition: SourcePartition; offset: SourceOffset }>): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectorContext {
  connectorName: string;
  /** Already bound to the connector. */
  logger: PluginLogger;
}

interface PluginBase<K extends KeyMap> {
  /** Short name, e.g. JdbcSource */
  name: string;
  /** Kafka Connect class name first, e.g. io.confluent.connect.jdbc.JdbcSourceConnector */
  className: string;
  aliases: string[];
  /**
   * Kafka Connect's class of the connector's tasks, shown as `task.class` in GET
   * /connectors/{name}/tasks; default: the class name with Connector replaced by Task
   * (io.debezium.connector.mysql.MySqlConnector → ...MySqlTask). Set it when the real one differs
   * (io.confluent.connect.jdbc.source.JdbcSourceTask), so scripts that read it see Connect's value.
   */
  taskClass?: string;
  version: string;
  summary: string;
  config: ConfigDef<K>;
  /** Cross-key checks after each key parsed on its own; returns problems by key. */
  validate?(cfg: ConfigOf<K>): Array<{ key: string; message: string }>;
  /**
   * Splits the connector into at most maxTasks task configs (flat string maps, like Connect).
   * May do I/O (e.g. list tables). Receives the raw config with config-provider references resolved.
   */
  taskConfigs(raw: Record<string, string>, maxTasks: number, ctx: ConnectorContext): Promise<Array<Record<string, string>>>;
  /**
   * Optional: called once per process with the worker properties when a worker, REST server or CLI
   * loads its plugins (before any validate or task start), for settings that belong to the worker
   * rather than to a connector (e.g. FileStream's file.connectors.allowed.paths). Secrets resolved
   * by config providers are not in it.
   */
  applyWorkerConfig?(workerConfig: Readonly<Record<string, string>>): void;
}

export interface SourcePlugin<K extends KeyMap = KeyMap> extends PluginBase<K> {
  type: 'source';
  /** Starts one task from its task config (a connector config plus the keys taskConfigs added). */
  startTask(taskConfig: Record<string, string>, ctx: SourceTaskContext): Promise<SourceTask>;
  /**
   * Optional: a periodic check whether the task plan is stale (new tables), called every
   * table.poll.interval.ms or similar. Returns true when the connector should re-plan.
   */
  needsReplan?(raw: Record<string, string>, current: Array<Record<string, string>>, ctx: ConnectorContext): Promise<boolean>;
  /**
   * Optional, Connect's SourceConnector.exactlyOnceSupport: whether the connector can deliver
   * exactly once with this config (its offsets pin the position exactly). Unimplemented = Connect's
   * null: a connector with exactly.once.support=required is refused.
   */
  exactlyOnceSupport?(raw: Readonly<Record<string, string>>): 'SUPPORTED' | 'UNSUPPORTED';
  /**
   * Optional, Connect's SourceConnector.canDefineTransactionBoundaries: whether
   * transaction.boundary=connector is possible. Unimplemented = UNSUPPORTED.
   */
  canDefineTransactionBoundaries?(raw: Readonly<Record<string, string>>): 'SUPPORTED' | 'UNSUPPORTED';
}

export interface SinkTaskContext {
  connectorName: string;
  taskId: number;
  /** Already bound to the connector and task: their names appear in every line. */
  logger: PluginLogger;
}

export interface PutResult {
  /** Records the external system rejected, by index into the batch given to put. */
  failed: Array<{ index: number; error: Error }>;
}

export interface SinkTask {
  /**
   * Writes records. The runtime calls put with at most putBatchSize records, and with up to
   * maxConcurrentPuts calls running at once; a task that allows more than one keeps several
   * writes of one key in call order.
   */
  put(records: SinkRecord[], signal: AbortSignal): Promise<PutResult>;
  /** Records per put call (default 2000). */
  readonly putBatchSize?: number;
  /** Put calls that may run at once (default 1: one after another, as Kafka Connect calls put). */
  readonly maxConcurrentPuts?: number;
  /** Flush anything buffered; after it resolves the records given so far are durable. */
  flush?(): Promise<void>;
  /**
   * Optional (Kafka Connect's SinkTask.open): called once after startTask, before the first put,
   * with the partitions the task owns and the offset each starts reading from (the next offset
   * to read: the committed one, or where auto.offset.reset put it). A task that does not
   * implement it learns its partitions from the records. Partitions are never taken away from a
   * running task: a new assignment closes the task and starts a new one.
   */
  open?(partitions: SinkPartitionOffset[]): Promise<void>;
  /**
   * Optional (Kafka Connect's SinkTask.preCommit): called at the end of every batch, also when
   * no record came, with the position reached per partition (the next offset to read after the
   * records handed to put and dead-lettered so far, for the partitions whose position is ahead of
   * what was committed). Returns the offsets that are safe to commit: the next offset to read per
   * partition, for what the task has made durable. Partitions left out are not committed this
   * time; an offset beyond the position given is lowered to it. Without preCommit everything put
   * is committed once put (and flush) resolved. A task that buffers records (files written only
   * when rotated) implements it so that a restart resumes from what its target really holds; it
   * may do time-driven work here (rotate files on a wall-clock schedule).
   */
  preCommit?(current: SinkPartitionOffset[]): Promise<SinkPartitionOffset[]>;
  close(): Promise<void>;
}

/** A topic-partition and an offset: the next offset to read (as Kafka commits it). */
export interface SinkPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface SinkPlugin<K extends KeyMap = KeyMap> extends PluginBase<K> {
  type: 'sink';
  startTask(taskConfig: Record<string, string>, ctx: SinkTaskContext): Promise<SinkTask>;
}

export type ConnectorPlugin = SourcePlugin<KeyMap> | SinkPlugin<KeyMap>;

export function defineSource<K extends KeyMap>(p: Omit<SourcePlugin<K>, 'type'>): SourcePlugin<K> {
  return { ...p, type: 'source' };
}

export function defineSink<K extends KeyMap>(p: Omit<SinkPlugin<K>, 'type'>): SinkPlugin<K> {
  return { ...p, type: 'sink' };
}
