import { describe, expect, it } from 'vitest';
import { BadRequestError, ConnectorExistsError, ConnectorNotFoundError } from '../../../src/client/errors.js';
import { ConfigError } from '../../../src/errors.js';
import { restartPlan } from '../../../src/rest/connectors-routes.js';
import { RestError, toErrorBody } from '../../../src/rest/errors.js';
import { pluginConfig, pluginRows, validatePluginConfig } from '../../../src/rest/plugins.js';
import type { ConnectorStatus } from '../../../workflows/messages.js';

describe('connector plugins', () => {
  it('lists connectors only by default; all plugin types with Connect\'s type names otherwise', () => {
    const connectors = pluginRows(true, '1.0');
    // Sinks first, then sources, as Connect sorts them (by type, then class).
    const kinds = connectors.map((p) => p.type);
    expect(kinds).toEqual([...kinds].sort());
    expect(kinds.filter((t) => t === 'sink').length).toBeGreaterThanOrEqual(5);
    expect(kinds.filter((t) => t === 'source').length).toBeGreaterThanOrEqual(5);
    expect(connectors).toContainEqual({ class: 'io.confluent.connect.jdbc.JdbcSourceConnector', type: 'source', version: expect.any(String) });
    const all = pluginRows(false, '1.0');
    const types = [...new Set(all.map((p) => p.type))];
    expect(types).toEqual(['sink', 'source', 'transformation', 'predicate', 'converter', 'header_converter']);
    expect(all).toContainEqual({ class: 'org.apache.kafka.connect.transforms.Cast$Value', type: 'transformation', version: '1.0' });
    expect(all).toContainEqual({ class: 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches', type: 'predicate', version: '1.0' });
    expect(all).toContainEqual({ class: 'org.apache.kafka.connect.storage.StringConverter', type: 'converter', version: '1.0' });
    expect(all).toContainEqual({ class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', type: 'header_converter', version: '1.0' });
  });

  it('answers config definitions by class or alias, 404 for an unknown plugin', () => {
    const defs = pluginConfig('JdbcSource');
    expect(defs.find((d) => d.name === 'connection.url')).toMatchObject({ type: 'STRING', required: true, importance: 'HIGH' });
    expect(Object.keys(defs[0]).sort()).toEqual(['default_value', 'dependents', 'display_name', 'documentation', 'group', 'importance', 'name', 'order', 'required', 'type', 'width']);
    expect(pluginConfig('org.apache.kafka.connect.transforms.Cast$Value').map((d) => d.name)).toContain('spec');
    expect(() => pluginConfig('Nope')).toThrow(new RestError(404, 'Unknown plugin Nope.'));
    expect(pluginConfig('org.apache.kafka.connect.transforms.InsertField$Value').find((d) => d.name === 'replace.null.with.default'))
      .toMatchObject({ type: 'BOOLEAN', default_value: 'true' });
  });

  it("lists a converter's keys as Connect does: converter.type first, JsonConverter's four own", () => {
    const json = pluginConfig('org.apache.kafka.connect.json.JsonConverter');
    expect(json.map((d) => [d.name, d.group, d.order])).toEqual([
      ['converter.type', null, -1], ['schemas.enable', 'Schemas', 0], ['schemas.cache.size', 'Schemas', 1],
      ['decimal.format', 'Serialization', 0], ['replace.null.with.default', 'Serialization', 1],
    ]);
    expect(json[1]).toMatchObject({ type: 'BOOLEAN', default_value: 'true', importance: 'HIGH', display_name: 'Enable Schemas', width: 'MEDIUM' });
    expect(pluginConfig('StringConverter').map((d) => d.name)).toEqual(['converter.type', 'converter.encoding']);
    expect(pluginConfig('org.apache.kafka.connect.converters.ByteArrayConverter').map((d) => d.name)).toEqual(['converter.type']);
  });

  it("answers validate with Connect's framework keys, no name when none was sent, null for a value not of its type", () => {
    const r = validatePluginConfig('JdbcSource', {
      'connector.class': 'JdbcSource', 'tasks.max': 'abc', transforms: 't,u', 'transforms.t.type': 'NoSuch',
      'transforms.u.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.u.regex': 'a', 'transforms.u.replacement': 'b',
    });
    const entry = (n: string) => r.configs.find((c) => c.definition.name === n);
    for (const k of ['tasks.max.enforce', 'config.action.reload', 'topic.creation.groups', 'transaction.boundary', 'transaction.boundary.interval.ms']) {
      expect(entry(k), k).toBeDefined();
    }
    expect(entry('tasks.max.enforce')!.definition).toMatchObject({ type: 'BOOLEAN', default_value: 'true', group: 'Common', order: 4 });
    expect(entry('name')!.value).toMatchObject({ value: null, errors: ['Missing required configuration "name" which has no default value.'] });
    expect(entry('tasks.max')!.value).toMatchObject({
      value: null,
      errors: ['Invalid value abc for configuration tasks.max: Not a number of type INT', 'Invalid value null for configuration tasks.max: Value must be non-null'],
    });
    const t = entry('transforms.t.type')!;
    expect(t.definition).toMatchObject({ type: 'CLASS', required: true, importance: 'HIGH', group: 'Transforms: t', order: 0, display_name: 'Transformation type for t' });
    expect(t.value.recommended_values).toContain('org.apache.kafka.connect.transforms.RegexRouter');
    expect(t.value.value).toBeNull();
    expect(entry('transforms.u.type')!.value.value).toBe('org.apache.kafka.connect.transforms.RegexRouter');
    expect(t.value.errors).toEqual([expect.stringMatching(/^Invalid value NoSuch for configuration transforms.t.type: Class NoSuch could not be found/)]);
    expect(r.configs.filter((c) => c.definition.group === 'Transforms: u').map((c) => [c.definition.name, c.definition.order])).toEqual([
      ['transforms.u.type', 0], ['transforms.u.regex', 1], ['transforms.u.replacement', 2], ['transforms.u.negate', 3], ['transforms.u.predicate', 4],
    ]);
    expect(r.groups).toEqual(expect.arrayContaining(['Transforms: t', 'Transforms: u']));
    expect(validatePluginConfig('JdbcSource', { 'connector.class': 'JdbcSource', name: 'n' }).configs[0].value.value).toBe('n');
  });

  it("validates as Connect: 400 for a mismatching, missing or unknown class; secrets masked in every message", () => {
    expect(() => validatePluginConfig('JdbcSource', { 'connector.class': 'JdbcSink' })).toThrow('Included connector type JdbcSink does not match request type JdbcSource');
    expect(() => validatePluginConfig('JdbcSource', { name: 'x', 'connection.password': 'pw-123' }))
      .toThrow('Connector config {name=x, connection.password=[hidden]} contains no connector type');
    expect(() => validatePluginConfig('Foo', { 'connector.class': 'com.acme.Foo' })).toThrow(/Failed to find any class/);
    const r = validatePluginConfig('JdbcSourceConnector', { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', name: 'x', mode: 'bogus', 'connection.password': 'pw-123' });
    expect(r.name).toBe('io.confluent.connect.jdbc.JdbcSourceConnector');
    expect(r.error_count).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain('pw-123');
    expect(r.configs.find((c) => c.value.name === 'connection.password')?.value.value).toBe('[hidden]');
  });
});

describe('REST helpers', () => {
  const status: ConnectorStatus = {
    name: 'c', type: 'source', connector: { state: 'RUNNING', worker_id: 'w' },
    tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w' }, { id: 1, state: 'FAILED', worker_id: 'w', trace: 'x' }],
  };

  it('shows what a restart restarts as RESTARTING', () => {
    expect(restartPlan(status, true, false).tasks.map((t) => t.state)).toEqual(['RESTARTING', 'RESTARTING']);
    expect(restartPlan(status, true, false).connector.state).toBe('RESTARTING');
    const onlyFailed = restartPlan(status, true, true);
    expect(onlyFailed.connector.state).toBe('RUNNING');
    expect(onlyFailed.tasks.map((t) => t.state)).toEqual(['RUNNING', 'RESTARTING']);
    expect(restartPlan(status, false, true).tasks.map((t) => t.state)).toEqual(['RUNNING', 'FAILED']);
  });

  it('maps errors to Connect statuses and messages', () => {
    expect(toErrorBody(new ConnectorNotFoundError('c', 'CANCELLED'))).toEqual({ error_code: 404, message: 'Connector c not found' });
    expect(toErrorBody(new ConnectorExistsError('c'))).toEqual({ error_code: 409, message: 'Connector c already exists' });
    expect(toErrorBody(new BadRequestError('not stopped', { type: 'Conflict' }))).toEqual({ error_code: 400, message: 'not stopped' });
    const config = toErrorBody(new ConfigError('bad', [{ key: 'a', message: 'A is bad' }, { key: 'b', message: 'B is bad' }]));
    expect(config.error_code).toBe(400);
    expect(config.message).toBe('Connector configuration is invalid and contains the following 2 error(s):\nA is bad\nB is bad\n'
      + 'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`');
    expect(toErrorBody(Object.assign(new Error('x'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }))).toEqual({ error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
    expect(toErrorBody(new Error('boom'))).toEqual({ error_code: 500, message: 'boom' });
  });
});
