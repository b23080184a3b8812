import { describe, expect, it } from 'vitest';
import { jdbcSource } from '../../../src/connectors/jdbc-source/index.js';
import { CONNECTOR_PLUGINS, connectorPluginRows, findConnectorPlugin } from '../../../src/connectors/registry.js';

describe('connector registry', () => {
  it('lists the JDBC source', () => {
    expect(CONNECTOR_PLUGINS).toContain(jdbcSource);
  });

  it('finds a plugin by full class name, alias and Connect\'s simple and pruned names', () => {
    for (const name of [
      'io.confluent.connect.jdbc.JdbcSourceConnector',
      'JdbcSourceConnector',
      'JdbcSource',
      '  JdbcSource ',
    ]) {
      expect(findConnectorPlugin(name), name).toBe(jdbcSource);
    }
  });

  it('finds nothing for unknown, empty or differently cased names (Connect is case-sensitive)', () => {
    expect(findConnectorPlugin('io.confluent.connect.jdbc.JdbcSinkConnector')?.type).toBe('sink');
    expect(findConnectorPlugin('com.example.NoSuchConnector')).toBeUndefined();
    expect(findConnectorPlugin('jdbcsource')).toBeUndefined();
    expect(findConnectorPlugin('')).toBeUndefined();
    expect(findConnectorPlugin('Connector')).toBeUndefined();
  });

  it('answers GET /connector-plugins rows', () => {
    expect(connectorPluginRows()).toContainEqual({ class: 'io.confluent.connect.jdbc.JdbcSourceConnector', type: 'source', version: jdbcSource.version });
    expect(connectorPluginRows()).toHaveLength(CONNECTOR_PLUGINS.length);
  });
});
