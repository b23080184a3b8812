import { BUILT_IN, PluginList, type AddOutcome, type PluginOrigin } from '../plugins/plugin-list.js';
import { lambdaSink } from './lambda-sink/index.js';
import { jdbcSource } from './jdbc-source/index.js';
import { jdbcSink } from './jdbc-sink/index.js';
import { elasticsearchSink } from './elasticsearch-sink/index.js';
import { fileStreamSink, fileStreamSource } from './file-stream/index.js';
import { httpSink } from './http-sink/index.js';
import { mongoSink } from './mongodb-sink/index.js';
import { bigQuerySink } from './bigquery-sink/index.js';
import { snowflakeSink } from './snowflake-sink/index.js';
import { rotatingFileSink } from './rotating-file-sink/index.js';
import { salesforceSource } from './salesforce-source/index.js';
import { spoolDirCsvSource } from './spooldir-csv/index.js';
import { mariaDbConnector, mySqlConnector } from './mysql-cdc/index.js';
import { postgresCdcSource } from './postgres-cdc/index.js';
import { s3Sink } from './s3-sink/index.js';
import { s3Source } from './s3-source/index.js';
import { gcsSink } from './gcs-sink/index.js';
import { hdfs3SinkConnector, hdfsSinkConnector } from './hdfs-sink/index.js';
import type { ConnectorPlugin } from './types.js';

/** The names Connect accepts for a plugin class: the full name, the simple name, and that without "Connector". */
function connectNames(className: string): string[] {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  const pruned = simple.endsWith('Connector') && simple !== 'Connector' ? simple.slice(0, -'Connector'.length) : simple;
  return [className, simple, pruned];
}

/** The names a plugin answers to, full class name first. */
export function connectorPluginNames(plugin: ConnectorPlugin): string[] {
  return [...new Set([...connectNames(plugin.className), ...plugin.aliases])];
}

const connectors = new PluginList<ConnectorPlugin>('connector', connectorPluginNames, (p) => p.version);

/**
 * Every connector this process can run: the built-ins below, then what the worker loaded from
 * plugin.path / plugins (src/plugins/loader.ts), all through registerConnectorPlugin. Nothing
 * registers itself on import.
 */
export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = connectors.items;

/** Adds a connector under the conflict rule of src/plugins/plugin-list.ts. */
export function registerConnectorPlugin(plugin: ConnectorPlugin, origin: PluginOrigin): AddOutcome {
  return connectors.add(plugin, origin);
}

// The built-ins, one per line (a new connector adds its line).
const BUILT_INS: ConnectorPlugin[] = [
  jdbcSource,
  jdbcSink,
  elasticsearchSink,
  fileStreamSource,
  fileStreamSink,
  httpSink,
  spoolDirCsvSource,
  rotatingFileSink,
  mySqlConnector,
  mariaDbConnector,
  postgresCdcSource,
  s3Sink,
  s3Source,
  mongoSink,
  lambdaSink,
  salesforceSource,
  bigQuerySink,
  snowflakeSink,
  gcsSink,
  hdfsSinkConnector,
  hdfs3SinkConnector,
];
for (const p of BUILT_INS) registerConnectorPlugin(p, { location: BUILT_IN });

/** Looks a plugin up by connector.class: full class name, an alias, or Connect's simple/pruned name (case-sensitive, as in Connect). */
export function findConnectorPlugin(classOrAlias: string): ConnectorPlugin | undefined {
  return connectors.find(classOrAlias);
}

/** Where a connector came from ("built-in" or its file). */
export function connectorPluginOrigin(plugin: ConnectorPlugin): PluginOrigin | undefined {
  return connectors.origin(plugin);
}

/** GET /connector-plugins?connectorsOnly=true */
export function connectorPluginRows(): Array<{ class: string; type: 'source' | 'sink'; version: string }> {
  return CONNECTOR_PLUGINS.map((p) => ({ class: p.className, type: p.type, version: p.version }));
}
