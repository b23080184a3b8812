import { jdbcSource } from './jdbc-source/index.js';
import { jdbcSink } from './jdbc-sink/index.js';
import { elasticsearchSink } from './elasticsearch-sink/index.js';
import type { ConnectorPlugin } from './types.js';

/**
 * Every connector plugin, listed once. Static on purpose: nothing registers itself on import,
 * so what a worker can run is exactly this list. Add sinks here as they arrive.
 */
export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = [
  jdbcSource,
  jdbcSink,
  elasticsearchSink,
];

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

/** Looks a plugin up by connector.class: full class name, an alias, or Connect's simple/pruned name (case-sensitive, as in Connect). */
export function findConnectorPlugin(classOrAlias: string): ConnectorPlugin | undefined {
  const wanted = classOrAlias.trim();
  if (wanted === '') return undefined;
  return CONNECTOR_PLUGINS.find((p) => connectorPluginNames(p).includes(wanted));
}

/** GET /connector-plugins?connectorsOnly=true */
export function connectorPluginRows(): Array<{ class: string; type: 'source' | 'sink'; version: string }> {
  return CONNECTOR_PLUGINS.map((p) => ({ class: p.className, type: p.type, version: p.version }));
}
