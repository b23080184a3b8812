// /connectors/…: Kafka Connect's connector endpoints on top of the SDK.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import pLimit from 'p-limit';
import { z } from 'zod';
import { ConnectorNotFoundError, connectorOffsetsSchema, connectorSpecSchema, rawConfigSchema, type ConnectClient, type ConnectorStatus } from '../client/index.js';
import { connectorWorkflowId, restartTaskSignal } from '../../workflows/messages.js';
import { findConnectorPlugin } from '../connectors/registry.js';
import { parseWith, RestError } from './errors.js';
import { storedConfig } from './stored-config.js';
import { activeTopics, resetActiveTopics } from './topics.js';

type Params = { connector: string };
type TaskParams = Params & { task: string };

/** POST /connectors: Connect trims the name and reads initial_state in any case. */
const createSchema = connectorSpecSchema.extend({
  initial_state: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(['RUNNING', 'PAUSED', 'STOPPED'])).nullish().transform((v) => v ?? undefined),
});

/** Jersey reads `?flag=true` as true and anything else as false. */
const flag = (v: unknown) => String(v).toLowerCase() === 'true';

const OFFSETS_MESSAGE = (what: 'altered' | 'reset') =>
  `The Connect framework-managed offsets for this connector have been ${what} successfully. However, if this connector manages offsets externally, they will need to be manually ${what} in the system that the connector uses.`;

/** Connect's Location header: the absolute URL of the connector, as Jersey builds it from the request. */
function locationOf(req: FastifyRequest, name: string): string {
  return `${req.protocol}://${req.host}/connectors/${encodeURIComponent(name)}`;
}

/** Connect's `task.class` entry of a task config, from the connector class (name or alias) the config names. */
export function taskClassOf(connectorClass: string | undefined): string | undefined {
  const plugin = connectorClass ? findConnectorPlugin(connectorClass) : undefined;
  if (!plugin) return undefined;
  return plugin.taskClass ?? plugin.className.replace(/(Connector)?$/, 'Task');
}

/** Task configs as Connect lists them: each with its `task.class`. */
async function taskConfigs(client: ConnectClient, name: string): Promise<Awaited<ReturnType<ConnectClient['tasks']>>> {
  return (await client.tasks(name)).map((t) => {
    const taskClass = taskClassOf(t.config['connector.class']);
    return taskClass ? { ...t, config: { ...t.config, 'task.class': taskClass } } : t;
  });
}

/** A task number from the path; anything else is a task that does not exist. */
function taskId(connector: string, task: string, status: ConnectorStatus, message: (id: string) => string): number {
  const id = /^\d+$/.test(task) ? Number(task) : NaN;
  if (!status.tasks.some((t) => t.id === id)) throw new RestError(404, message(`${connector}-${task}`));
  return id;
}

/** The status body a restart answers with: what will restart is shown as RESTARTING (Connect's restart plan). */
export function restartPlan(status: ConnectorStatus, includeTasks: boolean, onlyFailed: boolean): ConnectorStatus {
  const restarts = (state: string) => !onlyFailed || state === 'FAILED';
  return {
    ...status,
    connector: { ...status.connector, state: restarts(status.connector.state) ? 'RESTARTING' : status.connector.state },
    tasks: status.tasks.map((t) => (includeTasks && restarts(t.state) ? { ...t, state: 'RESTARTING' } : t)),
  };
}

/** How many connectors' status and info `GET /connectors?expand=` asks Temporal for at once. */
const EXPAND_CONCURRENCY = 16;

export function connectorRoutes(app: FastifyInstance, client: ConnectClient): void {
  app.get<{ Querystring: { expand?: string | string[] } }>('/connectors', async (req) => {
    const names = await client.list();
    if (req.query.expand === undefined) return names;
    // Each `expand` parameter is one value, as Jersey reads it: `expand=info,status` names neither.
    const expand = new Set([req.query.expand].flat());
    const out: Record<string, Record<string, unknown>> = {};
    // A few queries at a time: hundreds at once (200 connectors) overran the workers' query tasks
    // and Temporal answered "Failed to query Workflow"; one that fails is asked once more.
    const limit = pLimit(EXPAND_CONCURRENCY);
    const entry = async (name: string) => {
      const e: Record<string, unknown> = {};
      if (expand.has('status')) e.status = await client.status(name);
      if (expand.has('info')) e.info = await client.get(name);
      return e;
    };
    await Promise.all(names.map((name) => limit(async () => {
      try {
        out[name] = await entry(name).catch((e: unknown) => {
          if (e instanceof ConnectorNotFoundError) throw e;
          return entry(name);
        });
      } catch (e) {
        // Deleted while we looked: left out, as Connect does.
        if (!(e instanceof ConnectorNotFoundError)) throw e;
      }
    })));
    return out;
  });

  app.post('/connectors', async (req, reply) => {
    const spec = parseWith(createSchema, req.body, 'connector creation request');
    const info = await client.create(spec);
    return reply.code(201).header('Location', locationOf(req, info.name)).send(info);
  });

  app.get<{ Params: Params }>('/connectors/:connector', async (req) => client.get(req.params.connector));
  app.get<{ Params: Params }>('/connectors/:connector/config', async (req) => client.config(req.params.connector));

  app.put<{ Params: Params }>('/connectors/:connector/config', async (req, reply) => {
    const name = req.params.connector;
    const config = parseWith(rawConfigSchema, req.body, 'connector config');
    try {
      await client.reconfigure(name, config);
    } catch (e) {
      if (!(e instanceof ConnectorNotFoundError)) throw e;
      const info = await client.create({ name, config });
      return reply.code(201).header('Location', locationOf(req, name)).send(info);
    }
    return client.get(name);
  });

  app.patch<{ Params: Params }>('/connectors/:connector/config', async (req) => {
    const name = req.params.connector;
    const patch = parseWith(rawConfigSchema, req.body, 'connector config patch');
    const config: Record<string, string | number | boolean | null> = await storedConfig(client, name);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete config[k];
      else config[k] = v;
    }
    await client.reconfigure(name, config);
    return client.get(name);
  });

  app.get<{ Params: Params }>('/connectors/:connector/status', async (req) => client.status(req.params.connector));
  app.get<{ Params: Params }>('/connectors/:connector/tasks', async (req) => taskConfigs(client, req.params.connector));
  // Deprecated in Connect (KIP-661) but still served: task configs by task id.
  app.get<{ Params: Params }>('/connectors/:connector/tasks-config', async (req) =>
    Object.fromEntries((await taskConfigs(client, req.params.connector)).map((t) => [`${t.id.connector}-${t.id.task}`, t.config])));

  app.get<{ Params: TaskParams }>('/connectors/:connector/tasks/:task/status', async (req) => {
    const { connector, task } = req.params;
    const status = await client.status(connector);
    const id = taskId(connector, task, status, (t) => `No status found for task ${t}`);
    return status.tasks.find((t) => t.id === id);
  });

  app.post<{ Params: Params; Querystring: { includeTasks?: string; onlyFailed?: string } }>('/connectors/:connector/restart', async (req, reply) => {
    const name = req.params.connector;
    const includeTasks = flag(req.query.includeTasks);
    const onlyFailed = flag(req.query.onlyFailed);
    if (!includeTasks && !onlyFailed) {
      await client.restart(name);
      return reply.code(204).send();
    }
    const plan = restartPlan(await client.status(name), includeTasks, onlyFailed);
    await client.restart(name, { includeTasks, onlyFailed });
    return reply.code(202).send(plan);
  });

  app.post<{ Params: TaskParams }>('/connectors/:connector/tasks/:task/restart', async (req, reply) => {
    const { connector, task } = req.params;
    const id = taskId(connector, task, await client.status(connector), (t) => `Unknown task: ${t}`);
    await client.temporal.workflow.getHandle(connectorWorkflowId(connector)).signal(restartTaskSignal, id);
    return reply.code(204).send();
  });

  app.put<{ Params: Params }>('/connectors/:connector/pause', async (req, reply) => {
    await client.pause(req.params.connector);
    return reply.code(202).send();
  });
  app.put<{ Params: Params }>('/connectors/:connector/resume', async (req, reply) => {
    await client.resume(req.params.connector);
    return reply.code(202).send();
  });
  app.put<{ Params: Params }>('/connectors/:connector/stop', async (req, reply) => {
    await client.stop(req.params.connector);
    return reply.code(204).send();
  });
  app.delete<{ Params: Params }>('/connectors/:connector', async (req, reply) => {
    await client.delete(req.params.connector);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/connectors/:connector/topics', async (req) => {
    const name = req.params.connector;
    return { [name]: { topics: await activeTopics(client, name) } };
  });
  app.put<{ Params: Params }>('/connectors/:connector/topics/reset', async (req, reply) => {
    await resetActiveTopics(client, req.params.connector);
    return reply.code(202).send();
  });

  app.get<{ Params: Params }>('/connectors/:connector/offsets', async (req) => client.offsets(req.params.connector));
  app.patch<{ Params: Params }>('/connectors/:connector/offsets', async (req) => {
    const body = parseWith(connectorOffsetsSchema, req.body ?? {}, 'offsets');
    if (body.offsets.length === 0) throw new RestError(400, 'Partitions / offsets need to be provided for an alter offsets request');
    await client.alterOffsets(req.params.connector, body);
    return { message: OFFSETS_MESSAGE('altered') };
  });
  app.delete<{ Params: Params }>('/connectors/:connector/offsets', async (req) => {
    await client.resetOffsets(req.params.connector);
    return { message: OFFSETS_MESSAGE('reset') };
  });
}
