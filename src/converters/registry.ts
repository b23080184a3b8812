import { ConfigError } from '../errors.js';
import { BUILT_IN, PluginList, type AddOutcome, type PluginOrigin } from '../plugins/plugin-list.js';
import { BYTE_ARRAY_CONVERTER_CLASS, ByteArrayConverter } from './byte-array-converter.js';
import { JSON_CONVERTER_CLASS, JsonConverter } from './json-converter.js';
import { AVRO_CONVERTER_CLASS, AvroConverter } from './schema-registry/avro-converter.js';
import { JSON_SCHEMA_CONVERTER_CLASS, JsonSchemaConverter } from './schema-registry/json-schema-converter.js';
import { PROTOBUF_CONVERTER_CLASS, ProtobufConverter } from './schema-registry/protobuf-converter.js';
import { NUMBER_CONVERTER_PLUGINS } from './number-converters.js';
import { SIMPLE_HEADER_CONVERTER_CLASS, SimpleHeaderConverter } from './simple-header-converter.js';
import { STRING_CONVERTER_CLASS, StringConverter } from './string-converter.js';
import type { Converter, HeaderConverter } from './types.js';

/** A converter plugin: its Connect class name, Connect's aliases for it, and what it can be used as. */
export interface ConverterPlugin {
  className: string;
  /** Connect's aliases: the simple class name and that name without its plugin-type suffix. */
  aliases: readonly string[];
  converter?: () => Converter;
  headerConverter?: () => HeaderConverter;
}

const converters = new PluginList<ConverterPlugin>('converter', (p) => p.aliases);

/**
 * Every converter this process knows: the built-ins below, then what the worker loaded from
 * plugin.path / plugins, all through registerConverter; no registration by import side effects.
 */
export const CONVERTER_PLUGINS: readonly ConverterPlugin[] = converters.items;

export function registerConverter(p: ConverterPlugin, origin: PluginOrigin): AddOutcome {
  return converters.add(p, origin);
}

/** Where a converter came from ("built-in" or its file). */
export function converterOrigin(p: ConverterPlugin): PluginOrigin | undefined {
  return converters.origin(p);
}

for (const p of [
  { className: JSON_CONVERTER_CLASS, aliases: ['JsonConverter', 'Json'], converter: () => new JsonConverter(), headerConverter: () => new JsonConverter() },
  { className: STRING_CONVERTER_CLASS, aliases: ['StringConverter', 'String'], converter: () => new StringConverter(), headerConverter: () => new StringConverter() },
  { className: BYTE_ARRAY_CONVERTER_CLASS, aliases: ['ByteArrayConverter', 'ByteArray'], converter: () => new ByteArrayConverter(), headerConverter: () => new ByteArrayConverter() },
  { className: SIMPLE_HEADER_CONVERTER_CLASS, aliases: ['SimpleHeaderConverter', 'Simple'], headerConverter: () => new SimpleHeaderConverter() },
  ...NUMBER_CONVERTER_PLUGINS,
  { className: AVRO_CONVERTER_CLASS, aliases: ['AvroConverter', 'Avro'], converter: () => new AvroConverter() },
  { className: JSON_SCHEMA_CONVERTER_CLASS, aliases: ['JsonSchemaConverter', 'JsonSchema'], converter: () => new JsonSchemaConverter() },
  { className: PROTOBUF_CONVERTER_CLASS, aliases: ['ProtobufConverter', 'Protobuf'], converter: () => new ProtobufConverter() },
]) registerConverter(p, { location: BUILT_IN });

export const DEFAULT_KEY_CONVERTER = JSON_CONVERTER_CLASS;
export const DEFAULT_VALUE_CONVERTER = JSON_CONVERTER_CLASS;
export const DEFAULT_HEADER_CONVERTER = SIMPLE_HEADER_CONVERTER_CLASS;

/** For GET /connector-plugins?connectorsOnly=false: one row per class and use, as Connect lists them. */
export function converterPluginRows(): Array<{ class: string; type: 'converter' | 'header_converter' }> {
  return CONVERTER_PLUGINS.flatMap((p) => [
    ...(p.converter ? [{ class: p.className, type: 'converter' as const }] : []),
    ...(p.headerConverter ? [{ class: p.className, type: 'header_converter' as const }] : []),
  ]);
}

type Use = 'converter' | 'headerConverter';

function findPlugin(name: string, use: Use, configKey: string): ConverterPlugin {
  const wanted = name.trim();
  const usable = CONVERTER_PLUGINS.filter((p) => p[use]);
  const plugin = converters.find(wanted);
  const known = usable.map((p) => `${p.className} (${p.aliases.join(', ')})`).join('; ');
  let message: string | undefined;
  if (!plugin) message = `Class ${wanted} could not be found. Known ${use === 'converter' ? 'converters' : 'header converters'}: ${known}`;
  else if (!plugin[use]) message = `${plugin.className} is not a ${use === 'converter' ? 'Converter' : 'HeaderConverter'}. Known ones: ${known}`;
  if (message) {
    const full = `Invalid value ${wanted} for configuration ${configKey}: ${message}`;
    throw new ConfigError(full, [{ key: configKey, message: full }]);
  }
  return plugin!;
}

/** Runs configure, reporting bad settings under their full key (e.g. value.converter.schemas.enable). */
function configured<T>(instance: T, configKey: string, configure: (c: T) => void): T {
  try {
    configure(instance);
    return instance;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const problems = e.problems.map((p) => ({ key: `${configKey}.${p.key}`, message: p.message }));
    throw new ConfigError(`${configKey}: ${e.message}`, problems, { cause: e });
  }
}

/**
 * A configured key or value converter by Connect class name or alias.
 * `config` holds its settings with the `key.converter.` / `value.converter.` prefix already stripped.
 */
export function createConverter(className: string, config: Record<string, string>, isKey: boolean): Converter {
  const configKey = isKey ? 'key.converter' : 'value.converter';
  const plugin = findPlugin(className, 'converter', configKey);
  return configured(plugin.converter!(), configKey, (c) => c.configure(config, isKey));
}

/** A configured header converter; `config` without the `header.converter.` prefix. */
export function createHeaderConverter(className: string, config: Record<string, string>): HeaderConverter {
  const plugin = findPlugin(className, 'headerConverter', 'header.converter');
  return configured(plugin.headerConverter!(), 'header.converter', (c) => c.configure(config));
}

/** Settings under a prefix, with the prefix removed (Connect's originalsWithPrefix). */
export function settingsWithPrefix(config: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * Where a converter's class and settings come from, as Connect's Worker decides: a connector
 * that names its own `value.converter` gets that class with its own `value.converter.*`
 * settings; otherwise the worker's class and the worker's settings, both together. Prefixed
 * settings in a connector that does not name the class are ignored, as in Connect.
 */
function source(prop: string, connectorConfig: Record<string, string>, workerDefaults: Record<string, string>, fallback: string) {
  const own = connectorConfig[prop]?.trim();
  if (own) return { className: own, settings: settingsWithPrefix(connectorConfig, `${prop}.`) };
  return { className: workerDefaults[prop]?.trim() || fallback, settings: settingsWithPrefix(workerDefaults, `${prop}.`) };
}

export interface RecordConverters {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
  /** Their class names, aliases resolved (what a DLQ record's __connect.errors.class.name says). */
  classNames: { key: string; value: string; header: string };
}

/** The key, value and header converters of a connector, its own settings over the worker's defaults. */
export function convertersFromConfig(connectorConfig: Record<string, string>, workerDefaults: Record<string, string>): RecordConverters {
  const key = source('key.converter', connectorConfig, workerDefaults, DEFAULT_KEY_CONVERTER);
  const value = source('value.converter', connectorConfig, workerDefaults, DEFAULT_VALUE_CONVERTER);
  const header = source('header.converter', connectorConfig, workerDefaults, DEFAULT_HEADER_CONVERTER);
  return {
    key: createConverter(key.className, key.settings, true),
    value: createConverter(value.className, value.settings, false),
    header: createHeaderConverter(header.className, header.settings),
    classNames: {
      key: findPlugin(key.className, 'converter', 'key.converter').className,
      value: findPlugin(value.className, 'converter', 'value.converter').className,
      header: findPlugin(header.className, 'headerConverter', 'header.converter').className,
    },
  };
}
