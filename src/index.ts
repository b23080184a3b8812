// temporal-connect's public entry: the client SDK (ConnectClient) and the plugin API for writing
// connectors, transforms, predicates and converters (docs/connector-guide.md).

// Client SDK
export * from './client/index.js';

// Plugin API: connectors
export { defineSink, defineSource } from './connectors/types.js';
export type {
  ConnectorContext, ConnectorPlugin, PluginLogger, PutResult, SinkPlugin, SinkTask, SinkTaskContext, SourcePlugin, SourceTask, SourceTaskContext,
} from './connectors/types.js';
export { definePlugins, parseConfig, type PluginBundle } from './plugins/define.js';
export { loadPlugins, loadWorkerPlugins, PluginLoadError, PLUGIN_PATH_KEY, PLUGINS_KEY, type LoadedModule, type LoadOptions } from './plugins/loader.js';

// Config declarations
export { defineConfig, key } from './config/define.js';
export type { ConfigDef, ConfigKey, ConfigOf, ConfigProblem, ConfigType, Importance, KeyMap, KeyMeta } from './config/define.js';

// Errors (ConfigError comes with the client SDK above)
export { ConnectError, DataError, RetriableError, type ErrorStage } from './errors.js';

// Records and Connect's schema model
export type { ConnectHeader, ConnectRecord, SinkRecord, SourceOffset, SourcePartition, SourceRecord } from './records/record.js';
export { LOGICAL, Schemas, Struct, type Field, type Schema, type SchemaType } from './records/schema.js';

// Transforms, predicates, converters
export { definePredicate, defineTransform } from './transforms/types.js';
export type { Predicate, PredicateDefinition, RecordTransformation, TransformDefinition } from './transforms/types.js';
export type { ConverterPlugin } from './converters/registry.js';
export type { Converter, HeaderConverter, SchemaAndValue } from './converters/types.js';
