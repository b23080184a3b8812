import type { Connection } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, RetriableError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { LOGICAL, type Struct } from '../../src/records/schema.js';
import type { PluginLogger, SourceTask } from '../../src/connectors/types.js';
import { jdbcSource } from '../../src/connectors/jdbc-source/index.js';
import { mysqlConnection } from '../helpers/clients.js';
import { stackEnv, uniqueIdent } from '../helpers/stack.js';
import { drain as drainTask, Offsets } from '../helpers/task-io.js';

// The JDBC source against the stack's real MariaDB: every mode, ties, restarts from committed
// offsets, type mapping, query mode, table selection, re-planning and connection failures.

const env = stackEnv();
const URL = `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`;
const DB = env.MYSQL_DATABASE;

let sql: Connection;
const created: string[] = [];
const tasks: SourceTask[] = [];

beforeAll(async () => {
  sql = await mysqlConnection();
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
  for (const t of created.splice(0)) await sql.query(`DROP TABLE IF EXISTS \`${t}\``);
});
afterAll(async () => {
  await sql?.end();
});

const warnings: object[] = [];
const logger: PluginLogger = { debug() {}, info() {}, warn(o) { warnings.push(o); }, error() {} };
const connectorCtx = { connectorName: 'it-jdbc', logger };

async function table(prefix: string, columns: string): Promise<string> {
  const name = uniqueIdent(prefix);
  created.push(name);
  await sql.query(`CREATE TABLE \`${name}\` (${columns})`);
  return name;
}

function config(o: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': URL,
    'connection.user': env.MYSQL_USER,
    'connection.password': env.MYSQL_PASSWORD,
    'topic.prefix': 'it-',
    'poll.interval.ms': '600000',
    ...o,
  };
}


async function start(taskConfig: Record<string, string>, offsets = new Offsets()): Promise<SourceTask> {
  const t = await jdbcSource.startTask(taskConfig, { ...connectorCtx, taskId: 0, offsetFor: offsets.offsetFor });
  tasks.push(t);
  return t;
}

/** A single-table task config, as taskConfigs writes it. */
function forTable(name: string, o: Record<string, string>): Record<string, string> {
  return config({ ...o, tables: `\`${DB}\`.\`${name}\`` });
}

const signal = new AbortController().signal;

const drain = (task: SourceTask, max = 1000) => drainTask(task, signal, max);

const values = (records: SourceRecord[]) => records.map((r) => (r.value as Struct).toObject());
const ids = (records: SourceRecord[]) => records.map((r) => Number((r.value as Struct).get('id')));

describe('bulk', () => {
  it('reads the whole table each time it is due, offsets empty, topic = prefix + table', async () => {
    const t = await table('bulk', 'id INT PRIMARY KEY, name VARCHAR(10)');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'a'),(2,'b'),(3,'c')`);
    const task = await start(forTable(t, { mode: 'bulk', 'poll.interval.ms': '0' }));
    const first = await task.poll(100, signal);
    expect(ids(first)).toEqual([1, 2, 3]);
    expect(first[0]).toMatchObject({ topic: `it-${t}`, key: null, sourcePartition: { protocol: '1', table: `${DB}.${t}` }, sourceOffset: {} });
    expect((first[0].valueSchema as { name?: string }).name).toBe(t);
    await sql.query(`INSERT INTO \`${t}\` VALUES (4,'d')`);
    expect(ids(await task.poll(100, signal))).toEqual([1, 2, 3, 4]);
  });
});

describe('incrementing', () => {
  it('reads only new rows, resumes after the committed id, finds the AUTO_INCREMENT column itself', async () => {
    const t = await table('inc', 'id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10)');
    await sql.query(`INSERT INTO \`${t}\` (name) VALUES ('a'),('b'),('c')`);
    const offsets = new Offsets();
    const cfg = forTable(t, { mode: 'incrementing', 'poll.interval.ms': '0', 'batch.max.rows': '2' });
    const task = await start(cfg, offsets);
    const first = await task.poll(2, signal);
    offsets.record(first);
    expect(ids(first)).toEqual([1, 2]);
    expect(first.map((r) => r.sourceOffset)).toEqual([{ incrementing: 1 }, { incrementing: 2 }]);
    await task.close();

    // A new task from the committed offset: row 3 and the later inserts, nothing twice.
    await sql.query(`INSERT INTO \`${t}\` (name) VALUES ('d'),('e')`);
    await sql.query(`UPDATE \`${t}\` SET name = 'A' WHERE id = 1`); // invisible to incrementing mode
    const resumed = await start(cfg, offsets);
    expect(ids(await drain(resumed))).toEqual([3, 4, 5]);
  });

  it('keeps BIGINT ids beyond 2^53 exact', async () => {
    const t = await table('incbig', 'id BIGINT NOT NULL PRIMARY KEY');
    await sql.query(`INSERT INTO \`${t}\` VALUES (9007199254740993), (9007199254740995)`);
    const offsets = new Offsets();
    const cfg = forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'id' });
    const got = await drain(await start(cfg, offsets));
    expect(got.map((r) => (r.value as Struct).get('id'))).toEqual([9007199254740993n, 9007199254740995n]);
    expect(got[0].sourceOffset).toEqual({ incrementing: 9007199254740993n });
    offsets.record(got.slice(0, 1));
    expect((await drain(await start(cfg, offsets))).map((r) => (r.value as Struct).get('id'))).toEqual([9007199254740995n]);
  });
});

describe('timestamp', () => {
  it('picks up inserted and updated rows', async () => {
    const t = await table('ts', 'id INT PRIMARY KEY, name VARCHAR(10), updated DATETIME(6) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'a','2024-01-01 00:00:00.000001'),(2,'b','2024-01-01 00:00:00.000002')`);
    const offsets = new Offsets();
    const cfg = forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'poll.interval.ms': '0' });
    const task = await start(cfg, offsets);
    const first = await drain(task);
    offsets.record(first);
    expect(ids(first)).toEqual([1, 2]);
    expect(JSON.stringify(first[1].sourceOffset)).toBe(`{"timestamp_nanos":2000,"timestamp":${Date.parse('2024-01-01T00:00:00Z')}}`);

    await sql.query(`UPDATE \`${t}\` SET name = 'A', updated = '2024-01-02 00:00:00' WHERE id = 1`);
    await sql.query(`INSERT INTO \`${t}\` VALUES (3,'c','2024-01-03 00:00:00')`);
    const second = await drain(task);
    expect(values(second).map((v) => [v.id, v.name])).toEqual([[1, 'A'], [3, 'c']]);
  });

  it('never loses rows sharing a timestamp when batch.max.rows cuts the run and the task restarts', async () => {
    const t = await table('tstie', 'id INT PRIMARY KEY, updated DATETIME(6) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'2024-01-01 00:00:01'),(2,'2024-01-01 00:00:02'),(3,'2024-01-01 00:00:02'),(4,'2024-01-01 00:00:02'),(5,'2024-01-01 00:00:03')`);
    const cfg = forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'batch.max.rows': '2' });
    const offsets = new Offsets();
    const task = await start(cfg, offsets);
    const cut = await task.poll(2, signal); // rows 1 and 2: the 00:00:02 run is cut after its first row
    expect(ids(cut)).toEqual([1, 2]);
    const t1 = Date.parse('2024-01-01T00:00:01Z');
    expect(cut.map((r) => r.sourceOffset)).toEqual([{ timestamp_nanos: 0, timestamp: t1 }, { timestamp_nanos: 0, timestamp: t1 }]);
    offsets.record(cut);
    await task.close(); // crash after committing rows 1-2

    const restarted = await start(cfg, offsets);
    const rest = await drain(restarted, 2);
    expect(ids(rest)).toEqual([2, 3, 4, 5]); // the whole run again (2 twice overall), nothing lost
    expect(rest.at(-1)!.sourceOffset).toEqual({ timestamp_nanos: 0, timestamp: Date.parse('2024-01-01T00:00:03Z') });
  });

  it('without a restart the open result set just continues: no duplicates', async () => {
    const t = await table('tstie2', 'id INT PRIMARY KEY, updated DATETIME(6) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'2024-01-01 00:00:01'),(2,'2024-01-01 00:00:02'),(3,'2024-01-01 00:00:02'),(4,'2024-01-01 00:00:03')`);
    const task = await start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'batch.max.rows': '1' }));
    const batches: number[][] = [];
    for (let b = await task.poll(1, signal); b.length; b = await task.poll(1, signal)) batches.push(ids(b));
    expect(batches).toEqual([[1], [2], [3], [4]]);
  });

  it('uses the first non-null of several timestamp columns (COALESCE)', async () => {
    const t = await table('tsco', 'id INT PRIMARY KEY, modified DATETIME NULL, created DATETIME NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1, NULL, '2024-01-01 00:00:05'), (2, '2024-01-01 00:00:01', '2023-01-01 00:00:00'), (3, '2024-01-01 00:00:09', '2020-01-01 00:00:00')`);
    const got = await drain(await start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'modified,created' })));
    expect(ids(got)).toEqual([2, 1, 3]);
    expect(got.at(-1)!.sourceOffset).toEqual({ timestamp_nanos: 0, timestamp: Date.parse('2024-01-01T00:00:09Z') });
  });

  it('timestamp.initial: -1 starts at the DB time now, an epoch starts there', async () => {
    const t = await table('tsinit', 'id INT PRIMARY KEY, updated DATETIME(6) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'2024-01-01 00:00:00'),(2,'2024-06-01 00:00:00')`);
    expect(await drain(await start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'timestamp.initial': '-1' })))).toEqual([]);
    const fromMay = await drain(await start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'timestamp.initial': String(Date.parse('2024-05-01T00:00:00Z')) })));
    expect(ids(fromMay)).toEqual([2]);
  });

  it('timestamp.delay.interval.ms holds back rows younger than the delay', async () => {
    const t = await table('tsdelay', 'id INT PRIMARY KEY, updated TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)');
    await sql.query(`INSERT INTO \`${t}\` (id) VALUES (1)`);
    await sql.query(`INSERT INTO \`${t}\` VALUES (2, DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 HOUR))`); // session zone is UTC here
    const got = await drain(await start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated', 'timestamp.delay.interval.ms': '600000' })));
    expect(ids(got)).toEqual([2]);
  });

  it('db.timezone applies to DATETIME values and to both query bounds', async () => {
    const t = await table('tstz', 'id INT PRIMARY KEY, updated DATETIME(6) NOT NULL');
    // Written "a second ago" on a +02:00 wall clock: two hours ahead of UTC.
    await sql.query(`INSERT INTO \`${t}\` VALUES (1, DATE_SUB(DATE_ADD(UTC_TIMESTAMP(6), INTERVAL 2 HOUR), INTERVAL 1 SECOND))`);
    const [[row]] = await sql.query(`SELECT DATE_FORMAT(updated, '%Y-%m-%dT%H:%i:%s.%f') AS w FROM \`${t}\``) as unknown as [[{ w: string }]];
    const base = { mode: 'timestamp', 'timestamp.column.name': 'updated' };

    // Read as UTC the row is two hours in the future: beyond the end bound.
    expect(await drain(await start(forTable(t, base)))).toEqual([]);

    const offsets = new Offsets();
    const cfg = forTable(t, { ...base, 'db.timezone': '+02:00' });
    const got = await drain(await start(cfg, offsets));
    expect(ids(got)).toEqual([1]);
    const instant = Date.parse(`${row.w.slice(0, 23)}+02:00`);
    expect((got[0].value as Struct).get('updated')).toEqual(new Date(instant));
    expect(got[0].sourceOffset).toMatchObject({ timestamp: instant });
    offsets.record(got);
    // The begin bound is written in the same zone: the row is not read again.
    expect(await drain(await start(cfg, offsets))).toEqual([]);
  });
});

describe('timestamp+incrementing', () => {
  it('orders by (timestamp, id), sees updates, and resumes inside a tie without loss or duplicate', async () => {
    const t = await table('tsinc', 'id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(5), updated TIMESTAMP(3) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` (v, updated) VALUES ('a','2024-01-01 00:00:00.500'),('b','2024-01-01 00:00:00.500'),('c','2024-01-01 00:00:00.500'),('d','2024-01-01 00:00:01')`);
    const cfg = forTable(t, { mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated', 'incrementing.column.name': 'id', 'batch.max.rows': '2' });
    const offsets = new Offsets();
    const task = await start(cfg, offsets);
    const first = await task.poll(2, signal);
    expect(ids(first)).toEqual([1, 2]);
    expect(JSON.stringify(first[1].sourceOffset)).toBe(`{"timestamp_nanos":500000000,"incrementing":2,"timestamp":${Date.parse('2024-01-01T00:00:00.500Z')}}`);
    offsets.record(first);
    await task.close();

    await sql.query(`UPDATE \`${t}\` SET v = 'A', updated = '2024-01-02 00:00:00' WHERE id = 1`);
    const resumed = await start(cfg, offsets);
    expect(values(await drain(resumed)).map((v) => `${v.id}${v.v}`)).toEqual(['3c', '4d', '1A']);
  });
});

describe('column types', () => {
  it('maps DECIMAL, DATETIME(6), JSON, BLOB, integers, dates and NULLs to Connect values', async () => {
    const t = await table('types', `id INT PRIMARY KEY, amount DECIMAL(20,6) NOT NULL, price DECIMAL(5,2) NULL,
      at DATETIME(6) NULL, ts TIMESTAMP(6) NULL, day DATE NULL, tod TIME(3) NULL, yr YEAR NULL,
      doc JSON NULL, data BLOB NULL, bin VARBINARY(4) NULL, txt TEXT NULL, flag BIT(1) NULL, small TINYINT UNSIGNED NULL,
      big BIGINT NULL, ratio DOUBLE NULL, f FLOAT NULL, color ENUM('red','green') NULL, tags SET('x','y') NULL`);
    await sql.query(`INSERT INTO \`${t}\` VALUES
      (1, 12345678901234.123456, -1.50, '2024-02-29 23:59:59.999999', '2024-03-01 01:02:03.000004', '2024-02-29', '12:34:56.789', 2024,
       '{"a": [1, 2]}', 0x00FF10, 0x0102, 'héllo', b'1', 250, -9007199254740993, 0.1, 1.5, 'green', 'x,y'),
      (2, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const [a, b] = await drain(await start(forTable(t, { mode: 'bulk' })));
    const schema = a.valueSchema!;
    const field = (n: string) => schema.fields!.find((f) => f.name === n)!.schema;
    expect(field('amount')).toEqual({ type: 'bytes', optional: false, name: LOGICAL.Decimal, version: 1, parameters: { scale: '6', 'connect.decimal.precision': '20' } });
    expect(field('price')).toMatchObject({ optional: true, parameters: { scale: '2', 'connect.decimal.precision': '5' } });
    expect(field('at')).toEqual({ type: 'int64', optional: true, name: LOGICAL.Timestamp, version: 1 });
    expect(field('day').name).toBe(LOGICAL.Date);
    expect(field('tod').name).toBe(LOGICAL.Time);
    expect(field('doc').type).toBe('string');
    expect(field('data').type).toBe('bytes');
    expect(field('flag').type).toBe('int8');
    expect(field('small').type).toBe('int16');
    expect(field('big').type).toBe('int64');
    expect(field('f').type).toBe('float32');

    expect((a.value as Struct).toObject()).toEqual({
      id: 1, amount: '12345678901234.123456', price: '-1.50',
      at: new Date('2024-02-29T23:59:59.999Z'), ts: new Date('2024-03-01T01:02:03.000Z'),
      day: new Date('2024-02-29T00:00:00Z'), tod: new Date(45_296_789), yr: new Date('2024-01-01T00:00:00Z'),
      doc: '{"a": [1, 2]}', data: Buffer.from([0, 255, 16]), bin: Buffer.from([1, 2]), txt: 'héllo', flag: 1, small: 250,
      big: -9007199254740993n, ratio: 0.1, f: 1.5, color: 'green', tags: 'x,y',
    });
    const nulls = (b.value as Struct).toObject();
    expect(Object.entries(nulls).filter(([k]) => k !== 'id' && k !== 'amount').every(([, v]) => v === null)).toBe(true);
    expect(nulls.amount).toBe('0.000000');
  });

  it('numeric.mapping=best_fit turns small DECIMALs into integers and doubles', async () => {
    const t = await table('numfit', 'id INT PRIMARY KEY, qty DECIMAL(9,0) NOT NULL, price DECIMAL(10,2) NOT NULL, huge DECIMAL(30,0) NOT NULL');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1, 123456789, 19.99, 123456789012345678901234567890)`);
    const [r] = await drain(await start(forTable(t, { mode: 'bulk', 'numeric.mapping': 'best_fit' })));
    expect(r.valueSchema!.fields!.map((f) => [f.name, f.schema.type])).toEqual([['id', 'int32'], ['qty', 'int32'], ['price', 'float64'], ['huge', 'bytes']]);
    expect((r.value as Struct).toObject()).toEqual({ id: 1, qty: 123456789, price: 19.99, huge: '123456789012345678901234567890' });
  });
});

describe('query mode', () => {
  it('appends the criteria and query.suffix to the query; topic = topic.prefix, partition {query}', async () => {
    const t = await table('q', 'id INT NOT NULL PRIMARY KEY, name VARCHAR(10), hidden INT');
    await sql.query(`INSERT INTO \`${t}\` VALUES (1,'a',0),(2,'b',0),(3,'c',0)`);
    const raw = config({
      mode: 'incrementing', 'incrementing.column.name': 'id', query: `SELECT id, name FROM \`${t}\``,
      'query.suffix': 'LIMIT 2', 'topic.prefix': `it-q-${t}`, 'poll.interval.ms': '0', 'tasks.max': '3',
    });
    const plan = await jdbcSource.taskConfigs(raw, 3, connectorCtx);
    expect(plan).toHaveLength(1);
    const task = await start(plan[0]);
    const first = await task.poll(10, signal); // the suffix limits each query to two rows
    expect(first.map((r) => (r.value as Struct).toObject())).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    expect(first[0]).toMatchObject({ topic: `it-q-${t}`, sourcePartition: { query: 'query' }, sourceOffset: { incrementing: 1 } });
    expect((first[0].valueSchema as { name?: string }).name).toBeUndefined();
    expect(ids(await task.poll(10, signal))).toEqual([3]);
  });

  it('a bad query or suffix fails the start with a ConfigError', async () => {
    const t = await table('qbad', 'id INT NOT NULL PRIMARY KEY');
    const raw = config({ mode: 'incrementing', 'incrementing.column.name': 'id', query: `SELECT id FROM \`${t}\``, 'query.suffix': 'NONSENSE', 'topic.prefix': 'x' });
    await expect(jdbcSource.startTask((await jdbcSource.taskConfigs(raw, 1, connectorCtx))[0], { ...connectorCtx, taskId: 0, offsetFor: () => null }))
      .rejects.toBeInstanceOf(ConfigError);
  });
});

describe('tables and tasks', () => {
  it('whitelist, blacklist and include lists select tables; tasks get contiguous groups', async () => {
    const p = uniqueIdent('sel');
    const names = ['a', 'b', 'c'].map((s) => `${p}_${s}`);
    for (const n of names) {
      created.push(n);
      await sql.query(`CREATE TABLE \`${n}\` (id INT PRIMARY KEY)`);
    }
    const tablesOf = (plan: Array<Record<string, string>>) => plan.map((c) => c.tables);
    const q = (n: string) => `\`${DB}\`.\`${n}\``;

    const white = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'table.whitelist': `${names[0]},${DB}.${names[2]}` }), 5, connectorCtx);
    expect(tablesOf(white)).toEqual([q(names[0]), q(names[2])]);

    const black = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'table.blacklist': names[1] }), 1, connectorCtx);
    const all = black[0].tables;
    expect(all).toContain(q(names[0]));
    expect(all).toContain(q(names[2]));
    expect(all).not.toContain(q(names[1]));

    const split = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'table.include.list': `${DB}\\.${p}_.*`, 'table.exclude.list': '.*_b' }), 2, connectorCtx);
    expect(tablesOf(split)).toEqual([q(names[0]), q(names[2])]);
    const three = await jdbcSource.taskConfigs(config({ mode: 'bulk', 'table.include.list': `${DB}\\.${p}_.*` }), 2, connectorCtx);
    expect(tablesOf(three)).toEqual([`${q(names[0])},${q(names[1])}`, q(names[2])]);
  });

  it('needsReplan notices a new matching table', async () => {
    const p = uniqueIdent('replan');
    const first = `${p}_1`;
    created.push(first, `${p}_2`);
    await sql.query(`CREATE TABLE \`${first}\` (id INT PRIMARY KEY)`);
    const raw = config({ mode: 'bulk', 'table.include.list': `${DB}\\.${p}_.*` });
    const plan = await jdbcSource.taskConfigs(raw, 4, connectorCtx);
    expect(plan).toHaveLength(1);
    expect(await jdbcSource.needsReplan!(raw, plan, connectorCtx)).toBe(false);
    await sql.query(`CREATE TABLE \`${p}_2\` (id INT PRIMARY KEY)`);
    expect(await jdbcSource.needsReplan!(raw, plan, connectorCtx)).toBe(true);
    expect(await jdbcSource.taskConfigs(raw, 4, connectorCtx)).toHaveLength(2);
  });

  it('serves several tables round-robin, each at most every poll.interval.ms', async () => {
    const a = await table('rr', 'id INT PRIMARY KEY');
    const b = await table('rr', 'id INT PRIMARY KEY');
    await sql.query(`INSERT INTO \`${a}\` VALUES (1),(2)`);
    await sql.query(`INSERT INTO \`${b}\` VALUES (10),(20)`);
    const task = await start(config({ mode: 'incrementing', 'incrementing.column.name': 'id', tables: `\`${DB}\`.\`${a}\`,\`${DB}\`.\`${b}\``, 'poll.interval.ms': '1500' }));
    expect((await task.poll(100, signal)).map((r) => r.topic)).toEqual([`it-${a}`, `it-${a}`, `it-${b}`, `it-${b}`]);
    await sql.query(`INSERT INTO \`${b}\` VALUES (30)`);
    expect(await task.poll(100, signal)).toEqual([]); // no table is due yet
    await new Promise((r) => setTimeout(r, 1600));
    expect(ids(await task.poll(100, signal))).toEqual([30]);
  });
});

describe('checks at start', () => {
  it('validate.non.null fails on a nullable offset column, unless turned off', async () => {
    const t = await table('nn', 'id INT NULL, updated DATETIME NULL');
    const inc = forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'id' });
    await expect(start(inc)).rejects.toBeInstanceOf(ConfigError);
    await expect(start(inc)).rejects.toThrow(`Cannot make incremental queries using incrementing column id on ${DB}.${t} because this column is nullable.`);
    await expect(start(forTable(t, { mode: 'timestamp', 'timestamp.column.name': 'updated' }))).rejects.toThrow(/timestamp columns \[updated\].*nullable/);
    await expect(start({ ...inc, 'validate.non.null': 'false' })).resolves.toBeDefined();
  });

  it('an unknown table or column is a ConfigError', async () => {
    const t = await table('unk', 'id INT NOT NULL');
    await expect(start(forTable(`${t}_nope`, { mode: 'bulk' }))).rejects.toBeInstanceOf(ConfigError);
    await expect(start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'nope' }))).rejects.toThrow(/Incrementing column nope not found/);
    await expect(start(forTable(t, { mode: 'incrementing' }))).rejects.toThrow(/No AUTO_INCREMENT column/);
  });
});

describe('connections', () => {
  it('a wrong password is a ConfigError, at planning and at start', async () => {
    const raw = config({ mode: 'bulk', 'connection.password': 'wrong-password' });
    await expect(jdbcSource.taskConfigs(raw, 1, connectorCtx)).rejects.toBeInstanceOf(ConfigError);
    const t = await table('pw', 'id INT PRIMARY KEY');
    await expect(start(forTable(t, { mode: 'bulk', 'connection.password': 'wrong-password' }))).rejects.toThrow(/Access denied/);
  });

  it('an unreachable server is a RetriableError after connection.attempts tries', async () => {
    warnings.length = 0;
    const raw = config({ mode: 'bulk', 'connection.url': `jdbc:mysql://127.0.0.1:1/${DB}`, 'connection.attempts': '3', 'connection.backoff.ms': '200' });
    const began = Date.now();
    const err = await jdbcSource.taskConfigs(raw, 1, connectorCtx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriableError);
    expect((err as Error).message).toMatch(/127\.0\.0\.1:1/);
    expect(Date.now() - began).toBeGreaterThanOrEqual(400);
    expect(warnings).toHaveLength(3);
    expect(JSON.stringify(warnings)).not.toContain(env.MYSQL_PASSWORD);
  });

  it('a connection lost mid-result is reopened and reading resumes where it was confirmed', async () => {
    const t = await table('lost', 'id INT NOT NULL PRIMARY KEY, pad VARCHAR(200) NOT NULL');
    // Enough data that the server is still sending when the task pauses after two rows.
    await sql.query(`INSERT INTO \`${t}\` SELECT seq, REPEAT('x', 200) FROM seq_1_to_20000`);
    const task = await start(forTable(t, { mode: 'incrementing', 'incrementing.column.name': 'id', 'batch.max.rows': '1' }));
    expect(ids(await task.poll(2, signal))).toEqual([1, 2]);
    const [procs] = await sql.query('SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()', [`%FROM \`${DB}\`.\`${t}\`%`]) as unknown as [Array<{ ID: number }>];
    expect(procs).toHaveLength(1);
    await sql.query(`KILL ${Number(procs[0].ID)}`);

    const after: number[] = [];
    let failures = 0;
    for (let i = 0; i < 100 && after.at(-1) !== 20000; i++) {
      try {
        after.push(...ids(await task.poll(5000, signal)));
      } catch (e) {
        expect(e).toBeInstanceOf(RetriableError); // the runtime retries the poll
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(after).toEqual(Array.from({ length: 19998 }, (_, i) => i + 3)); // no gap, no duplicate
  });
});
