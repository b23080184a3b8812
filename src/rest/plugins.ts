// GET /connector-plugins, GET /connector-plugins/{p}/config, PUT /connector-plugins/{p}/config/validate.
import { configDefinitions, toConnectValidateResponse, validateConnectorConfig, type ConfigInfos, type ConfigKeyInfo } from '../config/connector-config.js';
import type { ConfigDef, KeyMap } from '../config/define.js';
import { maskConfig, secretKeys } from '../config/secrets.js';
import { CONNECTOR_PLUGINS, connectorPluginOrigin, findConnectorPlugin } from '../connectors/registry.js';
import type { ConnectorPlugin } from '../connectors/types.js';
import { JSON_CONVERTER_CLASS, jsonConverterConfig } from '../converters/json-converter.js';
import { CONVERTER_PLUGINS, converterOrigin } from '../converters/registry.js';
import { AVRO_CONVERTER_CLASS, avroConverterConfig } from '../converters/schema-registry/avro-converter.js';
import { JSON_SCHEMA_CONVERTER_CLASS, jsonSchemaConverterConfig } from '../converters/schema-registry/json-schema-converter.js';
import { PROTOBUF_CONVERTER_CLASS, protobufConverterConfig } from '../converters/schema-registry/protobuf-converter.js';
import { STRING_CONVERTER_CLASS, stringConverterConfig } from '../converters/string-converter.js';
import { BUILT_IN, type PluginOrigin } from '../plugins/plugin-list.js';
import { findPredicate, findTransform, PREDICATES, TRANSFORMS, transformOrigin } from '../transforms/registry.js';
import type { RawConfig } from '../../workflows/messages.js';
import { RestError } from './errors.js';
import type { ExactlyOnceSourceSupport } from '../config/exactly-once.js';

export type PluginType = 'source' | 'sink' | 'transformation' | 'predicate' | 'converter' | 'header_converter';
export interface PluginRow {
  class: string;
  type: PluginType;
  version: string;
}

/** Where a plugin came from: "built-in" or the file plugin.path / plugins loaded it from. */
export interface PluginRowWithLocation extends PluginRow {
  location: string;
}

/** Connect lists sinks, sources, transforms, predicates, converters, header converters; each sorted by class. */
export function pluginRows(connectorsOnly: boolean, version: string): PluginRow[] {
  return pluginRowsWithLocation(connectorsOnly, version).map(({ location: _location, ...row }) => row);
}

/** pluginRows plus each plugin's location (tconnect plugins); a loaded plugin shows its own version. */
export function pluginRowsWithLocation(connectorsOnly: boolean, version: string): PluginRowWithLocation[] {
  const byClass = (a: PluginRow, b: PluginRow) => a.class.localeCompare(b.class);
  const located = (origin: PluginOrigin | undefined) => ({ location: origin?.location ?? BUILT_IN });
  const connectors = CONNECTOR_PLUGINS.map((p) => ({ class: p.className, type: p.type, version: p.version, ...located(connectorPluginOrigin(p)) }));
  const rows: PluginRowWithLocation[] = [
    ...connectors.filter((p) => p.type === 'sink').sort(byClass),
    ...connectors.filter((p) => p.type === 'source').sort(byClass),
  ];
  if (connectorsOnly) return rows;
  const row = (className: string, type: PluginType, origin: PluginOrigin | undefined) => ({ class: className, type, version: origin?.version ?? version, ...located(origin) });
  const converters = CONVERTER_PLUGINS.flatMap((c) => [
    ...(c.converter ? [row(c.className, 'converter', converterOrigin(c))] : []),
    ...(c.headerConverter ? [row(c.className, 'header_converter', converterOrigin(c))] : []),
  ]);
  return [
    ...rows,
    ...TRANSFORMS.map((t) => row(t.className, 'transformation', transformOrigin(t))).sort(byClass),
    ...PREDICATES.map((p) => row(p.className, 'predicate', transformOrigin(p))).sort(byClass),
    ...converters.filter((c) => c.type === 'converter').sort(byClass),
    ...converters.filter((c) => c.type === 'header_converter').sort(byClass),
  ];
}

/** configDefinitions reads only a plugin's declared keys; transforms and predicates declare theirs the same way. */
const definitionsOf = (config: ConfigDef<KeyMap>): ConfigKeyInfo[] => configDefinitions({ config } as Pick<ConnectorPlugin, 'config'> as ConnectorPlugin);

/** A plugin's config definitions, by class name or alias; 404 as Connect for an unknown one. */
export function pluginConfig(name: string): ConfigKeyInfo[] {
  const connector = findConnectorPlugin(name);
  if (connector) return configDefinitions(connector);
  const smt = findTransform(name) ?? findPredicate(name);
  if (smt) return definitionsOf(smt.config);
  const converter = CONVERTER_PLUGINS.find((c) => c.className === name.trim() || c.aliases.includes(name.trim()));
  if (converter) return converterDefinitions(converter.className);
  throw new RestError(404, `Unknown plugin ${name}.`);
}

/** Connect's ConverterConfig key every converter has (set by the worker, not by users). */
const CONVERTER_TYPE: ConfigKeyInfo = {
  name: 'converter.type', type: 'STRING', required: true, default_value: null, importance: 'LOW', documentation: 'How this converter will be used.',
  group: null, width: 'NONE', display_name: 'converter.type', dependents: [], order: -1,
};

/** The settings converters declare, with Connect's display names and widths where they differ from the key's name. */
const CONVERTER_CONFIGS: Record<string, { config: ConfigDef<KeyMap>; shown?: Record<string, { display_name: string; width: ConfigKeyInfo['width'] }> }> = {
  [JSON_CONVERTER_CLASS]: {
    config: jsonConverterConfig,
    shown: {
      'schemas.enable': { display_name: 'Enable Schemas', width: 'MEDIUM' },
      'schemas.cache.size': { display_name: 'Schema Cache Size', width: 'MEDIUM' },
      'decimal.format': { display_name: 'Decimal Format', width: 'MEDIUM' },
      'replace.null.with.default': { display_name: 'Replace null with default', width: 'MEDIUM' },
    },
  },
  [STRING_CONVERTER_CLASS]: { config: stringConverterConfig, shown: { 'converter.encoding': { display_name: 'Encoding', width: 'MEDIUM' } } },
  [AVRO_CONVERTER_CLASS]: { config: avroConverterConfig },
  [PROTOBUF_CONVERTER_CLASS]: { config: protobufConverterConfig },
  [JSON_SCHEMA_CONVERTER_CLASS]: { config: jsonSchemaConverterConfig },
};

/** GET /connector-plugins/{converter}/config: converter.type, then the converter's own keys (Connect numbers them within their group). */
function converterDefinitions(className: string): ConfigKeyInfo[] {
  const own = CONVERTER_CONFIGS[className];
  if (!own) return [CONVERTER_TYPE];
  return [CONVERTER_TYPE, ...definitionsOf(own.config).map((d) => ({ ...d, ...own.shown?.[d.name], order: d.group === null ? -1 : d.order - 1 }))];
}

/** Connect's normalizedPluginName: the alias without its "Connector" suffix. */
function normalized(name: string): string {
  return name.endsWith('Connector') && name.length > 'Connector'.length ? name.slice(0, -'Connector'.length) : name;
}

/** Java's Map.toString of a config, secrets masked: Connect quotes the whole config in one message. */
function javaMapText(config: Record<string, string>): string {
  const masked = maskConfig(config, secretKeys(undefined, config));
  return `{${Object.entries(masked).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

/**
 * Validates a config as Connect's validate endpoint does: 400 when the body names another class
 * than the path or none at all, or (as Kafka 4.x; 3.x answered 500) a class no plugin has.
 */
export function validatePluginConfig(pathPlugin: string, raw: RawConfig, exactlyOnceSourceSupport?: ExactlyOnceSourceSupport): ConfigInfos {
  const cls = raw['connector.class'];
  if (cls !== undefined && cls !== null && !normalized(String(cls)).endsWith(normalized(pathPlugin))) {
    throw new RestError(400, `Included connector type ${String(cls)} does not match request type ${pathPlugin}`);
  }
  const name = typeof raw.name === 'string' ? raw.name : '';
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== null) flat[k] = String(v);
  if (cls === undefined || cls === null) throw new RestError(400, `Connector config ${javaMapText(flat)} contains no connector type`);
  const result = validateConnectorConfig(name, raw, { exactlyOnceSourceSupport });
  if (!result.plugin) {
    const problem = result.problems.find((p) => p.key === 'connector.class');
    throw new RestError(400, problem?.message ?? `Failed to find any class that implements Connector and which name matches ${String(cls)}`);
  }
  return toConnectValidateResponse(String(cls), raw, result);
}
