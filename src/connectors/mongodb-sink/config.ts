import { z } from 'zod';
import { defineConfig, key, type ConfigOf } from '../../config/define.js';
import { ConfigError } from '../../errors.js';
import { parseConfig } from '../../plugins/define.js';

// The MongoDB Kafka connector's sink keys (com.mongodb.kafka.connect.MongoSinkConnector), with its
// defaults. Every key but connection.uri may be set per topic as topic.override.<topic>.<key>.

const CONN = 'Connection';
const NS = 'Namespace';
const WRITES = 'Writes';
const IDS = 'Id strategies';

export const ID_STRATEGY_PACKAGE = 'com.mongodb.kafka.connect.sink.processor.id.strategy.';
export const WRITEMODEL_PACKAGE = 'com.mongodb.kafka.connect.sink.writemodel.strategy.';

export const ID_STRATEGIES = [
  'BsonOidStrategy', 'ProvidedInKeyStrategy', 'ProvidedInValueStrategy', 'FullKeyStrategy',
  'PartialKeyStrategy', 'PartialValueStrategy', 'KafkaMetaDataStrategy', 'UuidStrategy',
] as const;
export type IdStrategyName = (typeof ID_STRATEGIES)[number];

export const WRITEMODEL_STRATEGIES = [
  'DefaultWriteModelStrategy', 'ReplaceOneDefaultStrategy', 'ReplaceOneBusinessKeyStrategy', 'UpdateOneDefaultStrategy',
  'UpdateOneTimestampsStrategy', 'InsertOneDefaultStrategy',
] as const;
export type WriteModelStrategyName = (typeof WRITEMODEL_STRATEGIES)[number];

/** A strategy key: the full class name or its simple name, parsed to the simple name. */
function strategyKey<const V extends readonly [string, ...string[]]>(names: V, pkg: string, def: V[number], doc: string, group: string) {
  const schema = z.preprocess((v) => (v === '' || v === null || v === undefined ? def : v), z.string().transform((s, ctx) => {
    const simple = s.trim().startsWith(pkg) ? s.trim().slice(pkg.length) : s.trim();
    const hit = names.find((n) => n === simple);
    if (!hit) ctx.addIssue({ code: 'custom', message: `must be one of ${names.join(', ')} (or the full class name under ${pkg.slice(0, -1)})` });
    return (hit ?? simple) as V[number];
  }));
  return key.custom<V[number]>({ type: 'STRING', importance: 'MEDIUM', group, default: pkg + def, validValues: names.map((n) => pkg + n), documentation: doc }, schema);
}

const projectionType = (doc: string) => key.enum(['none', 'allowlist', 'blocklist', 'whitelist', 'blacklist'] as const, { default: 'none', caseInsensitive: true, group: IDS, doc });
const projectionList = (doc: string) => key.list({ group: IDS, doc });

export const DEFAULT_CONNECTION_URI = 'mongodb://localhost:27017';

export const mongoSinkConfig = defineConfig({
  'connection.uri': key.string({ secret: true, default: DEFAULT_CONNECTION_URI, importance: 'HIGH', group: CONN, doc: 'The MongoDB connection string. A password type: it may hold credentials (mongodb://user:password@host/), so it is masked in every answer and never logged.', example: 'mongodb://user:${env:MONGO_PASSWORD}@mongo-1:27017,mongo-2:27017/?replicaSet=rs0' }),
  database: key.string({ required: true, importance: 'HIGH', group: NS, doc: 'The database the sink writes to.' }),
  collection: key.string({ group: NS, doc: 'The collection to write to; empty: the record\'s topic name. topic.override.<topic>.collection sets it per topic.' }),
  'document.id.strategy': strategyKey(ID_STRATEGIES, ID_STRATEGY_PACKAGE, 'BsonOidStrategy', 'How each document\'s _id is made.', IDS),
  'document.id.strategy.overwrite.existing': key.boolean({ default: false, group: IDS, doc: 'Whether the id strategy replaces an _id the value already has.' }),
  'document.id.strategy.uuid.format': key.enum(['string', 'binary'] as const, { default: 'string', caseInsensitive: true, group: IDS, doc: 'UuidStrategy: the _id as a string or as BSON binary subtype 4.' }),
  'document.id.strategy.partial.key.projection.type': projectionType('PartialKeyStrategy: allowlist or blocklist of key fields forming the _id.'),
  'document.id.strategy.partial.key.projection.list': projectionList('PartialKeyStrategy: the key fields (dotted paths for nested fields).'),
  'document.id.strategy.partial.value.projection.type': projectionType('PartialValueStrategy: allowlist or blocklist of value fields forming the _id.'),
  'document.id.strategy.partial.value.projection.list': projectionList('PartialValueStrategy: the value fields (dotted paths for nested fields).'),
  'writemodel.strategy': strategyKey(WRITEMODEL_STRATEGIES, WRITEMODEL_PACKAGE, 'DefaultWriteModelStrategy', 'How a record becomes a write: DefaultWriteModelStrategy is ReplaceOneDefaultStrategy (replace by _id, upsert).', WRITES),
  'delete.on.null.values': key.boolean({ default: false, group: WRITES, doc: 'Whether a record with a null value (a tombstone) deletes the document its key names; needs an id strategy that reads the key (FullKeyStrategy, PartialKeyStrategy, ProvidedInKeyStrategy). When false such a record is an error.' }),
  'max.batch.size': key.int({ default: 0, min: 0, group: WRITES, doc: 'Records per bulk write at most (0: all the records of one put that go to one collection in a row).' }),
  'bulk.write.ordered': key.boolean({ default: true, group: WRITES, doc: 'Ordered bulk writes stop at the first failed write (the records after it are reported as skipped); unordered ones attempt every write.' }),
});

export type MongoSinkConfig = ConfigOf<typeof mongoSinkConfig.keys>;

export const TOPIC_OVERRIDE_PREFIX = 'topic.override.';
/** The keys topic.override.<topic>.<key> may set: all but the connection. */
export const TOPIC_KEYS = Object.keys(mongoSinkConfig.keys).filter((k) => k !== 'connection.uri');

/** Cross-key rules (Connect's MongoSinkTopicConfig checks the same). */
export function validateMongoSink(cfg: MongoSinkConfig, prefix = ''): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const id = cfg['document.id.strategy'];
  if (cfg['delete.on.null.values'] && !['FullKeyStrategy', 'PartialKeyStrategy', 'ProvidedInKeyStrategy'].includes(id)) {
    problems.push({ key: `${prefix}delete.on.null.values`, message: `Invalid value true for configuration ${prefix}delete.on.null.values: deletes find the document by the record key, so document.id.strategy must be FullKeyStrategy, PartialKeyStrategy or ProvidedInKeyStrategy (it is ${id})` });
  }
  for (const side of ['key', 'value'] as const) {
    const strategy = side === 'key' ? 'PartialKeyStrategy' : 'PartialValueStrategy';
    const typeKey = `document.id.strategy.partial.${side}.projection.type` as const;
    if (id === strategy && cfg[typeKey] === 'none') problems.push({ key: `${prefix}${typeKey}`, message: `Invalid value none for configuration ${prefix}${typeKey}: ${strategy} needs allowlist or blocklist` });
  }
  if (cfg['writemodel.strategy'] === 'ReplaceOneBusinessKeyStrategy' && !['PartialKeyStrategy', 'PartialValueStrategy', 'FullKeyStrategy', 'ProvidedInKeyStrategy', 'ProvidedInValueStrategy'].includes(id)) {
    problems.push({ key: `${prefix}writemodel.strategy`, message: `ReplaceOneBusinessKeyStrategy finds documents by a business key: set document.id.strategy to PartialValueStrategy or PartialKeyStrategy (it is ${id})` });
  }
  return problems;
}

/** The raw config of one topic: the connector's keys with that topic's topic.override.<topic>.* keys on top. */
export function topicRawConfig(raw: Record<string, string>, topic: string): Record<string, string> {
  const prefix = `${TOPIC_OVERRIDE_PREFIX}${topic}.`;
  const out = { ...raw };
  for (const [k, v] of Object.entries(raw)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Checks every topic.override.* key names a topic-level key and parses to a valid topic config. */
export function checkTopicOverrides(raw: Record<string, string>): void {
  const problems: Array<{ key: string; message: string }> = [];
  const topics = new Set<string>();
  for (const k of Object.keys(raw)) {
    if (!k.startsWith(TOPIC_OVERRIDE_PREFIX)) continue;
    const rest = k.slice(TOPIC_OVERRIDE_PREFIX.length);
    const hit = TOPIC_KEYS.filter((t) => rest.endsWith(`.${t}`) && rest.length > t.length + 1).sort((a, b) => b.length - a.length)[0];
    if (!hit) {
      problems.push({ key: k, message: `${k} is not topic.override.<topic>.<key> with <key> one of ${TOPIC_KEYS.join(', ')}` });
      continue;
    }
    topics.add(rest.slice(0, rest.length - hit.length - 1));
  }
  for (const topic of topics) {
    const prefix = `${TOPIC_OVERRIDE_PREFIX}${topic}.`;
    const r = mongoSinkConfig.parse(topicRawConfig(raw, topic));
    if (!r.ok) problems.push(...r.problems.map((p) => ({ key: prefix + p.key, message: p.message })));
    else problems.push(...validateMongoSink(r.value, prefix));
  }
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
}

/** The connection string (its default when unset). */
export function connectionUri(cfg: MongoSinkConfig): string {
  return cfg['connection.uri'] ?? DEFAULT_CONNECTION_URI;
}

/** One topic's parsed config. */
export function parseTopicConfig(raw: Record<string, string>, topic: string): MongoSinkConfig {
  return parseConfig(mongoSinkConfig, topicRawConfig(raw, topic));
}
