import { describe, expect, it } from 'vitest';
import { jdbcSource } from '../../../src/connectors/jdbc-source/index.js';
import { findConnectorPlugin } from '../../../src/connectors/registry.js';
import {
  commonConfig, configDefinitions, connectorKeys, toConnectValidateResponse, validateConnectorConfig,
} from '../../../src/config/connector-config.js';
import type { RawConfig } from '../../../workflows/messages.js';

const jdbc: RawConfig = {
  'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
  'connection.url': 'jdbc:mysql://db:3306/shop',
  'connection.user': 'app',
  'connection.password': 'hunter2',
  mode: 'incrementing',
  'incrementing.column.name': 'id',
  'topic.prefix': 'shop-',
};

const keysOf = (r: { problems: Array<{ key: string }> }) => r.problems.map((p) => p.key);

describe('common connector keys', () => {
  it('carry Kafka Connect\'s defaults', () => {
    const r = commonConfig.parse({ name: 'x', 'connector.class': 'JdbcSource' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      'tasks.max': 1,
      transforms: [],
      predicates: [],
      'errors.retry.timeout': 0,
      'errors.retry.delay.max.ms': 60000,
      'errors.tolerance': 'none',
      'errors.log.enable': false,
      'errors.log.include.messages': false,
      'errors.deadletterqueue.topic.name': '',
      'errors.deadletterqueue.topic.replication.factor': 3,
      'errors.deadletterqueue.context.headers.enable': false,
    });
    expect(r.value['key.converter']).toBeUndefined();
  });

  it('add the source keys for a source plugin, then the plugin\'s own', () => {
    const names = Object.keys(connectorKeys(jdbcSource));
    expect(names.slice(0, 3)).toEqual(['name', 'connector.class', 'tasks.max']);
    expect(names).toEqual(expect.arrayContaining(['exactly.once.support', 'offsets.storage.topic', 'topic.creation.default.partitions', 'connection.url']));
    expect(Object.keys(connectorKeys())).not.toContain('exactly.once.support');
  });
});

const sink: RawConfig = {
  'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
  'connection.url': 'jdbc:mysql://db:3306/shop',
  topics: 'orders',
};

describe('sink topics', () => {
  const problems = (extra: RawConfig) => validateConnectorConfig('to-db', { ...sink, ...extra }).problems;

  it('needs exactly one of topics and topics.regex, with Connect\'s messages on both keys', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ topics: null, 'topics.regex': 'orders-.*' })).toEqual([]);
    expect(problems({ topics: ' ' })).toEqual([
      { key: 'topics', message: 'Must configure one of topics or topics.regex' },
      { key: 'topics.regex', message: 'Must configure one of topics or topics.regex' },
    ]);
    expect(problems({ 'topics.regex': 'orders-.*' })).toEqual([
      { key: 'topics', message: 'topics and topics.regex are mutually exclusive options, but both are set.' },
      { key: 'topics.regex', message: 'topics and topics.regex are mutually exclusive options, but both are set.' },
    ]);
  });

  it("refuses topic names Kafka refuses, naming the topic and the rule", () => {
    for (const bad of ['*', '..', '.', 'a b', 'x'.repeat(250), 'caf\u00e9']) {
      const p = problems({ topics: `ok,${bad}` });
      expect(p, bad).toEqual([{ key: 'topics', message: expect.stringContaining(`${JSON.stringify(bad)} is not a valid topic name: a Kafka topic name is 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and is not '.' or '..'`) }]);
    }
    expect(problems({ topics: `a.b_c-D9,${'x'.repeat(249)}` })).toEqual([]);
    expect(problems({ 'errors.deadletterqueue.topic.name': 'dead letters' }).map((p) => p.key)).toEqual(['errors.deadletterqueue.topic.name']);
  });

  it('refuses a topics.regex that does not compile, and a DLQ topic the connector would consume', () => {
    expect(problems({ topics: null, 'topics.regex': '(' }).map((p) => p.key)).toEqual(['topics.regex']);
    // Matched in linear time: Java features the engine cannot run in linear time are refused up front.
    const lookahead = problems({ topics: null, 'topics.regex': '(?!tmp).*' });
    expect(lookahead.map((p) => p.key)).toEqual(['topics.regex']);
    expect(lookahead[0].message).toContain('lookahead');
    expect(problems({ topics: 'orders,dlq', 'errors.deadletterqueue.topic.name': 'dlq' })).toEqual([
      { key: 'topics', message: "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[orders, dlq]') consumed by the connector" },
    ]);
    expect(problems({ topics: null, 'topics.regex': 'orders.*', 'errors.deadletterqueue.topic.name': 'orders-dlq' })).toEqual([
      { key: 'topics.regex', message: "The DLQ topic 'orders-dlq' may not be matched by the regex for the topics ('topics.regex=orders.*') consumed by the connector" },
    ]);
    expect(problems({ 'temporal.topics.poll.interval.ms': '10' }).map((p) => p.key)).toEqual(['temporal.topics.poll.interval.ms']);
  });

  it('are sink keys only', () => {
    expect(Object.keys(connectorKeys(findConnectorPlugin('JdbcSink')))).toEqual(expect.arrayContaining(['topics', 'topics.regex', 'temporal.topics.poll.interval.ms']));
    expect(Object.keys(connectorKeys(jdbcSource))).not.toContain('topics');
    expect(validateConnectorConfig('orders', { ...jdbc, topics: '*' }).ok).toBe(true);
  });
});

describe('validateConnectorConfig', () => {
  it('accepts a valid config and returns Connect\'s flat string map', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, 'tasks.max': 2, 'errors.log.enable': true, 'batch.max.rows': 5000, 'poll.interval.ms': null });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.plugin).toBe(jdbcSource);
    expect(r.config).toMatchObject({ name: 'orders', 'tasks.max': '2', 'errors.log.enable': 'true', 'batch.max.rows': '5000' });
    expect(r.config).not.toHaveProperty('poll.interval.ms');
    expect(Object.values(r.config).every((v) => typeof v === 'string')).toBe(true);
  });

  it('finds the plugin by alias', () => {
    expect(validateConnectorConfig('orders', { ...jdbc, 'connector.class': 'JdbcSource' }).plugin).toBe(jdbcSource);
  });

  it('names an unknown class and lists every known class and alias, in one problem', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, 'connector.class': 'com.example.MongoSourceConnector' });
    expect(r.ok).toBe(false);
    expect(r.plugin).toBeUndefined();
    const classProblems = r.problems.filter((p) => p.key === 'connector.class');
    expect(classProblems).toHaveLength(1);
    for (const s of ['com.example.MongoSourceConnector', 'io.confluent.connect.jdbc.JdbcSourceConnector', 'JdbcSourceConnector', 'JdbcSource']) {
      expect(classProblems[0].message).toContain(s);
    }
  });

  it('reports a missing connector.class once', () => {
    const r = validateConnectorConfig('orders', { 'tasks.max': '1' });
    expect(r.problems).toEqual([{ key: 'connector.class', message: 'Missing required configuration "connector.class" which has no default value.' }]);
  });

  it('collects every problem, each under its key', () => {
    const r = validateConnectorConfig('orders', {
      ...jdbc,
      'tasks.max': 0,
      'errors.tolerance': 'some',
      'errors.retry.timeout': 'soon',
      'exactly.once.support': 'maybe',
      'batch.max.rows': 'many',
      'key.converter': 'com.example.NoSuchConverter',
      'value.converter': 'JsonConverter',
      'value.converter.schemas.enable': 'perhaps',
      transforms: 'route,missing',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': '(',
      'transforms.route.replacement': 'x',
      'transforms.missing.type': 'com.example.Nope',
    });
    expect(r.ok).toBe(false);
    expect(keysOf(r)).toEqual(expect.arrayContaining([
      'tasks.max', 'errors.tolerance', 'errors.retry.timeout', 'exactly.once.support', 'batch.max.rows',
      'key.converter', 'value.converter.schemas.enable', 'transforms.route.regex', 'transforms.missing.type',
    ]));
    expect(r.problems.every((p) => p.message.length > 0)).toBe(true);
  });

  it('runs the plugin\'s cross-key checks', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, mode: 'timestamp' });
    expect(r.problems).toEqual([{ key: 'timestamp.column.name', message: expect.stringContaining('timestamp.column.name must be set') }]);
  });

  it('checks the connector name: required, no control characters, no ":", at most 255 characters, valid Unicode', () => {
    expect(keysOf(validateConnectorConfig('', jdbc))).toEqual(['name']);
    expect(validateConnectorConfig('bad\nname', jdbc).problems[0].message).toContain('control');
    const colon = validateConnectorConfig('a:b', jdbc);
    expect(keysOf(colon)).toEqual(['name']);
    expect(colon.problems[0].message).toContain('workflow ids');
    // "/" is fine, as in Connect (DELETE /connectors/a%2Fb).
    expect(validateConnectorConfig('a/b', jdbc).ok).toBe(true);
    const long = validateConnectorConfig('n'.repeat(10_000), jdbc);
    expect(long.problems).toEqual([{ key: 'name', message: expect.stringContaining('at most 255 characters long (this one has 10000)') }]);
    expect(validateConnectorConfig('n'.repeat(255), jdbc).ok).toBe(true);
    const lone = validateConnectorConfig('bad\ud800x', jdbc);
    expect(lone.problems).toEqual([{ key: 'name', message: expect.stringContaining('valid Unicode') }]);
    expect(validateConnectorConfig('emoji-\ud83d\ude00', jdbc).ok).toBe(true);
    expect(validateConnectorConfig('orders-v2.eu_1', jdbc).ok).toBe(true);
  });

  it("answers a value not of its key's type with Connect's messages (tasks.max gets two, as in Connect)", () => {
    const r = validateConnectorConfig('orders', { ...jdbc, 'tasks.max': 'abc', 'errors.log.enable': 'yes' });
    expect(r.problems).toEqual(expect.arrayContaining([
      { key: 'tasks.max', message: 'Invalid value abc for configuration tasks.max: Not a number of type INT' },
      { key: 'tasks.max', message: 'Invalid value null for configuration tasks.max: Value must be non-null' },
      { key: 'errors.log.enable', message: 'Invalid value yes for configuration errors.log.enable: Expected value to be either true or false' },
    ]));
    expect(r.problems.filter((p) => p.key === 'tasks.max')).toHaveLength(2);
  });

  it('accepts poll and interval transaction boundaries, refuses connector (no built-in defines them) and topic creation groups', () => {
    expect(validateConnectorConfig('orders', { ...jdbc, 'transaction.boundary': 'POLL' }).ok).toBe(true);
    expect(validateConnectorConfig('orders', { ...jdbc, 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '5000' }).ok).toBe(true);
    expect(keysOf(validateConnectorConfig('orders', { ...jdbc, 'transaction.boundary.interval.ms': '600000' }))).toEqual(['transaction.boundary.interval.ms']);
    const connector = validateConnectorConfig('orders', { ...jdbc, 'transaction.boundary': 'connector' });
    expect(connector.problems).toEqual([{ key: 'transaction.boundary', message: 'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.' }]);
    expect(keysOf(validateConnectorConfig('orders', { ...jdbc, 'topic.creation.groups': 'big' }))).toEqual(['topic.creation.groups']);
  });

  it('rejects a name in the config that differs from the connector\'s', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, name: 'other' });
    expect(keysOf(r)).toEqual(['name']);
    expect(r.config.name).toBe('orders');
    expect(validateConnectorConfig('orders', { ...jdbc, name: 'orders' }).ok).toBe(true);
  });

  it('requires both default topic creation settings once any topic.creation key is set', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, 'topic.creation.default.partitions': 3 });
    expect(keysOf(r)).toEqual(['topic.creation.default.replication.factor']);
    const bad = validateConnectorConfig('orders', { ...jdbc, 'topic.creation.default.partitions': 0, 'topic.creation.default.replication.factor': -1 });
    expect(keysOf(bad)).toEqual(['topic.creation.default.partitions']);
  });

  it('reads exactly.once.support in any case, as Connect does; "required" needs a worker with exactly-once enabled and a connector that supports it', () => {
    expect(validateConnectorConfig('orders', { ...jdbc, 'exactly.once.support': 'REQUESTED' }).ok).toBe(true);
    for (const v of ['required', 'REQUIRED']) {
      for (const worker of ['disabled', 'preparing'] as const) {
        const r = validateConnectorConfig('orders', { ...jdbc, 'exactly.once.support': v }, { exactlyOnceSourceSupport: worker });
        expect(r.problems).toEqual([{ key: 'exactly.once.support', message: 'This worker does not have exactly-once source support enabled.' }]);
      }
      expect(validateConnectorConfig('orders', { ...jdbc, 'exactly.once.support': v }, { exactlyOnceSourceSupport: 'enabled' }).ok).toBe(true);
      // Outside a worker (the SDK, the CLI) the worker's half is left to the worker.
      expect(validateConnectorConfig('orders', { ...jdbc, 'exactly.once.support': v }).ok).toBe(true);
    }
    const bulk = validateConnectorConfig('orders', { ...jdbc, mode: 'bulk', 'exactly.once.support': 'required' }, { exactlyOnceSourceSupport: 'enabled' });
    expect(bulk.problems).toEqual([{ key: 'exactly.once.support', message: 'The connector does not support exactly-once semantics with the provided configuration.' }]);
  });

  it('parses booleans in any case and refuses what is not a boolean', () => {
    const r = commonConfig.parse({ name: 'x', 'connector.class': 'JdbcSource', 'errors.log.enable': 'TRUE', 'errors.log.include.messages': ' True ', 'errors.deadletterqueue.context.headers.enable': 'FALSE' });
    expect(r.ok && r.value).toMatchObject({ 'errors.log.enable': true, 'errors.log.include.messages': true, 'errors.deadletterqueue.context.headers.enable': false });
    expect(keysOf(validateConnectorConfig('orders', { ...jdbc, 'errors.log.enable': 'yes' }))).toEqual(['errors.log.enable']);
  });

  it("applies Java's INT and LONG ranges, naming the key and the range", () => {
    const problem = (extra: RawConfig) => validateConnectorConfig('orders', { ...jdbc, ...extra }).problems;
    // poll.interval.ms is an INT in Confluent's source; errors.retry.timeout a LONG.
    expect(problem({ 'poll.interval.ms': '2147483647', 'errors.retry.timeout': '9223372036854775807' })).toEqual([]);
    expect(problem({ 'poll.interval.ms': '2147483648' })).toEqual([{ key: 'poll.interval.ms', message: expect.stringMatching(/^Invalid value 2147483648 for configuration poll.interval.ms: Not a number of type INT: must be a whole number from -2147483648 to 2147483647$/) }]);
    expect(problem({ 'poll.interval.ms': '99999999999999999999' }).map((p) => p.key)).toEqual(['poll.interval.ms']);
    expect(problem({ 'errors.retry.timeout': '9223372036854775808' })).toEqual([{ key: 'errors.retry.timeout', message: expect.stringContaining('Not a number of type LONG: must be a whole number from -9223372036854775808 to 9223372036854775807') }]);
    expect(problem({ 'errors.retry.timeout': 1e300 }).map((p) => p.key)).toEqual(['errors.retry.timeout']);
    for (const bad of ['1.5', '1e3', 'NaN', '', ' 12 x']) expect(problem({ 'batch.max.rows': bad }).map((p) => p.key), bad).toEqual(bad === '' ? [] : ['batch.max.rows']);
    expect(problem({ 'batch.max.rows': '+7', 'tasks.max': 3 })).toEqual([]);
  });

  it('checks every temporal.* key up front, with its rule', () => {
    const problem = (extra: RawConfig) => validateConnectorConfig('orders', { ...jdbc, ...extra }).problems;
    expect(problem({ 'temporal.batch.max.records': '500', 'temporal.batch.max.ms': '500', 'temporal.idle.wait.ms': '300', 'temporal.history.max.events': '60' })).toEqual([]);
    expect(problem({ 'temporal.batch.max.records': '-1' })).toEqual([{ key: 'temporal.batch.max.records', message: 'Invalid value "-1" for configuration temporal.batch.max.records: must be at least 1' }]);
    expect(problem({ 'temporal.batch.max.records': 'lots' }).map((p) => p.key)).toEqual(['temporal.batch.max.records']);
    expect(problem({ 'temporal.batch.max.ms': '0' }).map((p) => p.message)).toEqual([expect.stringContaining('must be at least 1')]);
    expect(problem({ 'temporal.idle.wait.ms': '3600000' }).map((p) => p.message)).toEqual([expect.stringContaining('must be at most 300000')]);
    expect(problem({ 'temporal.history.max.events': '10' }).map((p) => p.key)).toEqual(['temporal.history.max.events']);
    expect(problem({ 'temporal.history.max.events': '100000' }).map((p) => p.key)).toEqual(['temporal.history.max.events']);
  });

  it('leaves config-provider references to the check after resolution', () => {
    const raw = { ...jdbc, 'batch.max.rows': '${file:/etc/tc/limits.properties:rows}', 'connection.password': '${env:DB_PASSWORD}' };
    const unresolved = validateConnectorConfig('orders', raw);
    expect(unresolved.ok).toBe(true);
    expect(unresolved.config['batch.max.rows']).toBe('${file:/etc/tc/limits.properties:rows}');

    const resolved = { ...unresolved.config, 'batch.max.rows': 'lots-of-rows', 'connection.password': 'hunter2' };
    const r = validateConnectorConfig('orders', raw, { resolved });
    expect(keysOf(r)).toEqual(['batch.max.rows']);
    // Never the resolved value in a message.
    expect(r.problems[0].message).not.toContain('lots-of-rows');
    expect(r.config['batch.max.rows']).toBe('${file:/etc/tc/limits.properties:rows}');
  });

  it('never puts a plain secret in a message', () => {
    const r = validateConnectorConfig('orders', { ...jdbc, 'value.converter': 'JsonConverter', 'value.converter.schemas.enable': 'hunter2' });
    expect(r.problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.problems)).not.toContain('hunter2');
  });
});

describe('Kafka Connect REST shapes', () => {
  it('answers config/validate with every declared key, errors under their keys, secrets masked', () => {
    const raw: RawConfig = { ...jdbc, name: 'orders', 'tasks.max': 0, 'value.converter': 'Json', 'value.converter.schemas.enable': 'x', transforms: 'a' };
    const res = toConnectValidateResponse('JdbcSourceConnector', raw, validateConnectorConfig('orders', raw));
    expect(res.name).toBe('JdbcSourceConnector');
    expect(res.error_count).toBe(3);
    expect(res.groups.slice(0, 4)).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling']);
    expect(res.groups).toContain('Transforms: a');

    const byName = new Map(res.configs.map((c) => [c.definition.name, c]));
    expect(byName.get('tasks.max')!.value).toEqual({ name: 'tasks.max', value: '0', recommended_values: [], errors: [expect.stringContaining('at least 1')], visible: true });
    expect(byName.get('tasks.max')!.definition).toEqual({
      name: 'tasks.max', type: 'INT', required: false, default_value: '1', importance: 'HIGH',
      documentation: 'Maximum number of tasks to use for this connector.', group: 'Common', order: 3,
      width: 'SHORT', display_name: 'Tasks max', dependents: [],
    });
    expect(byName.get('connector.class')!.definition.required).toBe(true);
    expect(byName.get('connection.password')!.value.value).toBe('[hidden]');
    expect(byName.get('errors.tolerance')!.value).toMatchObject({ value: 'none', recommended_values: [] });
    expect(byName.get('transforms.a.type')!.value.errors).toHaveLength(1);
    expect(byName.get('value.converter.schemas.enable')!.value.errors).toHaveLength(1);
    expect(res.configs.reduce((n, c) => n + c.value.errors.length, 0)).toBe(res.error_count);
    expect(JSON.stringify(res)).not.toContain('hunter2');
  });

  it('shows provider references as written', () => {
    const raw = { ...jdbc, 'connection.password': '${env:DB_PASSWORD}' };
    const res = toConnectValidateResponse('JdbcSource', raw, validateConnectorConfig('orders', raw));
    expect(res.error_count).toBe(0);
    expect(res.configs.find((c) => c.definition.name === 'connection.password')!.value.value).toBe('${env:DB_PASSWORD}');
  });

  it('lists a plugin\'s own config definitions for GET /connector-plugins/{p}/config', () => {
    const defs = configDefinitions(jdbcSource);
    expect(defs.map((d) => d.name)).toEqual(Object.keys(jdbcSource.config.keys));
    const url = defs.find((d) => d.name === 'connection.url')!;
    expect(Object.keys(url).sort()).toEqual(['default_value', 'dependents', 'display_name', 'documentation', 'group', 'importance', 'name', 'order', 'required', 'type', 'width']);
    expect(url).toMatchObject({ type: 'STRING', required: true, group: 'Database', order: 1 });
    expect(defs.find((d) => d.name === 'table.types')!.default_value).toBe('TABLE');
    expect(defs.find((d) => d.name === 'connection.password')!.type).toBe('PASSWORD');
  });
});
