import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type mysql from 'mysql2/promise';
import { connectorKeys } from '../../src/config/connector-config.js';
import { CONNECTOR_PLUGINS } from '../../src/connectors/registry.js';
import { mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { startRestWorker, type RestWorker } from '../helpers/rest-worker.js';
import { uniqueIdent, waitFor } from '../helpers/stack.js';

// A fuzzer (fast-check, fixed seed): 1,000 generated connector configs and REST bodies against a
// real `tconnect distributed` worker on the stack. Configs take every key a built-in connector
// declares, with wrong types, huge values, unicode and injection attempts in table, column, index,
// topic and file names. Every answer must be a clean 2xx/4xx (never 5xx, never a dropped
// connection), the worker stays healthy, a connector created before keeps RUNNING, the database
// gets no table it did not have, and no file appears where a path injection would write it.

const SEED = 0x19f022;
const RUNS = 1000;

const INJECTIONS = [
  "x`; DROP TABLE canary; --", "x'; DROP TABLE canary; --", 'x" OR "1"="1', '`canary`', 'a`b', 'canary; SELECT SLEEP(5)',
  '../../../../tmp/FUZZ_PROBE', '/tmp/FUZZ_PROBE/x', '..\\..\\FUZZ_PROBE', '%2e%2e%2fFUZZ_PROBE', '${file:/etc/passwd:root}', '${env:HOME}',
  '<script>alert(1)</script>', '\u0000', '\ud800', 'ä'.repeat(300), 'x'.repeat(100_000), '*', '..', '.', 'a b', '\n', '$(touch /tmp/FUZZ_PROBE)',
  '9223372036854775808', '-9223372036854775809', '1e400', 'NaN', '-1', '0', 'true', 'null', '[]', '{}',
];

/** A value as text (fast-check's dictionaries have no prototype: String() cannot convert them). */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');

/** A path segment; a lone surrogate (no UTF-8 for it) goes as the invalid bytes %ED%A0%80, which the server must refuse cleanly. */
function pathSegment(s: string): string {
  return s.split(/([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/).map((part, i) => (i % 2 ? '%ED%A0%80' : encodeURIComponent(part))).join('');
}

describe('REST fuzzer (fast-check, 1,000 generated configs and bodies)', () => {
  const table = uniqueIdent('fuzz_canary');
  const name = table.replace(/_/g, '-');
  let worker: RestWorker;
  let db: mysql.Connection;
  let probeDir: string;
  let tablesBefore: string[];

  const tables = async () => ((await db.query('SHOW TABLES'))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0]).sort();

  beforeAll(async () => {
    db = await mysqlConnection();
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${table}\` (v) VALUES ('alive')`);
    probeDir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-fuzz-'));
    worker = await startRestWorker({ 'file.connectors.allowed.paths': probeDir });
    const created = await worker.http('POST', '/connectors', { name, config: { 'connector.class': 'JdbcSource', ...jdbcIncrementing(table), 'topic.prefix': `fuzz.${table}.` } });
    expect(created.status).toBe(201);
    await waitFor(async () => (await worker.http('GET', `/connectors/${name}/status`)).body?.tasks?.[0]?.state === 'RUNNING', { timeout: 90_000, what: 'canary connector RUNNING' });
    tablesBefore = await tables();
  }, 180_000);

  afterAll(async () => {
    if (worker) {
      const list = await worker.http('GET', '/connectors').catch(() => undefined);
      for (const c of (list?.body as string[] | undefined) ?? []) await worker.http('DELETE', `/connectors/${encodeURIComponent(c)}`).catch(() => undefined);
      await worker.stop();
    }
    await db?.query(`DROP TABLE IF EXISTS \`${table}\``);
    await db?.end();
    if (probeDir) await rm(probeDir, { recursive: true, force: true });
  });

  it('answers 1,000 generated requests with clean 2xx/4xx; nothing crashes, nothing is lost, nothing injected', async () => {
    const hostile = fc.oneof(
      fc.constantFrom(...INJECTIONS),
      fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }),
      fc.integer().map(String), fc.bigInt().map(String), fc.double().map(String),
    );
    const value = fc.oneof(
      { weight: 6, arbitrary: hostile },
      fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    );
    const plugin = fc.constantFrom(...CONNECTOR_PLUGINS);
    const config = plugin.chain((p) => {
      const keys = Object.keys(connectorKeys(p));
      return fc.tuple(
        fc.constantFrom(p.className, ...p.aliases),
        fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 12 }),
        fc.dictionary(hostile, value, { maxKeys: 2 }),
      ).map(([cls, known, extra]) => ({ 'connector.class': cls, ...extra, ...known }));
    });
    const connectorName = fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
    const request = fc.oneof(
      fc.record({ kind: fc.constant('create'), name: connectorName, config }),
      fc.record({ kind: fc.constant('validate'), name: connectorName, config }),
      fc.record({ kind: fc.constant('put-config'), name: connectorName, config }),
      fc.record({ kind: fc.constant('body'), name: connectorName, config: fc.oneof(fc.json(), fc.string(), fc.constantFrom('{', '[', '{"name":', '\u0000')) }),
      fc.record({ kind: fc.constant('action'), name: connectorName, config: fc.constantFrom('pause', 'resume', 'restart', 'stop', 'offsets', 'status', 'tasks', 'topics') }),
    );
    const samples = fc.sample(request, { seed: SEED, numRuns: RUNS });
    expect(samples).toHaveLength(RUNS);

    const statuses = new Map<number, number>();
    const bad: string[] = [];
    const created = new Set<string>();
    for (const sample of samples) {
      const r = sample as { kind: string; name: string; config: unknown };
      const enc = pathSegment(r.name);
      let method: string, p: string, body: string | undefined;
      if (r.kind === 'create') [method, p, body] = ['POST', '/connectors', JSON.stringify({ name: r.name, config: r.config })];
      else if (r.kind === 'validate') [method, p, body] = ['PUT', `/connector-plugins/${pathSegment(text((r.config as Record<string, unknown>)['connector.class']))}/config/validate`, JSON.stringify(r.config)];
      else if (r.kind === 'put-config') [method, p, body] = ['PUT', `/connectors/${enc}/config`, JSON.stringify(r.config)];
      else if (r.kind === 'body') [method, p, body] = ['POST', '/connectors', text(r.config)];
      else {
        const action = text(r.config);
        method = ['offsets', 'status', 'tasks', 'topics'].includes(action) ? 'GET' : action === 'restart' ? 'POST' : 'PUT';
        [p, body] = [`/connectors/${enc}/${action}`, undefined];
      }
      let status: number;
      let answer: string;
      try {
        const res = await fetch(worker.base + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
        status = res.status;
        answer = await res.text();
      } catch (e) {
        status = -1;
        answer = String(e);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status < 200 || status >= 500) bad.push(`${status} ${method} ${p.slice(0, 80)} ${(body ?? '').slice(0, 120)} -> ${answer.slice(0, 200)}`);
      else if (status >= 400) {
        // Connect's error shape: {error_code, message}.
        let shape: unknown;
        try { shape = JSON.parse(answer); } catch { shape = undefined; }
        const e = shape as { error_code?: unknown; message?: unknown } | undefined;
        if (e?.error_code !== status || typeof e.message !== 'string' || e.message.length === 0) bad.push(`unshaped ${status} ${method} ${p.slice(0, 80)} -> ${answer.slice(0, 200)}`);
      }
      if ((status === 201 || status === 200) && (r.kind === 'create' || r.kind === 'put-config')) created.add(r.name);
    }
    console.log(`fuzz: ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, connectors accepted ${created.size}`);
    expect(bad).toEqual([]);

    // The worker is alive and healthy; the connector created before still runs and reads.
    expect(worker.proc.child.exitCode).toBeNull();
    expect((await fetch(`${worker.base}/health`)).status).toBe(200);
    const listed = (await worker.http('GET', '/connectors')).body as string[];
    expect(listed).toContain(name);
    expect((await worker.http('GET', `/connectors/${name}/status`)).body.connector.state).toBe('RUNNING');
    // No table made or dropped by what was sent, the canary's row intact, nothing written outside
    // the allowed directory. Other test files run beside this one and make and drop tables of their
    // own (each named uniquely), so the check is on what this run's requests could name: the canary
    // is still there, and no new table carries a name from the injections or the generated configs.
    const now = await tables();
    expect(now).toContain(table);
    const generated = new Set(samples.flatMap((r) => [r.name, ...Object.values(typeof r.config === 'object' && r.config ? r.config : {})]).map((v) => text(v).toLowerCase()));
    const suspicious = now.filter((t) => !tablesBefore.includes(t) && (/canary|fuzz|probe|drop|select|script/i.test(t.replace(table, '')) || generated.has(t.toLowerCase())));
    expect(suspicious).toEqual([]);
    expect((await db.query(`SELECT v FROM \`${table}\``))[0]).toEqual([{ v: 'alive' }]);
    expect((await readdir(os.tmpdir())).filter((f) => f.startsWith('FUZZ_PROBE'))).toEqual([]);
  }, 600_000);
});
