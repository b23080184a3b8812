import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/standalone/dev-server.js';
import { stackEnv, uniqueName } from '../helpers/stack.js';
import { spawnTconnect, waitHealthy, type TconnectProcess } from '../helpers/tconnect-process.js';

const run = promisify(execFile);

/** GET over https trusting only the test's own CA. */
function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('REST security: `tconnect distributed` with basic auth, a bearer token and an https listener', () => {
  const env = stackEnv();
  let dir: string;
  let proc: TconnectProcess;
  let http: string;
  let https: string;
  let ca: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-rest-sec-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    ca = await readFile(cert);
    await writeFile(path.join(dir, 'users.properties'), 'admin: adm1n-pw,admin\nviewer: v1ew\n');
    const [p1, p2] = [await freePort(), await freePort()];
    http = `http://127.0.0.1:${p1}`;
    https = `https://127.0.0.1:${p2}`;
    const props = path.join(dir, 'worker.properties');
    await writeFile(props, [
      `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
      `temporal.task.queue=${uniqueName('rest-sec')}`,
      `listeners=${http},${https}`,
      `rest.ssl.cert.file=${cert}`,
      `rest.ssl.key.file=${key}`,
      `rest.auth.basic.users.file=${path.join(dir, 'users.properties')}`,
      'rest.auth.token=token-from-file',
    ].join('\n'));
    // Environment over file: CONNECT_REST_AUTH_TOKEN replaces rest.auth.token.
    proc = spawnTconnect(['distributed', props], {
      TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE, CONNECT_REST_AUTH_TOKEN: 'token-from-env', TCONNECT_LOG_LEVEL: 'warn',
    });
    await waitHealthy(http, proc);
  });

  afterAll(async () => {
    await proc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('401 with a WWW-Authenticate challenge without (valid) credentials; 200 with basic or bearer', async () => {
    const denied = await fetch(`${http}/connectors`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error_code: 401, message: 'User cannot access the resource.' });
    expect(denied.headers.get('www-authenticate')).toContain('Basic realm="temporal-connect"');
    expect(denied.headers.get('www-authenticate')).toContain('Bearer realm="temporal-connect"');
    expect((await fetch(`${http}/connectors`, { headers: { authorization: basic('admin', 'wrong') } })).status).toBe(401);
    expect((await fetch(`${http}/connectors`, { headers: { authorization: 'Bearer token-from-file' } })).status).toBe(401);

    const ok = await fetch(`${http}/connectors`, { headers: { authorization: basic('admin', 'adm1n-pw') } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
    expect((await fetch(`${http}/connector-plugins`, { headers: { authorization: basic('viewer', 'v1ew') } })).status).toBe(200);
    expect((await fetch(`${http}/connectors`, { headers: { authorization: 'Bearer token-from-env' } })).status).toBe(200);
    // Probes need no credentials.
    expect((await fetch(`${http}/health`)).status).toBe(200);
  });

  it('serves the same API over https (PEM files) with the same auth', async () => {
    expect((await httpsGet(`${https}/connectors`, ca)).status).toBe(401);
    const ok = await httpsGet(`${https}/connectors`, ca, { authorization: 'Bearer token-from-env' });
    expect(ok).toEqual({ status: 200, body: '[]' });
    // A client that does not trust the certificate gets no answer at all.
    await expect(fetch(`${https}/health`)).rejects.toThrow();
  });

  it('/admin/loggers controls the process logger, the worker\'s and the REST server\'s', async () => {
    const auth = { authorization: 'Bearer token-from-env' };
    const list = await (await fetch(`${http}/admin/loggers`, { headers: auth })).json();
    expect(list).toEqual({ rest: { level: 'WARN', last_modified: null }, root: { level: 'WARN', last_modified: null }, worker: { level: 'WARN', last_modified: null } });
    const set = await fetch(`${http}/admin/loggers/worker`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ level: 'DEBUG' }) });
    expect(await set.json()).toEqual(['worker']);
    expect(await (await fetch(`${http}/admin/loggers/worker`, { headers: auth })).json()).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
  });
});
