// The Salesforce source against a recorded-contract stand-in (test/helpers/salesforce-standin.ts):
// no Salesforce server exists here, so what is proven is the source's side of Salesforce's
// documented REST contract (token grants, describe, query with nextRecordsUrl pages, error
// bodies), not Salesforce itself. The task alone: offsets by (LastModifiedDate, Id) across pages,
// queries and restarts, ties at one second, token renewal, JWT bearer, error classes. Through a
// worker: records to Kafka, a record a transform cannot convert dead-lettered, stop/resume from
// the committed offsets; and the conformance kit.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceSource } from '../../src/connectors/salesforce-source/index.js';
import { buildQuery, soqlDateTime } from '../../src/connectors/salesforce-source/task.js';
import type { PluginLogger, SourceTask } from '../../src/connectors/types.js';
import { ConfigError, RetriableError } from '../../src/errors.js';
import type { SourceOffset, SourceRecord } from '../../src/records/record.js';
import type { Struct } from '../../src/records/schema.js';
import { runConformance } from '../../src/testing/index.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { startStandIn, type StandIn } from '../helpers/salesforce-standin.js';
import { uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const CLIENT_ID = '3MVG9tconnect.consumer.key';
const CLIENT_SECRET = 'sf-consumer-s3cret';
const USERNAME = 'integration@tconnect.example';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dir = mkdtempSync(path.join(tmpdir(), 'tc-sf-'));
const keyPath = path.join(dir, 'key.pem');
writeFileSync(keyPath, keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pem-pass' }));

let sf: StandIn;
const never = new AbortController().signal;
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
let objectSeq = 0;
/** An SObject name no other test uses (the stand-in keeps every object). */
const objectName = () => `Acct${++objectSeq}x${Date.now().toString(36)}`;

beforeAll(async () => {
  sf = await startStandIn({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, username: USERNAME, jwtPublicKey: keys.publicKey, pageSize: 2 });
});
afterAll(async () => {
  await sf.close();
});

const base = (object: string) => ({
  'salesforce.instance': sf.url, 'salesforce.consumer.key': CLIENT_ID, 'salesforce.consumer.secret': CLIENT_SECRET,
  'salesforce.object': object, 'kafka.topic': 'sf-${object}', 'poll.interval.ms': '0', 'batch.max.rows': '3',
});

async function start(cfg: Record<string, string>, offsets: Map<string, SourceOffset> = new Map()): Promise<SourceTask> {
  return salesforceSource.startTask(cfg, { connectorName: 'it-sf', taskId: 0, logger, offsetFor: (p) => offsets.get(String(p.object)) ?? null });
}

const nameOf = (r: SourceRecord) => (r.value as Struct).get('Name');

/** Polls until n records came (or throws). */
async function drain(task: SourceTask, n: number, max = 100): Promise<SourceRecord[]> {
  const got: SourceRecord[] = [];
  await waitFor(async () => {
    got.push(...(await task.poll(max, never)));
    return got.length >= n;
  }, { what: `${n} records`, timeout: 20_000 });
  return got;
}

describe('Salesforce source task', () => {
  it('reads every record once across queries and nextRecordsUrl pages, ties at one second ordered by Id, and resumes after a committed offset', async () => {
    const obj = objectName();
    const t0 = new Date('2026-01-02T03:04:05.000Z');
    const tie = new Date(t0.getTime() + 1000);
    const added = [sf.add(obj, { Name: 'a' }, t0), sf.add(obj, { Name: 'b' }, tie), sf.add(obj, { Name: 'c' }, tie), sf.add(obj, { Name: 'd' }, tie), sf.add(obj, { Name: 'e' }, new Date(t0.getTime() + 2000))];
    const task = await start(base(obj));
    const first = await drain(task, 5);
    expect(first.map((r) => nameOf(r))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(first[0]).toMatchObject({ topic: `sf-${obj}`, key: added[0].Id, sourcePartition: { object: obj }, sourceOffset: { LastModifiedDate: '2026-01-02T03:04:05Z', Id: added[0].Id } });
    expect((first[0].value as Struct).toObject()).toEqual({ Id: added[0].Id, LastModifiedDate: t0, Name: 'a', AnnualRevenue: null, Industry: null });
    expect(first[0].valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.name ?? null, f.schema.optional])).toEqual([
      ['Id', 'string', null, false], ['LastModifiedDate', 'int64', 'org.apache.kafka.connect.data.Timestamp', true], ['Name', 'string', null, true],
      ['AnnualRevenue', 'float64', null, true], ['Industry', 'string', null, true],
    ]);
    // LIMIT 3 with pages of 2: query (2 rows) + queryMore (1), then a query from the third record's offset.
    const ours = sf.queries.filter((q) => q.includes(`FROM ${obj} `));
    expect(ours[0]).toBe(`SELECT Id, LastModifiedDate, Name, AnnualRevenue, Industry FROM ${obj} ORDER BY LastModifiedDate ASC, Id ASC LIMIT 3`);
    expect(ours[1]).toContain(`WHERE LastModifiedDate > 2026-01-02T03:04:06Z OR (LastModifiedDate = 2026-01-02T03:04:06Z AND Id > '${added[2].Id}')`);
    expect(await task.poll(100, never)).toEqual([]);

    // A new change comes on the next poll; nothing old again.
    sf.add(obj, { Name: 'f' }, new Date(t0.getTime() + 3000));
    expect((await drain(task, 1)).map((r) => nameOf(r))).toEqual(['f']);
    await task.close();

    // A task restarted from the offset of "c" (inside the one-second tie) reads exactly d, e, f.
    const restarted = await start(base(obj), new Map([[obj, first[2].sourceOffset]]));
    expect((await drain(restarted, 3)).map((r) => nameOf(r))).toEqual(['d', 'e', 'f']);
    expect(await restarted.poll(100, never)).toEqual([]);
    await restarted.close();
  });

  it('renews an expired session once, retries 503 as RetriableError, and latest skips existing records', async () => {
    const obj = objectName();
    sf.add(obj, { Name: 'old' }, new Date('2026-01-01T00:00:00Z'));
    const task = await start(base(obj));
    await drain(task, 1);
    const issued = sf.tokensIssued();
    sf.expireTokens();
    sf.add(obj, { Name: 'after expiry' }, new Date('2026-01-01T00:00:01Z'));
    expect((await drain(task, 1)).map((r) => nameOf(r))).toEqual(['after expiry']);
    expect(sf.tokensIssued()).toBe(issued + 1);
    sf.failNext(1);
    sf.add(obj, { Name: 'x' }, new Date('2026-01-01T00:00:02Z'));
    await expect(task.poll(10, never)).rejects.toBeInstanceOf(RetriableError);
    expect((await drain(task, 1)).map((r) => nameOf(r))).toEqual(['x']);

    const latest = await start({ ...base(obj), 'salesforce.initial.start': 'latest' });
    expect(await latest.poll(10, never)).toEqual([]);
    sf.add(obj, { Name: 'new' }, new Date(Date.now() + 60_000));
    expect((await drain(latest, 1)).map((r) => nameOf(r))).toEqual(['new']);
  });

  it('JWT bearer with an encrypted PEM key; refused grants, unknown objects and fields are ConfigErrors naming the key', async () => {
    const obj = objectName();
    sf.add(obj, { Name: 'jwt' }, new Date('2026-02-01T00:00:00Z'));
    const jwt = { ...base(obj), 'salesforce.grant.type': 'JWT_BEARER', 'salesforce.consumer.secret': '', 'salesforce.username': USERNAME, 'salesforce.jwt.keystore.path': keyPath, 'salesforce.jwt.keystore.password': 'pem-pass', 'salesforce.fields': 'Name' };
    const task = await start(jwt);
    expect(((await drain(task, 1))[0].value as Struct).toObject()).toEqual({ Id: expect.any(String), LastModifiedDate: new Date('2026-02-01T00:00:00Z'), Name: 'jwt' });

    const refused = async (cfg: Record<string, string>) => {
      const t = await start(cfg);
      return t.poll(10, never).then(() => undefined, (e: unknown) => e);
    };
    const wrongUser = await refused({ ...jwt, 'salesforce.username': 'someone@else' });
    expect(wrongUser).toBeInstanceOf(ConfigError);
    expect((wrongUser as ConfigError).problems[0].key).toBe('salesforce.username');
    expect((wrongUser as Error).message).toMatch(/invalid_grant/);
    expect(await refused({ ...jwt, 'salesforce.jwt.keystore.password': 'wrong' })).toBeInstanceOf(ConfigError);
    const badSecret = await refused({ ...base(obj), 'salesforce.consumer.secret': 'nope' });
    expect((badSecret as ConfigError).problems[0].key).toBe('salesforce.consumer.secret');
    expect((badSecret as Error).message).not.toContain('nope');
    const noObject = await refused({ ...base('NoSuchThing') });
    expect((noObject as ConfigError).problems[0].key).toBe('salesforce.object');
    const badField = await refused({ ...base(obj), 'salesforce.fields': 'Nope__c' });
    expect((badField as ConfigError).problems[0]).toMatchObject({ key: 'salesforce.fields', message: expect.stringMatching(/INVALID_FIELD/) });
  });

  it('SOQL literals and config rules', () => {
    expect(soqlDateTime('2024-05-06T10:00:00.000+0000')).toBe('2024-05-06T10:00:00Z');
    expect(buildQuery('Lead', ['Id'], { LastModifiedDate: '2024-05-06T10:00:00Z', Id: "00Q' OR Name != '" }, 5)).toBe("SELECT Id FROM Lead WHERE LastModifiedDate > 2024-05-06T10:00:00Z OR (LastModifiedDate = 2024-05-06T10:00:00Z AND Id > '00QORName') ORDER BY LastModifiedDate ASC, Id ASC LIMIT 5");
    const parsed = salesforceSource.config.parse({ 'salesforce.consumer.key': 'k', 'salesforce.object': 'Account,Bad Name', 'kafka.topic': 't', 'salesforce.grant.type': 'jwt_bearer' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const problems = salesforceSource.validate!(parsed.value).map((p) => p.key);
    expect(problems).toEqual(['salesforce.username', 'salesforce.jwt.keystore.path', 'salesforce.object']);
  });
});

describe('Salesforce source through a worker', () => {
  const fx = useWorker({ sdk: true });
  const topics: string[] = [];
  afterAll(async () => {
    await deleteTopics(topics);
  });

  it('writes changes to Kafka, dead-letters a record a transform cannot convert, and resumes after a stop from the committed offsets', async () => {
    const obj = objectName();
    const topic = uniqueName('sf');
    const dlq = `${topic}-dlq`;
    topics.push(topic, dlq);
    const t0 = new Date('2026-03-01T00:00:00Z');
    sf.add(obj, { Name: 'one', AnnualRevenue: 100.5, Industry: '1' }, t0);
    sf.add(obj, { Name: 'two', AnnualRevenue: 200, Industry: 'Energy' }, new Date(t0.getTime() + 1000));
    sf.add(obj, { Name: 'three', AnnualRevenue: 300, Industry: '3' }, new Date(t0.getTime() + 2000));
    const name = uniqueName('sf-source');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'temporal.connect.salesforce.SalesforceQuerySourceConnector', ...base(obj), 'kafka.topic': topic, 'salesforce.fields': 'Name,AnnualRevenue,Industry',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      transforms: 'cast', 'transforms.cast.type': 'org.apache.kafka.connect.transforms.Cast$Value', 'transforms.cast.spec': 'Industry:int32',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1', 'errors.deadletterqueue.context.headers.enable': 'true',
    } });
    const out = await readTopic(topic, 2);
    expect(out.map((m) => JSON.parse(m.value!) as { Name: string; AnnualRevenue: number; Industry: number }).map((v) => [v.Name, v.AnnualRevenue, v.Industry])).toEqual([['one', 100.5, 1], ['three', 300, 3]]);
    const dead = await readTopic(dlq, 1);
    expect(JSON.parse(dead[0].value!)).toMatchObject({ Name: 'two', Industry: 'Energy' });
    expect(dead[0].headers['__connect.errors.stage']).toBe('TRANSFORMATION');

    await waitFor(async () => JSON.stringify((await fx.sdk.offsets(name)).offsets).includes('2026-03-01T00:00:02Z'), { what: 'the offset of "three" committed', timeout: 60_000 });
    await fx.sdk.stop(name);
    await waitFor(async () => (await fx.sdk.status(name)).connector.state === 'STOPPED', { what: 'STOPPED', timeout: 60_000 });
    const offsets = (await fx.sdk.offsets(name)).offsets;
    expect(offsets).toEqual([{ partition: { object: obj }, offset: { LastModifiedDate: '2026-03-01T00:00:02Z', Id: expect.any(String) } }]);
    sf.add(obj, { Name: 'four', AnnualRevenue: 400, Industry: '4' }, new Date(t0.getTime() + 3000));
    await fx.sdk.resume(name);
    const after = await readTopic(topic, 3);
    expect(after.map((m) => (JSON.parse(m.value!) as { Name: string }).Name)).toEqual(['one', 'three', 'four']);
    expect(JSON.stringify(await fx.sdk.config(name))).not.toContain(CLIENT_SECRET);
  });

  it('passes the conformance kit', async () => {
    const obj = objectName();
    let t = Date.parse('2026-04-01T00:00:00Z');
    const results = await runConformance({
      plugin: salesforceSource,
      config: { ...base(obj), 'kafka.topic': 'kit-sf' },
      invalid: [{ patch: { 'salesforce.consumer.secret': null }, key: 'salesforce.consumer.secret' }, { patch: { 'salesforce.version': 'latest-ish' }, key: 'salesforce.version' }],
      broken: { 'salesforce.consumer.secret': 'wrong-secret' },
      seed: async () => {
        for (let i = 0; i < 6; i++) sf.add(obj, { Name: `kit ${i}` }, new Date((t += 1000)));
        return 6;
      },
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
