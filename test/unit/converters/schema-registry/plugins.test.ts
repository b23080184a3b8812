import { describe, expect, it } from 'vitest';
import { maskConfig, secretKeys } from '../../../../src/config/secrets.js';
import { pluginConfig, pluginRows, validatePluginConfig } from '../../../../src/rest/plugins.js';

const CLASSES = ['io.confluent.connect.avro.AvroConverter', 'io.confluent.connect.json.JsonSchemaConverter', 'io.confluent.connect.protobuf.ProtobufConverter'];

describe('schema registry converters in the REST API', () => {
  it('are listed by GET /connector-plugins?connectorsOnly=false as converters', () => {
    const rows = pluginRows(false, '1.0');
    for (const c of CLASSES) expect(rows).toContainEqual({ class: c, type: 'converter', version: '1.0' });
    expect(pluginRows(true, '1.0').some((r) => CLASSES.includes(r.class))).toBe(false);
  });

  it('answer GET /connector-plugins/{converter}/config with their keys; basic.auth.user.info is a PASSWORD', () => {
    const defs = pluginConfig('AvroConverter');
    const names = defs.map((d) => d.name);
    for (const k of ['converter.type', 'schema.registry.url', 'basic.auth.credentials.source', 'basic.auth.user.info', 'auto.register.schemas', 'use.latest.version',
      'latest.compatibility.strict', 'key.subject.name.strategy', 'value.subject.name.strategy', 'schemas.cache.size', 'enhanced.avro.schema.support', 'connect.meta.data', 'scrub.invalid.names']) {
      expect(names, k).toContain(k);
    }
    expect(defs.find((d) => d.name === 'basic.auth.user.info')).toMatchObject({ type: 'PASSWORD' });
    expect(defs.find((d) => d.name === 'schema.registry.url')).toMatchObject({ type: 'LIST', required: true });
    expect(defs.find((d) => d.name === 'value.subject.name.strategy')).toMatchObject({ type: 'CLASS', default_value: 'io.confluent.kafka.serializers.subject.TopicNameStrategy' });
    expect(pluginConfig('io.confluent.connect.protobuf.ProtobufConverter').map((d) => d.name)).toContain('schema.registry.url');
    expect(pluginConfig('JsonSchemaConverter').map((d) => d.name)).toContain('decimal.format');
  });

  it('validate: a missing or bad schema.registry.url is an error on the prefixed key', () => {
    const base = { 'connector.class': 'JdbcSource', name: 'n', 'connection.url': 'jdbc:mysql://h:3306/d', mode: 'bulk', 'topic.prefix': 't-' };
    const errorsOf = (extra: Record<string, string>, key: string) =>
      validatePluginConfig('JdbcSource', { ...base, ...extra }).configs.find((c) => c.definition.name === key)?.value.errors ?? [];
    expect(errorsOf({ 'value.converter': 'io.confluent.connect.avro.AvroConverter' }, 'value.converter.schema.registry.url'))
      .toEqual([expect.stringContaining('Missing required configuration "schema.registry.url"')]);
    expect(errorsOf({ 'value.converter': 'AvroConverter', 'value.converter.schema.registry.url': 'localhost:8081' }, 'value.converter.schema.registry.url'))
      .toEqual([expect.stringMatching(/Invalid value localhost:8081 for configuration schema.registry.url/)]);
    expect(errorsOf({ 'key.converter': 'ProtobufConverter', 'key.converter.schema.registry.url': 'http://r:8081' }, 'key.converter.schema.registry.url')).toEqual([]);
  });

  it('masks the registry credentials wherever a config is shown', () => {
    const config = { 'value.converter.basic.auth.user.info': 'alice:s3cret-pw', 'value.converter.schema.registry.url': 'http://r:8081' };
    expect(maskConfig(config, secretKeys(undefined, config))).toEqual({ 'value.converter.basic.auth.user.info': '[hidden]', 'value.converter.schema.registry.url': 'http://r:8081' });
  });
});
