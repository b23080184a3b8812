import { describe, expect, it } from 'vitest';
import { detectFormat, parseConfigFile, parseConnectorFile, parseOffsetsFile } from '../../../src/cli/files.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(fn: () => unknown): Array<{ key: string; message: string }> {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('connector files', () => {
  it('reads the JSON users POST to Kafka Connect, numbers and booleans included', () => {
    const text = JSON.stringify({ name: 'orders', config: { 'connector.class': 'JdbcSource', 'tasks.max': 2, 'validate.non.null': false }, initial_state: 'PAUSED' });
    expect(parseConnectorFile(text, 'orders.json')).toEqual({
      name: 'orders',
      config: { 'connector.class': 'JdbcSource', 'tasks.max': 2, 'validate.non.null': false },
      initial_state: 'PAUSED',
    });
  });

  it('reads a connect-standalone .properties file: name= plus flat dotted keys', () => {
    const text = [
      '# orders connector',
      'name=orders',
      'connector.class = io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url=jdbc:mysql://db:3306/shop',
      'query=SELECT * FROM orders \\',
      '    WHERE qty > 0',
      'topic.prefix: shop.',
      '',
    ].join('\n');
    expect(parseConnectorFile(text, 'orders.properties')).toEqual({
      name: 'orders',
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
        'connection.url': 'jdbc:mysql://db:3306/shop',
        query: 'SELECT * FROM orders WHERE qty > 0',
        'topic.prefix': 'shop.',
      },
    });
  });

  it('guesses the format from the text when the name says nothing (stdin)', () => {
    expect(detectFormat('-', '  {"name":"a"}')).toBe('json');
    expect(detectFormat('-', 'name=a')).toBe('properties');
    expect(detectFormat('conf.JSON', 'name=a')).toBe('json');
    expect(parseConnectorFile('name=a\nx=1', '-')).toEqual({ name: 'a', config: { x: '1' } });
  });

  it('names what is wrong with a malformed file', () => {
    expect(problemsOf(() => parseConnectorFile('connector.class=X', 'c.properties'))).toEqual([{ key: 'name', message: 'Required' }]);
    const p = problemsOf(() => parseConnectorFile(JSON.stringify({ name: '', config: { a: { nested: 1 } }, initial_state: 'GONE' }), 'c.json'));
    expect(p.map((x) => x.key).sort()).toEqual(['config.a', 'initial_state', 'name']);
    expect(() => parseConnectorFile('{"name": "a", ', 'c.json')).toThrow(/c\.json: not valid JSON/);
  });
});

describe('config files for reconfigure', () => {
  it('accepts a connector file, a flat JSON map (PUT /config) or properties', () => {
    expect(parseConfigFile('{"name":"orders","config":{"tasks.max":"2"}}', 'a.json', 'orders')).toEqual({ 'tasks.max': '2' });
    expect(parseConfigFile('{"config":{"tasks.max":"2"}}', 'a.json', 'orders')).toEqual({ 'tasks.max': '2' });
    expect(parseConfigFile('{"name":"orders","tasks.max":3}', 'a.json', 'orders')).toEqual({ 'tasks.max': 3 });
    expect(parseConfigFile('name=orders\ntasks.max=2', 'a.properties', 'orders')).toEqual({ 'tasks.max': '2' });
  });

  it('refuses a file that names another connector', () => {
    expect(problemsOf(() => parseConfigFile('name=other\nx=1', 'a.properties', 'orders'))).toEqual([
      { key: 'name', message: 'must be "orders" (or left out)' },
    ]);
  });
});

describe('offsets files', () => {
  it('reads the body of PATCH /connectors/<name>/offsets', () => {
    const body = { offsets: [{ partition: { protocol: '1', table: 'shop.orders' }, offset: { incrementing: 42 } }, { partition: { table: 'x' }, offset: null }] };
    expect(parseOffsetsFile(JSON.stringify(body), 'o.json')).toEqual(body);
  });

  it('rejects other shapes', () => {
    expect(problemsOf(() => parseOffsetsFile('{"offsets":[{"offset":{}}]}', 'o.json'))).toEqual([{ key: 'offsets.0.partition', message: 'Required' }]);
  });
});
