import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/standalone/dev-server.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { kafka, temporalClient } from '../helpers/clients.js';
import { stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect, waitHealthy, type TconnectProcess } from '../helpers/tconnect-process.js';

/**
 * Issue 24, findings 1 and 2, against real `tconnect distributed` processes: a REST user cannot
 * read the worker's environment, files or secrets key through config providers, and values that
 * providers do resolve never reach workflow history, status traces, REST answers or the log.
 */

/** Everything a workflow's history says, payloads decoded (they are JSON text) so values show. */
async function historyText(client: Client, workflowId: string): Promise<string> {
  try {
    const h = await client.workflow.getHandle(workflowId).fetchHistory();
    return JSON.stringify(h, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
  } catch {
    return ''; // not started (yet)
  }
}

async function connectorHistories(client: Client, name: string): Promise<string> {
  return (await Promise.all([historyText(client, connectorWorkflowId(name)), historyText(client, taskWorkflowId(name, 0))])).join('\n');
}

interface Worker {
  proc: TconnectProcess;
  base: string;
}

async function startWorkerProcess(dir: string, id: string, props: string[], env: NodeJS.ProcessEnv): Promise<Worker> {
  const stack = stackEnv();
  const base = `http://127.0.0.1:${await freePort()}`;
  const file = path.join(dir, `${id}.properties`);
  await writeFile(file, [
    `bootstrap.servers=${stack.KAFKA_BOOTSTRAP_SERVERS}`,
    `temporal.address=${stack.TEMPORAL_ADDRESS}`,
    `temporal.namespace=${stack.TEMPORAL_NAMESPACE}`,
    `temporal.task.queue=${uniqueName(id)}`,
    `listeners=${base}`,
    ...props,
  ].join('\n'));
  const proc = spawnTconnect(['distributed', file], { TCONNECT_LOG_LEVEL: 'debug', TEMPORAL_SDK_LOG_LEVEL: 'INFO', ...env }, { keepAll: true });
  return { proc, base };
}

async function rest(base: string, method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}${url}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text() };
}

/** Every REST answer about a connector, as text. */
async function restAnswers(base: string, name: string): Promise<string> {
  const urls = ['', '/status', '/config', '/tasks', '/topics', '/offsets'].map((u) => `/connectors/${name}${u}`);
  urls.push('/connectors?expand=status&expand=info');
  return (await Promise.all(urls.map((u) => rest(base, 'GET', u).then((r) => `${u} ${r.status} ${r.text}`)))).join('\n');
}

describe('config providers are secure by default and resolved values stay out of history, status, REST and logs', () => {
  const stack = stackEnv();
  const run = randomBytes(4).toString('hex');
  const jdbcUrl = `jdbc:mysql://${stack.MYSQL_HOST}:${stack.MYSQL_PORT}/${stack.MYSQL_DATABASE}`;
  /** Values the workers could resolve: none may show anywhere. */
  const leakEnv = `leak-env-${run}`;
  const wrongUser = `no-such-user-${run}`;
  const wrongDb = `no_such_db_${run}`;
  const keyText = randomBytes(32).toString('base64');
  let passwdRoot: string;
  let dir: string;
  let keyDir: string;
  let plain: Worker; // no config.providers at all
  let enabled: Worker; // env (allowlist) and dir (allowed.paths covering the secrets key)
  let client: Client;
  let conn: Connection;
  const created: Array<{ w: Worker; name: string }> = [];
  const topics: string[] = [];

  /** A JDBC source reading `SELECT 1` (no table needed; fails only where the test wants it to). */
  const querySource = (extra: Record<string, string>) => ({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': jdbcUrl,
    'connection.user': stack.MYSQL_USER,
    'connection.password': stack.MYSQL_PASSWORD,
    'connection.attempts': '1',
    mode: 'bulk',
    query: 'SELECT 1 AS id',
    'poll.interval.ms': '60000',
    ...extra,
  });

  async function create(w: Worker, name: string, config: Record<string, string>): Promise<void> {
    const r = await rest(w.base, 'POST', '/connectors', { name, config });
    expect(r.status, r.text).toBe(201);
    created.push({ w, name });
  }

  /** Waits until the connector's or its task's history holds `text` (the failure), and returns all of it. */
  async function historyUntil(name: string, text: string): Promise<string> {
    return waitFor(async () => {
      const h = await connectorHistories(client, name);
      return h.includes(text) ? h : undefined;
    }, { timeout: 60_000, interval: 500, what: `"${text}" in the history of ${name}` });
  }

  beforeAll(async () => {
    passwdRoot = /^root:(.*)$/m.exec(await readFile('/etc/passwd', 'utf8'))![1];
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-sec-providers-'));
    keyDir = path.join(dir, 'keyhome');
    await mkdir(keyDir);
    await writeFile(path.join(keyDir, 'secrets.key'), keyText + '\n', { mode: 0o600 });
    [plain, enabled] = [
      await startWorkerProcess(dir, 'sec-plain', [], { TC_SEC_SOMEVAR: leakEnv, TCONNECT_SECRETS_KEY_FILE: path.join(dir, 'plain.key') }),
      await startWorkerProcess(dir, 'sec-enabled', [
        'config.providers=env,dir',
        'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
        'config.providers.env.param.allowlist.pattern=TC_SEC_ALLOWED_.*',
        'config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider',
        `config.providers.dir.param.allowed.paths=${keyDir}`,
      ], {
        TC_SEC_ALLOWED_USER: wrongUser,
        TC_SEC_ALLOWED_DB: wrongDb,
        TCONNECT_SECRETS_KEY_FILE: path.join(keyDir, 'secrets.key'),
      }),
    ];
    await Promise.all([waitHealthy(plain.base, plain.proc), waitHealthy(enabled.base, enabled.proc)]);
    ({ client, connection: conn } = await temporalClient());
  }, 120_000);

  afterAll(async () => {
    for (const { w, name } of created) await rest(w.base, 'DELETE', `/connectors/${name}`).catch(() => undefined);
    await Promise.all([plain?.proc.stop(), enabled?.proc.stop()]);
    await conn?.close();
    await deleteTopics(topics);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('does not resolve ${env:…} in topic.prefix without config.providers: the failure names the key and how to enable env', async () => {
    const name = uniqueName('sec-env');
    await create(plain, name, querySource({ 'topic.prefix': '${env:TC_SEC_SOMEVAR}-' }));
    const h = await historyUntil(name, "config provider 'env' is not enabled on this worker");
    expect(h).toContain('Could not resolve ${env:TC_SEC_SOMEVAR} in topic.prefix');
    expect(h).toContain('config.providers=env, config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider');
    expect(h).not.toContain(leakEnv);
    expect(await restAnswers(plain.base, name)).not.toContain(leakEnv);
    const admin = kafka().admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((t) => t.includes(leakEnv))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses ${file:/etc/passwd:root} in an InsertField static.value without config.providers', async () => {
    const name = uniqueName('sec-file');
    topics.push(`sec-file-${run}`);
    await create(plain, name, querySource({
      'topic.prefix': `sec-file-${run}`,
      transforms: 'i',
      'transforms.i.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.i.static.field': 'leak',
      'transforms.i.static.value': '${file:/etc/passwd:root}',
    }));
    const h = await historyUntil(name, "config provider 'file' is not enabled on this worker");
    expect(h).toContain('Could not resolve ${file:/etc/passwd:root} in transforms.i.static.value');
    expect(h).not.toContain(passwdRoot);
    expect(await restAnswers(plain.base, name)).not.toContain(passwdRoot);
  });

  it('refuses ${dir:<key dir>:secrets.key} even though allowed.paths covers it', async () => {
    const name = uniqueName('sec-key');
    await create(enabled, name, querySource({ 'topic.prefix': `\${dir:${keyDir}:secrets.key}` }));
    const h = await historyUntil(name, "is the worker's secrets key (TCONNECT_SECRETS_KEY_FILE), which no config provider reads");
    expect(h).not.toContain(keyText);
    expect(await restAnswers(enabled.base, name)).not.toContain(keyText);
  });

  it('a wrong user or database from ${env:…}: the failure shows [hidden] in status, history and log, never the value', async () => {
    const user = uniqueName('sec-user');
    const db = uniqueName('sec-db');
    const planning = uniqueName('sec-plan');
    topics.push(`sec-user-${run}`, `sec-db-${run}`);
    await create(enabled, user, querySource({ 'topic.prefix': `sec-user-${run}`, 'connection.user': '${env:TC_SEC_ALLOWED_USER}' }));
    await create(enabled, db, querySource({ 'topic.prefix': `sec-db-${run}`, 'connection.url': `jdbc:mysql://${stack.MYSQL_HOST}:${stack.MYSQL_PORT}/\${env:TC_SEC_ALLOWED_DB}` }));
    // Table mode lists tables while planning: the login fails in the planning activity.
    const { query: _query, ...tableSource } = querySource({ 'topic.prefix': `sec-plan-${run}`, 'connection.user': '${env:TC_SEC_ALLOWED_USER}', 'table.whitelist': 'nothing_here' });
    await create(enabled, planning, tableSource);

    // The task fails at open; its status trace says who was denied, hidden.
    const failedTrace = async (name: string) => waitFor(async () => {
      const s = JSON.parse((await rest(enabled.base, 'GET', `/connectors/${name}/status`)).text) as { tasks?: Array<{ state: string; trace?: string }> };
      const t = s.tasks?.[0];
      return t?.state === 'FAILED' ? t.trace : undefined;
    }, { timeout: 60_000, interval: 500, what: `task of ${name} FAILED` });
    const userTrace = await failedTrace(user);
    expect(userTrace).toContain("Access denied for user '[hidden]'");
    const dbTrace = await failedTrace(db);
    expect(dbTrace).toContain("Unknown database '[hidden]'");

    const histories = [
      await historyUntil(user, "Access denied for user '[hidden]'"),
      await historyUntil(db, "Unknown database '[hidden]'"),
      await historyUntil(planning, "Access denied for user '[hidden]'"),
    ].join('\n');
    const answers = (await Promise.all([user, db, planning].map((n) => restAnswers(enabled.base, n)))).join('\n');
    // The worker logs the failed activities (Temporal's worker and our workflows' log lines): scrubbed too.
    const log = await waitFor(() => {
      const out = enabled.proc.output();
      return out.includes("Access denied for user '[hidden]'") && out.includes("Unknown database '[hidden]'") ? out : undefined;
    }, { what: 'the failures, scrubbed, in the worker log' });
    for (const value of [wrongUser, wrongDb]) {
      expect(histories).not.toContain(value);
      expect(answers).not.toContain(value);
      expect(log).not.toContain(value);
    }
  });

  it('no value either worker could resolve appears anywhere in its log', () => {
    for (const value of [leakEnv, passwdRoot, keyText, wrongUser, wrongDb]) {
      expect(plain.proc.output()).not.toContain(value);
      expect(enabled.proc.output()).not.toContain(value);
    }
  });
});
