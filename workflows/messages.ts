// Names and message definitions shared by workflows, the client SDK, the CLI and tests.
// Importing this module is safe outside the workflow sandbox (definitions only).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const DEFAULT_TASK_QUEUE = 'connect';
export const CONNECTOR_WORKFLOW = 'connectorWorkflow';
export const SOURCE_TASK_WORKFLOW = 'sourceTaskWorkflow';
export const SINK_TASK_WORKFLOW = 'sinkTaskWorkflow';

export const connectorWorkflowId = (name: string): string => `connector:${name}`;
export const taskWorkflowId = (name: string, task: number): string => `connector:${name}:task-${task}`;
export const connectorNameFromWorkflowId = (id: string): string | undefined =>
  /^connector:([^:]+)$/.exec(id)?.[1];

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';
export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING';
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

/** Connector config as users POST it to Kafka Connect: values are strings, numbers or booleans. */
export type RawConfig = Record<string, string | number | boolean | null>;

export interface ConnectorSpec {
  name: string;
  config: RawConfig;
  initial_state?: InitialState;
}

/** One source partition's offset, as Kafka Connect's GET /connectors/{c}/offsets lists it. */
export interface PartitionOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

/** GET /connectors/{c}/status */
export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectorState; worker_id: string; trace?: string };
  tasks: Array<{ id: number; state: TaskState; worker_id: string; trace?: string }>;
  /** `unknown` (as in Kafka Connect) only while a connector started without a known type has not been validated yet. */
  type: 'source' | 'sink' | 'unknown';
}

/** GET /connectors/{c}/offsets */
export interface ConnectorOffsets {
  offsets: PartitionOffset[];
}

export interface RestartOptions {
  includeTasks?: boolean;
  onlyFailed?: boolean;
}

// Connector workflow messages
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal('stop');
export const restartSignal = defineSignal<[RestartOptions?]>('restart');
export const reconfigureUpdate = defineUpdate<ConnectorStatus, [RawConfig]>('reconfigure');
export const alterOffsetsUpdate = defineUpdate<ConnectorOffsets, [ConnectorOffsets]>('alterOffsets');
export const resetOffsetsUpdate = defineUpdate<ConnectorOffsets, []>('resetOffsets');
export const statusQuery = defineQuery<ConnectorStatus>('status');
/** The config with secret values masked. */
export const configQuery = defineQuery<Record<string, string>>('config');
export const offsetsQuery = defineQuery<ConnectorOffsets>('offsets');
/** The config as stored (secret values only as ${enc:…}/${env:…} references): for PATCH merges; never show it. */
export const storedConfigQuery = defineQuery<Record<string, string>>('storedConfig');
/** Topics the connector's tasks produced to or consumed from (after transforms), as GET /connectors/{c}/topics. */
export const topicsQuery = defineQuery<string[]>('topics');
export const resetTopicsSignal = defineSignal('resetTopics');
/** Restarts one task (POST /connectors/{c}/tasks/{t}/restart). */
export const restartTaskSignal = defineSignal<[number]>('restartTask');
/** Task configs (secrets masked), as GET /connectors/{c}/tasks lists them. */
export const tasksQuery = defineQuery<Array<{ id: { connector: string; task: number }; config: Record<string, string> }>>('tasks');

// Task -> connector (addressed by workflow id, so they reach the connector's latest run)
export interface TaskReport {
  taskId: number;
  generation: number;
  state: TaskState | 'STOPPED';
  workerId: string;
  trace?: string;
  /** Offsets committed so far (sent when they changed, at most every few seconds, and on stop). */
  offsets?: PartitionOffset[];
  /** Topics used so far, when the set grew. */
  topics?: string[];
}
export const taskReportSignal = defineSignal<[TaskReport]>('taskReport');

// Connector -> task
export const taskPauseSignal = defineSignal('taskPause');
export const taskResumeSignal = defineSignal('taskResume');
export const taskStopSignal = defineSignal('taskStop');
export const taskRestartSignal = defineSignal('taskRestart');
export const taskStatusQuery = defineQuery<{ state: TaskState; workerId: string; trace?: string; offsets: PartitionOffset[]; batches: number; records: number }>('taskStatus');
