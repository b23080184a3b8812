// The TypeScript SDK: Kafka Connect's REST operations as calls on the connector workflows.
import {
  ApplicationFailure,
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type DataConverter,
  type TLSConfig,
  type WorkflowHandle,
} from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ConfigError, ConnectError } from '../errors.js';
import { validateConnectorConfig } from '../config/connector-config.js';
import { maskConfig, secretKeys } from '../config/secrets.js';
import { encryptSecrets } from '../config/secret-box.js';
import { hiddenSecretError, hiddenSecretKeys } from '../config/hidden-secrets.js';
import { isProviderReferenceOnly } from '../config/providers.js';
import {
  CONNECTOR_WORKFLOW,
  DEFAULT_TASK_QUEUE,
  alterOffsetsUpdate,
  configQuery,
  connectorNameFromWorkflowId,
  connectorWorkflowId,
  pauseSignal,
  reconfigureUpdate,
  resetOffsetsUpdate,
  restartSignal,
  resumeSignal,
  statusQuery,
  stopSignal,
  tasksQuery,
  type ConnectorOffsets,
  type ConnectorSpec,
  type ConnectorStatus,
  type RawConfig,
  type RestartOptions,
} from '../../workflows/messages.js';
import type { ConnectorInput } from '../../workflows/connector.js';
import { BadRequestError, ConnectorExistsError, ConnectorNotFoundError } from './errors.js';
import { connectorOffsetsSchema } from './schemas.js';
import { liveOffsets } from './live-offsets.js';
import type { ExactlyOnceSourceSupport } from '../config/exactly-once.js';

export { BadRequestError, ConnectorExistsError, ConnectorNotFoundError } from './errors.js';
export { ConfigError } from '../errors.js';
export { connectorOffsetsSchema, connectorSpecSchema, rawConfigSchema } from './schemas.js';
export type { ConnectorOffsets, ConnectorSpec, ConnectorStatus, RawConfig, RestartOptions } from '../../workflows/messages.js';

/** An error's message followed by each distinct message of its causes ("a: b: c"). */
function causeChain(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 5; x = x.cause, depth++) {
    const m = x.message.trim();
    if (m && !parts.some((p) => p.includes(m))) parts.push(m);
  }
  return parts.join(': ') || String(e);
}

export interface ConnectOptions {
  /** host:port of the Temporal frontend; default $TEMPORAL_ADDRESS, else localhost:7233. */
  address?: string;
  /** Default $TEMPORAL_NAMESPACE, else default. */
  namespace?: string;
  /** Task queue the connector workflows run on; default $TCONNECT_TASK_QUEUE, else connect. */
  taskQueue?: string;
  /**
   * The workers' exactly.once.source.support, when this client is a worker's (its REST API):
   * exactly.once.support=required is then refused unless it is `enabled`, as Connect's worker does.
   * Unset: that check is left to the workers' own validation.
   */
  exactlyOnceSourceSupport?: ExactlyOnceSourceSupport;
  /** Default on when $TEMPORAL_TLS is true or an API key is given. */
  tls?: boolean | TLSConfig;
  /** Temporal Cloud API key; default $TEMPORAL_API_KEY. */
  apiKey?: string;
  /** Must match the workers' when they use a payload codec (e.g. encryption). */
  dataConverter?: DataConverter;
}

/** GET /connectors/<name> */
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: Array<{ connector: string; task: number }>;
  type: ConnectorStatus['type'];
}

/** GET /connectors/<name>/tasks */
export type ConnectorTasks = Array<{ id: { connector: string; task: number }; config: Record<string, string> }>;

const CONNECTOR_NAME = defineSearchAttributeKey('ConnectorName', 'KEYWORD');

export class ConnectClient {
  readonly temporal: Client;
  readonly taskQueue: string;
  /** Set when this client opened the connection, so close() is ours to do. */
  private readonly ownConnection?: Connection;

  /** See ConnectOptions.exactlyOnceSourceSupport. */
  readonly exactlyOnceSourceSupport?: ExactlyOnceSourceSupport;

  constructor(temporal: Client, opts: { taskQueue?: string; ownConnection?: Connection; exactlyOnceSourceSupport?: ExactlyOnceSourceSupport } = {}) {
    this.temporal = temporal;
    this.exactlyOnceSourceSupport = opts.exactlyOnceSourceSupport;
    this.taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.ownConnection = opts.ownConnection;
  }

  static async connect(opts: ConnectOptions = {}): Promise<ConnectClient> {
    const env = process.env;
    const apiKey = opts.apiKey ?? (env.TEMPORAL_API_KEY || undefined);
    const address = opts.address ?? (env.TEMPORAL_ADDRESS || 'localhost:7233');
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, tls: opts.tls ?? (env.TEMPORAL_TLS === 'true' ? true : undefined), apiKey });
    } catch (e) {
      // The SDK's message ("Failed to connect to Temporal server") says neither where it tried nor
      // why: the address, and the causes (a refused API key, a TLS failure), go with it.
      throw new ConnectError(`Cannot reach Temporal at ${address}: ${causeChain(e)}`, { cause: e });
    }
    const temporal = new Client({
      connection,
      namespace: opts.namespace ?? (env.TEMPORAL_NAMESPACE || 'default'),
      dataConverter: opts.dataConverter,
    });
    const taskQueue = opts.taskQueue ?? (env.TCONNECT_TASK_QUEUE || DEFAULT_TASK_QUEUE);
    return new ConnectClient(temporal, { taskQueue, ownConnection: connection, exactlyOnceSourceSupport: opts.exactlyOnceSourceSupport });
  }

  /** Validates the config, then starts the connector workflow. Answers like POST /connectors. */
  async create(spec: ConnectorSpec): Promise<ConnectorInfo> {
    const checked = validate(spec.name, spec.config, 'create', this.exactlyOnceSourceSupport);
    const input: ConnectorInput = { name: spec.name, config: checked.submit, initialState: spec.initial_state, type: checked.type };
    try {
      await this.temporal.workflow.start(CONNECTOR_WORKFLOW, {
        workflowId: connectorWorkflowId(spec.name),
        taskQueue: this.taskQueue,
        args: [input],
        // A running connector keeps its name; a deleted one may be created again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) throw new ConnectorExistsError(spec.name);
      throw e;
    }
    // Tasks are planned by the workflow after it starts; Connect also answers with none yet.
    return { name: spec.name, config: checked.masked, tasks: [], type: checked.type };
  }

  /** Names of the running connectors, sorted. */
  async list(): Promise<string[]> {
    const names = new Set<string>();
    // Workers on one task queue form one cluster (as group.id does in Connect): list that cluster's connectors.
    const query = `WorkflowType='${CONNECTOR_WORKFLOW}' AND ExecutionStatus='Running' AND TaskQueue='${this.taskQueue.replace(/'/g, "\\'")}'`;
    for await (const wf of this.temporal.workflow.list({ query })) {
      const name = connectorNameFromWorkflowId(wf.workflowId) ?? wf.typedSearchAttributes.get(CONNECTOR_NAME);
      if (name) names.add(name);
    }
    return [...names].sort();
  }

  async get(name: string): Promise<ConnectorInfo> {
    const handle = await this.running(name);
    const [config, status] = await this.call(name, () => Promise.all([handle.query(configQuery), handle.query(statusQuery)]));
    return { name, config, tasks: status.tasks.map((t) => ({ connector: name, task: t.id })), type: status.type };
  }

  /** The config with secret values masked. */
  async config(name: string): Promise<Record<string, string>> {
    const handle = await this.running(name);
    return this.call(name, () => handle.query(configQuery));
  }

  async status(name: string): Promise<ConnectorStatus> {
    const handle = await this.running(name);
    return this.call(name, () => handle.query(statusQuery));
  }

  async tasks(name: string): Promise<ConnectorTasks> {
    const handle = await this.running(name);
    return this.call(name, () => handle.query(tasksQuery));
  }

  async pause(name: string): Promise<void> {
    const handle = await this.running(name);
    await this.call(name, () => handle.signal(pauseSignal));
  }

  async resume(name: string): Promise<void> {
    const handle = await this.running(name);
    await this.call(name, () => handle.signal(resumeSignal));
  }

  async stop(name: string): Promise<void> {
    const handle = await this.running(name);
    await this.call(name, () => handle.signal(stopSignal));
  }

  async restart(name: string, opts: RestartOptions = {}): Promise<void> {
    const handle = await this.running(name);
    const args: RestartOptions = { includeTasks: opts.includeTasks ?? false, onlyFailed: opts.onlyFailed ?? false };
    await this.call(name, () => handle.signal(restartSignal, args));
  }

  /** Validates the new config, then hands it to the connector; answers with its status. */
  async reconfigure(name: string, config: RawConfig): Promise<ConnectorStatus> {
    const handle = await this.running(name);
    const checked = validate(name, config, 'reconfigure', this.exactlyOnceSourceSupport);
    return this.call(name, () => handle.executeUpdate(reconfigureUpdate, { args: [checked.submit] }));
  }

  /** The committed offsets: the connector's, overlaid with its running tasks' latest (see liveOffsets). */
  async offsets(name: string): Promise<ConnectorOffsets> {
    await this.running(name);
    return this.call(name, () => liveOffsets(this.temporal.workflow, name));
  }

  /** Only while STOPPED, as in Kafka Connect. An `offset: null` removes a partition's offset. */
  async alterOffsets(name: string, offsets: ConnectorOffsets): Promise<ConnectorOffsets> {
    const body = connectorOffsetsSchema.safeParse(offsets);
    if (!body.success) {
      const why = body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new BadRequestError(`Invalid offsets body: ${why}`);
    }
    const handle = await this.running(name);
    return this.call(name, () => handle.executeUpdate(alterOffsetsUpdate, { args: [body.data] }));
  }

  /** Only while STOPPED, as in Kafka Connect. */
  async resetOffsets(name: string): Promise<ConnectorOffsets> {
    const handle = await this.running(name);
    return this.call(name, () => handle.executeUpdate(resetOffsetsUpdate, {}));
  }

  /** Cancels the connector workflow (it stops its tasks) and waits until it has closed. */
  async delete(name: string): Promise<void> {
    const handle = await this.running(name);
    await this.call(name, () => handle.cancel());
    try {
      await handle.result();
    } catch (e) {
      // Closing as cancelled (or failed) is closed all the same.
      if (!(e instanceof WorkflowFailedError)) throw e;
    }
  }

  async close(): Promise<void> {
    await this.ownConnection?.close();
  }

  /**
   * A handle on the connector's latest run, if that run is open. Queries would also answer from
   * a closed run, so existence is checked here rather than left to each call.
   */
  private async running(name: string): Promise<WorkflowHandle> {
    const handle = this.temporal.workflow.getHandle(connectorWorkflowId(name));
    const { status, type } = await this.call(name, () => handle.describe());
    // A name like `x:task-0` would address a task workflow: only connector workflows count.
    if (type !== CONNECTOR_WORKFLOW) throw new ConnectorNotFoundError(name);
    if (status.name !== 'RUNNING') throw new ConnectorNotFoundError(name, status.name);
    return handle;
  }

  /** Maps Temporal's errors to the SDK's: unknown workflow, rejected or failed update. */
  private async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new ConnectorNotFoundError(name);
      if (e instanceof WorkflowUpdateFailedError) throw fromUpdateFailure(e);
      throw e;
    }
  }
}

/**
 * Validates a config and prepares what goes into the workflow: the flat string map with every
 * plain secret value replaced by an encrypted reference, so no secret enters Temporal history.
 * A secret sent as `[hidden]` (read back from an answer) goes as is in a reconfigure, where the
 * workflow keeps the stored value; a new connector has none, so there it is refused.
 */
function validate(
  name: string,
  config: RawConfig,
  purpose: 'create' | 'reconfigure',
  exactlyOnceSourceSupport?: ExactlyOnceSourceSupport,
): { masked: Record<string, string>; type: 'source' | 'sink'; submit: Record<string, string> } {
  const r = validateConnectorConfig(name, config, { exactlyOnceSourceSupport });
  if (!r.ok || !r.plugin) {
    throw new ConfigError(`Connector configuration is invalid and contains ${r.problems.length} error(s)`, r.problems);
  }
  const keys = secretKeys(r.plugin, r.config);
  const hidden = hiddenSecretKeys(r.config, keys);
  if (purpose === 'create' && hidden.length) throw hiddenSecretError(hidden);
  const keep = new Set(hidden);
  const submit = encryptSecrets(r.config, keys.filter((k) => !keep.has(k)), isProviderReferenceOnly);
  return { masked: maskConfig(r.config, keys), type: r.plugin.type, submit };
}

/**
 * An update the workflow refused or failed. The failure may be wrapped (an activity's failure
 * inside the handler's), so the innermost ApplicationFailure decides: ConfigError keeps its
 * problems; anything else (e.g. offsets changed while not STOPPED) is a bad request.
 */
function fromUpdateFailure(e: WorkflowUpdateFailedError): Error {
  let app: ApplicationFailure | undefined;
  for (let c: unknown = e.cause; c instanceof Error; c = c.cause) if (c instanceof ApplicationFailure) app = c;
  if (app?.type === 'ConfigError') {
    const detail = app.details?.[0] as { problems?: Array<{ key: string; message: string }> } | undefined;
    return new ConfigError(app.message, detail?.problems ?? [], { cause: e });
  }
  return new BadRequestError(app?.message ?? e.cause?.message ?? e.message, { cause: e, type: app?.type ?? undefined });
}
