// The Snowflake sink against the local SQL API stand-in (scripts/stack/standins/snowflake_sql_api.py,
// fakesnow on DuckDB): no Snowflake server runs outside Snowflake, so nothing here is proven against
// a Snowflake account. Covered: the key-pair JWT as Snowflake documents it (verified by the
// stand-in), the documented response shapes (test/fixtures/snowflake-sql-api) both as the stand-in
// answers them and as the client reads them, 202 + statementStatusUrl polling, Kafka → worker →
// tables with RECORD_METADATA/RECORD_CONTENT VARIANT columns, and the conformance kit.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { KeyPairAuth, loadPrivateKey, publicKeyFingerprint } from '../../src/connectors/snowflake-sink/auth.js';
import { snowflakeSink } from '../../src/connectors/snowflake-sink/index.js';
import { SqlApiClient, StatementError, type ResultSet } from '../../src/connectors/snowflake-sink/sql-api.js';
import { javaHashCode, tableFor } from '../../src/connectors/snowflake-sink/table-name.js';
import { Schemas, Struct } from '../../src/index.js';
import type { SinkRecord } from '../../src/records/record.js';
import { runConformance } from '../../src/testing/index.js';
import { requireServer, serviceEnv } from '../helpers/extra-service.js';
import { useWorker } from '../helpers/fixture.js';
import { kafka } from '../helpers/clients.js';
import { REPO_ROOT, uniqueIdent, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/snowflake-sql-api');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const ACCOUNT = 'TCSTANDIN';
const never = new AbortController().signal;

/** Every key path of a JSON value (array items merged), to compare shapes, not values. */
function shape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length ? [...new Set(v.flatMap((x) => shape(x, `${prefix}[]`)))] : [];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [`${prefix}.${k}`, ...shape(x, `${prefix}.${k}`)]);
  return [];
}

describe('Snowflake sink (SQL API stand-in, not Snowflake)', () => {
  const fx = useWorker({ sdk: true });
  let url: string;
  let user: string;
  let key: KeyObject;
  let pem: string;
  let database: string;
  const topics: string[] = [];

  function client(session: { database?: string; schema?: string } = {}, k: KeyObject = key): SqlApiClient {
    return new SqlApiClient(url, new KeyPairAuth(ACCOUNT, user, k), { database: session.database ?? database, schema: session.schema ?? 'PUBLIC' }, { retries: 2, backoffMs: 50, timeoutSeconds: 30 });
  }

  async function register(u: string, k: KeyObject): Promise<void> {
    const publicKeyPem = (await import('node:crypto')).createPublicKey(k).export({ type: 'spki', format: 'pem' }).toString();
    const res = await fetch(`${url}/_standin/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: ACCOUNT, user: u, publicKeyPem }) });
    expect(res.status).toBe(200);
  }

  async function rows(table: string): Promise<Array<{ meta: Record<string, unknown>; content: unknown }>> {
    const r = await client().execute({ statement: `select record_metadata, record_content from ${table} order by record_metadata:offset::int` }, never);
    return (r.data ?? []).map(([m, c]) => ({ meta: JSON.parse(m!) as Record<string, unknown>, content: c === null ? null : JSON.parse(c!) }));
  }

  beforeAll(async () => {
    url = serviceEnv('SNOWFLAKE_STANDIN_URL', 'snowflake');
    await requireServer(`${url}/_standin/health`, 'snowflake');
    user = uniqueIdent('sfuser').toUpperCase();
    database = uniqueIdent('sfdb').toUpperCase();
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = pair.privateKey;
    pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    await register(user, key);
  });

  afterAll(async () => {
    await deleteTopics(topics);
  });

  it('signs the key-pair JWT as Snowflake documents it, and the stand-in verifies it', async () => {
    const auth = new KeyPairAuth('tcstandin.us-east-2.aws', user.toLowerCase(), key);
    const jwt = await auth.jwt();
    const claims = decodeJwt(jwt);
    expect(decodeProtectedHeader(jwt).alg).toBe('RS256');
    expect(claims.sub).toBe(`${ACCOUNT}.${user}`);
    expect(claims.iss).toBe(`${ACCOUNT}.${user}.${publicKeyFingerprint(key)}`);
    expect(publicKeyFingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    expect(claims.exp! - claims.iat!).toBeGreaterThan(3000);
    // Cached until 5 minutes before it expires, then renewed.
    expect(await auth.jwt()).toBe(jwt);
    expect(await auth.jwt(Date.now() + 56 * 60_000)).not.toBe(jwt);

    const r = await client().execute({ statement: 'select 1 as one' }, never);
    expect(r.data).toEqual([['1']]);

    // Another key for the same user: refused by the stand-in (401 390144) → ConfigError naming the key.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const refused = await client({}, other).execute({ statement: 'select 1' }, never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems[0]?.key).toBe('snowflake.private.key');
    expect((refused as Error).message).toMatch(/390144/);
  });

  it('reads an encrypted PKCS#8 key, with or without its PEM lines; a wrong passphrase names the passphrase key', () => {
    const encrypted = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'p4ss' }).toString();
    expect(publicKeyFingerprint(loadPrivateKey(encrypted, 'p4ss'))).toBe(publicKeyFingerprint(key));
    const body = encrypted.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    expect(publicKeyFingerprint(loadPrivateKey(body, 'p4ss'))).toBe(publicKeyFingerprint(key));
    const wrong = (() => { try { loadPrivateKey(encrypted, 'nope'); } catch (e) { return e; } })() as ConfigError;
    expect(wrong).toBeInstanceOf(ConfigError);
    expect(wrong.problems[0]?.key).toBe('snowflake.private.key.passphrase');
    expect(wrong.message).not.toContain('p4ss');
  });

  it('the stand-in answers in the documented shapes: 200 ResultSet, 200 insert, 202 then polling, 422, 401', async () => {
    const auth = new KeyPairAuth(ACCOUNT, user, key);
    const post = async (statement: string, query = '', bindings?: object) => {
      const res = await fetch(`${url}/api/v2/statements${query}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await auth.jwt()}`, 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ statement, database, schema: 'PUBLIC', timeout: 30, ...(bindings ? { bindings } : {}) }),
      });
      return { status: res.status, body: await res.json() as Record<string, unknown> };
    };
    await post('create table if not exists SHAPES (record_metadata variant, record_content variant)');
    const insert = await post("insert into SHAPES (RECORD_METADATA, RECORD_CONTENT) select parse_json(column1), parse_json(column2) from values (?, ?), (?, ?)", '', {
      1: { type: 'TEXT', value: '{"offset":0}' }, 2: { type: 'TEXT', value: '{"id":1}' }, 3: { type: 'TEXT', value: '{"offset":1}' }, 4: { type: 'TEXT', value: 'null' },
    });
    expect(insert.status).toBe(200);
    expect(shape(insert.body).filter((k) => !k.includes('rowType[]'))).toEqual(expect.arrayContaining(shape(fixture('insert-200.json')).filter((k) => !k.includes('rowType[]'))));
    expect(insert.body.stats).toEqual({ numRowsInserted: 2 });

    const select = await post('select record_metadata, record_content from SHAPES');
    expect(select.status).toBe(200);
    expect(shape(select.body)).toEqual(expect.arrayContaining(shape(fixture('result-set-200.json')).filter((k) => !/rowType\[\]\.(byteLength|length|precision|scale|collation)/.test(k))));
    expect((select.body.data as unknown[][]).every((row) => row.every((v) => v === null || typeof v === 'string'))).toBe(true);

    const running = await post('select count(*) from SHAPES', '?async=true');
    expect(running.status).toBe(202);
    expect(Object.keys(running.body).sort()).toEqual(Object.keys(fixture('query-status-202.json')).sort());
    expect(running.body.code).toBe('333334');
    const done = await waitFor(async () => {
      const res = await fetch(new URL(String(running.body.statementStatusUrl), url), { headers: { Authorization: `Bearer ${await auth.jwt()}`, 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT', Accept: 'application/json' } });
      return res.status === 200 ? await res.json() as ResultSet : null;
    }, { what: 'the async statement' });
    expect(done.data).toEqual([['2']]);

    const failure = await post('select * from NOPE');
    expect(failure.status).toBe(422);
    expect(Object.keys(failure.body).sort()).toEqual(Object.keys(fixture('query-failure-422.json')).sort());

    const unauthorized = await fetch(`${url}/api/v2/statements`, { method: 'POST', headers: { Authorization: 'Bearer not.a.jwt', 'Content-Type': 'application/json' }, body: '{"statement":"select 1"}' });
    expect(unauthorized.status).toBe(401);
    expect(Object.keys(await unauthorized.json() as object).sort()).toEqual(Object.keys(fixture('jwt-invalid-401.json')).sort());
  });

  it('the client reads every documented answer (fixtures replayed): result, 202 then poll, 422, 401, a retried 503 resubmitted with retry=true', async () => {
    const seen: string[] = [];
    const script: Array<[number, string]> = [];
    const server: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const [status, file] = script.shift() ?? [500, ''];
      res.writeHead(status, { 'content-type': 'application/json' }).end(file ? readFileSync(path.join(FIXTURES, file)) : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const c = new SqlApiClient(base, new KeyPairAuth(ACCOUNT, user, key), { database: 'D', schema: 'S' }, { retries: 2, backoffMs: 10, timeoutSeconds: 10 });
      script.push([200, 'result-set-200.json']);
      expect((await c.execute({ statement: 'select 1' }, never)).data?.[1]).toEqual([expect.stringContaining('"offset": 1'), null]);
      script.push([202, 'query-status-202.json'], [202, 'query-status-202.json'], [200, 'insert-200.json']);
      expect((await c.execute({ statement: 'insert' }, never)).stats?.numRowsInserted).toBe(2);
      expect(seen.slice(-2)).toEqual(['GET /api/v2/statements/01a2b3c4-0000-1111-0000-000100020005', 'GET /api/v2/statements/01a2b3c4-0000-1111-0000-000100020005']);
      script.push([422, 'query-failure-422.json']);
      const failed = await c.execute({ statement: 'select * from NOPE' }, never).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(StatementError);
      expect(failed).toMatchObject({ code: '002003', sqlState: '42S02' });
      script.push([401, 'jwt-invalid-401.json']);
      expect(await c.execute({ statement: 'select 1' }, never).catch((e: unknown) => e)).toBeInstanceOf(ConfigError);
      script.push([503, ''], [200, 'insert-200.json']);
      await c.execute({ statement: 'insert' }, never);
      const [first, second] = seen.slice(-2);
      const id = /requestId=([0-9a-f-]+)/.exec(first!)?.[1];
      expect(id).toBeTruthy();
      expect(second).toBe(`POST /api/v2/statements?requestId=${id}&retry=true`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('names tables as Snowflake\'s connector does', () => {
    expect(tableFor('orders', new Map())).toBe('orders');
    expect(tableFor('audit.eu', new Map([['audit\\..*', 'AUDIT']]))).toBe('AUDIT');
    // Java's "my-topic".hashCode() is -1894580786, "1topic".hashCode() 1513374622.
    expect(javaHashCode('my-topic')).toBe(-1_894_580_786);
    expect(tableFor('my-topic', new Map())).toBe('my_topic_1894580786');
    expect(tableFor('1topic', new Map())).toBe('_1topic_1513374622');
  });

  it('Kafka → worker → stand-in: the table gets RECORD_METADATA/RECORD_CONTENT VARIANT columns, rows their metadata and content', async () => {
    const topic = uniqueIdent('sf_orders');
    topics.push(topic);
    const schema = { type: 'struct', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }, { field: 'item', type: 'string', optional: true }, { field: 'price', type: 'double', optional: false }] };
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await p.send({ topic, messages: [1, 2, 3].map((id) => ({
      key: `order-${id}`, timestamp: String(1_733_000_000_000 + id),
      value: JSON.stringify({ schema, payload: { id, item: id === 2 ? null : `item ${id}`, price: id * 1.5 } }),
      headers: { source: 'tc-test' },
    })) });
    await p.disconnect();
    const table = `T_${topic.toUpperCase()}`;
    const encrypted = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'sf-p4ss' }).toString();
    const name = `sf-${topic}`;
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'com.snowflake.kafka.connector.SnowflakeSinkConnector', topics: topic,
      'snowflake.url.name': url, 'snowflake.account.name': ACCOUNT, 'snowflake.user.name': user,
      'snowflake.private.key': encrypted.split('\n').filter((l) => l && !l.startsWith('-----')).join(''), 'snowflake.private.key.passphrase': 'sf-p4ss',
      'snowflake.database.name': database, 'snowflake.schema.name': 'PUBLIC', 'snowflake.topic2table.map': `${topic}:${table}`,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true',
      'header.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'buffer.count.records': '100', 'buffer.flush.time': '10',
    } });
    const got = await waitFor(async () => {
      const r = await rows(table).catch(() => []);
      return r.length === 3 ? r : null;
    }, { what: '3 rows in the stand-in', timeout: 60_000 });
    expect(got[0]).toEqual({ meta: { topic, offset: 0, partition: 0, CreateTime: 1_733_000_000_001, key: 'order-1', headers: { source: 'tc-test' } }, content: { id: 1, item: 'item 1', price: 1.5 } });
    expect(got[1]!.content).toEqual({ id: 2, item: null, price: 3 });
    expect(Object.keys(got[2]!.meta)).toEqual(['topic', 'offset', 'partition', 'CreateTime', 'key', 'headers']);
    const desc = await client().execute({ statement: `desc table ${table}` }, never);
    expect(desc.data?.map((r) => [r[0], r[1]])).toEqual([['RECORD_METADATA', 'VARIANT'], ['RECORD_CONTENT', 'VARIANT']]);
    const status = await fx.sdk.status(name);
    expect(JSON.stringify(status)).not.toContain('sf-p4ss');
  });

  it('passes the conformance kit (at-least-once appends), polling a 202 on the way', async () => {
    const table = uniqueIdent('SF_KIT').toUpperCase();
    const schema = Schemas.struct([['n', Schemas.int64()], ['d', Schemas.date()]]);
    const records = (): SinkRecord[] => [0, 1, 2].map((i) => ({
      topic: 'kit', kafkaPartition: 0, kafkaOffset: i, originalTopic: 'kit', originalKafkaPartition: 0, originalKafkaOffset: i,
      key: null, value: new Struct(schema, { n: i, d: new Date(Date.UTC(2024, 0, i + 1)) }), valueSchema: schema, headers: [],
    }));
    const count = async () => Number((await client().execute({ statement: `select count(*) from ${table}` }, never).catch(() => ({ data: [['0']] }) as ResultSet)).data?.[0]?.[0]);
    await fetch(`${url}/_standin/async`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":2}' });
    const results = await runConformance({
      plugin: snowflakeSink,
      config: {
        topics: 'kit', 'snowflake.url.name': url, 'snowflake.account.name': ACCOUNT, 'snowflake.user.name': user, 'snowflake.private.key': pem,
        'snowflake.database.name': database, 'snowflake.schema.name': 'PUBLIC', 'snowflake.topic2table.map': `kit:${table}`,
      },
      invalid: [{ patch: { 'snowflake.topic2table.map': 'kit:9bad' }, key: 'snowflake.topic2table.map' }, { patch: { 'snowflake.url.name': 'ftp://x' }, key: 'snowflake.url.name' }],
      broken: { 'snowflake.user.name': 'NOBODY' },
      records,
      reset: async () => void await client().execute({ statement: `create or replace table ${table} (record_metadata variant, record_content variant)` }, never),
      count,
      idempotent: false,
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const r = await rows(table);
    expect(r[0]!.content).toEqual({ n: 0, d: '2024-01-01T00:00:00.000Z' });
  });
});
