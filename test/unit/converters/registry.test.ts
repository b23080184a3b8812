import { describe, expect, it } from 'vitest';
import { ByteArrayConverter } from '../../../src/converters/byte-array-converter.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import {
  converterPluginRows, convertersFromConfig, createConverter, createHeaderConverter, settingsWithPrefix,
} from '../../../src/converters/registry.js';
import { SimpleHeaderConverter } from '../../../src/converters/simple-header-converter.js';
import { StringConverter } from '../../../src/converters/string-converter.js';
import { ConfigError } from '../../../src/errors.js';
import { Schemas } from '../../../src/records/schema.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('createConverter', () => {
  it('finds converters by Connect class name, simple name and alias', () => {
    for (const name of ['org.apache.kafka.connect.json.JsonConverter', 'JsonConverter', 'Json']) {
      expect(createConverter(name, {}, false)).toBeInstanceOf(JsonConverter);
    }
    expect(createConverter('org.apache.kafka.connect.storage.StringConverter', {}, true)).toBeInstanceOf(StringConverter);
    expect(createConverter('String', {}, true)).toBeInstanceOf(StringConverter);
    expect(createConverter('org.apache.kafka.connect.converters.ByteArrayConverter', {}, false)).toBeInstanceOf(ByteArrayConverter);
    expect(createConverter(' ByteArray ', {}, false)).toBeInstanceOf(ByteArrayConverter);
  });

  it('passes the settings on', () => {
    const c = createConverter('JsonConverter', { 'schemas.enable': 'false' }, false);
    expect(c.fromConnectData('t', null, { a: 1 })?.toString()).toBe('{"a":1}');
  });

  it('rejects an unknown class, listing the known ones', () => {
    const e = configError(() => createConverter('com.example.NoSuchConverter', {}, false));
    expect(e.message).toContain('value.converter');
    expect(e.message).toContain('org.apache.kafka.connect.json.JsonConverter');
    expect(e.message).toContain('org.apache.kafka.connect.storage.StringConverter');
    expect(e.message).toContain('org.apache.kafka.connect.converters.ByteArrayConverter');
    expect(e.problems[0]?.key).toBe('value.converter');
    expect(configError(() => createConverter('Nope', {}, true)).problems[0]?.key).toBe('key.converter');
  });

  it('rejects a header-only converter as a key or value converter', () => {
    expect(configError(() => createConverter('SimpleHeaderConverter', {}, false)).message).toMatch(/is not a Converter/);
  });

  it('reports bad settings under their full key', () => {
    const e = configError(() => createConverter('JsonConverter', { 'schemas.enable': 'maybe' }, false));
    expect(e.problems.map((p) => p.key)).toEqual(['value.converter.schemas.enable']);
  });
});

describe('createHeaderConverter', () => {
  it('finds header converters, including the ones that are also converters', () => {
    expect(createHeaderConverter('org.apache.kafka.connect.storage.SimpleHeaderConverter', {})).toBeInstanceOf(SimpleHeaderConverter);
    expect(createHeaderConverter('Simple', {})).toBeInstanceOf(SimpleHeaderConverter);
    expect(createHeaderConverter('JsonConverter', {})).toBeInstanceOf(JsonConverter);
    expect(createHeaderConverter('StringConverter', {})).toBeInstanceOf(StringConverter);
  });
});

describe('convertersFromConfig', () => {
  it('defaults to JsonConverter for keys and values and SimpleHeaderConverter for headers', () => {
    const { key, value, header } = convertersFromConfig({}, {});
    expect(key).toBeInstanceOf(JsonConverter);
    expect(value).toBeInstanceOf(JsonConverter);
    expect(header).toBeInstanceOf(SimpleHeaderConverter);
  });

  it('uses the worker defaults with the worker settings', () => {
    const worker = { 'key.converter': 'StringConverter', 'value.converter': 'JsonConverter', 'value.converter.schemas.enable': 'false' };
    const { key, value } = convertersFromConfig({}, worker);
    expect(key).toBeInstanceOf(StringConverter);
    expect(value.fromConnectData('t', null, 1)?.toString()).toBe('1');
  });

  it('lets a connector override the class, with its own prefixed settings', () => {
    const worker = { 'value.converter': 'StringConverter' };
    const connector = { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false', 'header.converter': 'StringConverter' };
    const { value, header } = convertersFromConfig(connector, worker);
    expect(value).toBeInstanceOf(JsonConverter);
    expect(value.fromConnectData('t', Schemas.int32(), 1)?.toString()).toBe('1');
    expect(header).toBeInstanceOf(StringConverter);
  });

  it('does not mix a connector\'s prefixed settings into the worker\'s converter, as Connect does not', () => {
    const { value } = convertersFromConfig({ 'value.converter.schemas.enable': 'false' }, { 'value.converter': 'JsonConverter' });
    expect(value.fromConnectData('t', null, 1)?.toString()).toBe('{"schema":null,"payload":1}');
  });

  it('gives key and value converters their stages', () => {
    const { key } = convertersFromConfig({ 'key.converter': 'ByteArrayConverter' }, {});
    expect(() => key.fromConnectData('t', null, 'not bytes')).toThrow(expect.objectContaining({ stage: 'KEY_CONVERTER' }));
  });
});

describe('registry helpers', () => {
  it('strips prefixes', () => {
    expect(settingsWithPrefix({ 'value.converter': 'X', 'value.converter.a': '1', 'value.converter.b.c': '2', other: '3' }, 'value.converter.'))
      .toEqual({ a: '1', 'b.c': '2' });
  });

  it('lists plugins as Connect does, converters that are also header converters twice', () => {
    const rows = converterPluginRows();
    expect(rows).toContainEqual({ class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter' });
    expect(rows).toContainEqual({ class: 'org.apache.kafka.connect.json.JsonConverter', type: 'header_converter' });
    expect(rows).toContainEqual({ class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', type: 'header_converter' });
    expect(rows).not.toContainEqual({ class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', type: 'converter' });
  });
});
