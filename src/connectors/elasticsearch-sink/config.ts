import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';

// Confluent's Elasticsearch sink keys (names, defaults, ranges and docs of
// io.confluent.connect.elasticsearch.ElasticsearchSinkConnectorConfig), for the parts we run.

export const WRITE_METHODS = ['insert', 'upsert'] as const;
export const NULL_VALUE_BEHAVIORS = ['ignore', 'delete', 'fail'] as const;
export const MALFORMED_DOC_BEHAVIORS = ['ignore', 'warn', 'fail'] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];
export type NullValueBehavior = (typeof NULL_VALUE_BEHAVIORS)[number];
export type MalformedDocBehavior = (typeof MALFORMED_DOC_BEHAVIORS)[number];

const DAY_MS = 86_400_000;
const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

/** One connection URL as Confluent reads it: a URL without a protocol is http. */
export function normalizeUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol.replace(/:$/, '')}`);
  if (!url.hostname) throw new Error('no host');
  return url.toString();
}

const connectionUrl = key.custom(
  {
    type: 'LIST', importance: 'HIGH', group: 'Connector', required: true, displayName: 'Connection URLs',
    documentation: 'The comma-separated list of one or more Elasticsearch URLs, such as http://eshost1:9200,http://eshost2:9200 '
      + 'or https://eshost3:9200. A URL without a protocol is treated as http.',
    example: 'http://127.0.0.1:9200',
  },
  z.preprocess(
    blank,
    z.union([z.array(z.string()), z.string().transform((s) => s.split(','))])
      .transform((list) => list.map((u) => u.trim()).filter((u) => u !== ''))
      .superRefine((list, ctx) => {
        if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one URL is required' });
        for (const u of list) {
          try {
            normalizeUrl(u);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: `${JSON.stringify(u)} is not a valid URL (${(e as Error).message})` });
          }
        }
      })
      .transform((list) => list.map(normalizeUrl)),
  ),
);

export const elasticsearchSinkKeys = {
  'connection.url': connectionUrl,
  'connection.username': key.string({ doc: 'The username used to authenticate with Elasticsearch. Authentication is only performed if both the username and password are set.', importance: 'MEDIUM', group: 'Connector' }),
  'connection.password': key.password({ doc: 'The password used to authenticate with Elasticsearch. Authentication is only performed if both the username and password are set. Prefer a config provider reference such as ${env:ES_PASSWORD}.', importance: 'MEDIUM', group: 'Connector' }),
  'connection.timeout.ms': key.int({ doc: 'How long to wait in milliseconds when establishing a connection to the Elasticsearch server. A failed connection is retried up to max.retries times, then the batch is retried by the runtime.', default: 1000, min: 0, max: 12 * 3_600_000, importance: 'LOW', group: 'Connector' }),
  'read.timeout.ms': key.int({ doc: 'How long to wait in milliseconds for the Elasticsearch server to answer a request (0: no limit). A timed-out request is retried like a failed connection.', default: 3000, min: 0, max: 7 * DAY_MS, importance: 'LOW', group: 'Connector' }),
  'connection.compression': key.boolean({ doc: 'Whether to gzip request bodies. The http.compression setting must be enabled on the Elasticsearch nodes too.', default: false, importance: 'LOW', group: 'Connector' }),
  'batch.size': key.int({ doc: 'The number of records to process as a batch when writing to Elasticsearch: the most actions in one bulk request.', default: 2000, min: 1, max: 1_000_000, importance: 'MEDIUM', group: 'Connector' }),
  'bulk.size.bytes': key.int({ doc: 'The maximum size in bytes of one bulk request; -1 disables the limit. Whichever of batch.size and this is reached first closes a request.', default: 5 * 1024 * 1024, min: -1, max: 2_147_483_647, type: 'LONG', importance: 'LOW', group: 'Connector' }),
  'max.in.flight.requests': key.int({ doc: 'The maximum number of bulk requests of one task in flight to Elasticsearch at once.', default: 5, min: 1, max: 1000, importance: 'MEDIUM', group: 'Connector' }),
  'max.buffered.records': key.int({ doc: 'Accepted for compatibility. Records are not buffered here: the runtime hands each batch to put, which writes it before returning, so the runtime\'s batch size bounds memory.', default: 20000, min: 1, max: 2_147_483_647, importance: 'LOW', group: 'Connector' }),
  'linger.ms': key.int({ doc: 'Accepted for compatibility. The runtime already gathers records into large batches before put, so there is nothing left to linger for.', default: 1, min: 0, max: 7 * DAY_MS, type: 'LONG', importance: 'LOW', group: 'Connector' }),
  'flush.timeout.ms': key.int({ doc: 'The longest one put (all bulk requests of a batch, with their retries) may take. When exceeded, the batch is retried by the runtime.', default: 180_000, min: 1000, max: 7 * DAY_MS, type: 'LONG', importance: 'LOW', group: 'Connector' }),
  'max.retries': key.int({ doc: 'The maximum number of retries of a failed request (connection refused, timeout, 429, 5xx) before the batch fails with a retriable error, which the runtime retries per errors.retry.timeout.', default: 5, min: 0, max: 2_147_483_647, importance: 'LOW', group: 'Connector' }),
  'retry.backoff.ms': key.int({ doc: 'How long to wait in milliseconds before the first retry of a failed request. Each further retry may wait up to twice as long as the previous one, with jitter.', default: 100, min: 0, max: DAY_MS, type: 'LONG', importance: 'LOW', group: 'Connector' }),

  'key.ignore': key.boolean({ doc: 'Whether to ignore the record key for the purpose of forming the Elasticsearch document ID. When true, document IDs are <topic>+<partition>+<offset>. Use topic.key.ignore to set it for specific topics.', default: false, importance: 'HIGH', group: 'Data Conversion' }),
  'topic.key.ignore': key.list({ doc: 'List of topics for which key.ignore should be true.', importance: 'LOW', group: 'Data Conversion' }),
  'schema.ignore': key.boolean({ doc: 'Whether to ignore schemas during indexing. When false, an index that has no mapping yet gets one derived from the record\'s Connect schema. When true, Elasticsearch infers the mapping from the data (dynamic mapping). Use topic.schema.ignore to set it for specific topics.', default: false, importance: 'LOW', group: 'Data Conversion' }),
  'topic.schema.ignore': key.list({ doc: 'List of topics for which schema.ignore should be true.', importance: 'LOW', group: 'Data Conversion' }),
  'compact.map.entries': key.boolean({ doc: 'How map entries with string keys are written: true as "entryKey": "entryValue", false as nested documents {"key": "entryKey", "value": "entryValue"}. Maps with other keys are always written as nested documents.', default: true, importance: 'LOW', group: 'Data Conversion' }),
  'drop.invalid.message': key.boolean({ doc: 'Whether to drop (log and skip) a record that cannot be converted to a document (bad key, null value with behavior.on.null.values=fail, unsupported value) instead of reporting it as failed.', default: false, importance: 'LOW', group: 'Data Conversion' }),
  'behavior.on.null.values': key.enum(NULL_VALUE_BEHAVIORS, { doc: 'How to handle records with a null value (tombstones): ignore, delete (the document with the record\'s id) or fail.', default: 'fail', caseInsensitive: true, importance: 'LOW', group: 'Data Conversion' }),
  'behavior.on.malformed.documents': key.enum(MALFORMED_DOC_BEHAVIORS, { doc: 'How to handle records that Elasticsearch rejects because of the document itself, such as a mapping conflict or a field name containing illegal characters: ignore, warn (log and skip) or fail (report the record as failed, for errors.tolerance and the dead letter queue).', default: 'fail', caseInsensitive: true, importance: 'LOW', group: 'Data Conversion' }),
  'write.method': key.enum(WRITE_METHODS, { doc: 'insert replaces the whole document with the same id; upsert creates it or updates only the fields present in the record value.', default: 'insert', caseInsensitive: true, importance: 'LOW', group: 'Data Conversion' }),

  // Declared so that a config using them fails clearly instead of silently writing elsewhere.
  'external.version.header': key.string({ doc: 'Not supported yet. Documents are written without external versioning: ids are deterministic, so re-delivery overwrites with the same content, and an offset reset cannot make Elasticsearch drop writes as stale versions.', default: '', importance: 'LOW', group: 'Data Conversion' }),
  'use.autogenerated.ids': key.boolean({ doc: 'Not supported: generated ids would duplicate documents on re-delivery.', default: false, importance: 'LOW', group: 'Data Conversion' }),
  'data.stream.type': key.string({ doc: 'Not supported yet (data streams). Leave unset or NONE.', default: 'NONE', importance: 'LOW', group: 'Connector' }),
  'data.stream.dataset': key.string({ doc: 'Not supported yet (data streams). Leave unset.', default: '', importance: 'LOW', group: 'Connector' }),
  'data.stream.namespace': key.string({ doc: 'Not supported yet (data streams). Leave unset.', default: '${topic}', importance: 'LOW', group: 'Connector' }),
  'data.stream.timestamp.field': key.list({ doc: 'Not supported yet (data streams). Leave unset.', importance: 'LOW', group: 'Connector' }),
};

export const elasticsearchSinkConfig = defineConfig(elasticsearchSinkKeys);
export type ElasticsearchSinkConfig = ConfigOf<typeof elasticsearchSinkKeys>;

/** Cross-key rules: the keys we declare but do not run yet must keep their defaults. */
export function validateElasticsearchSink(cfg: ElasticsearchSinkConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const dataStreamKeys = {
    'data.stream.type': (cfg['data.stream.type'] ?? 'NONE').trim().toUpperCase() !== 'NONE',
    'data.stream.dataset': (cfg['data.stream.dataset'] ?? '').trim() !== '',
    'data.stream.namespace': (cfg['data.stream.namespace'] ?? '${topic}').trim() !== '${topic}',
    'data.stream.timestamp.field': cfg['data.stream.timestamp.field'].length > 0,
  };
  for (const [k, set] of Object.entries(dataStreamKeys)) {
    if (set) problems.push({ key: k, message: `Writing to data streams is not supported yet: remove ${k} to write to regular indices.` });
  }
  if ((cfg['external.version.header'] ?? '') !== '') {
    problems.push({ key: 'external.version.header', message: 'external.version.header is not supported yet: documents are written without external versioning.' });
  }
  if (cfg['use.autogenerated.ids']) {
    problems.push({ key: 'use.autogenerated.ids', message: 'use.autogenerated.ids is not supported: generated ids would duplicate documents when a batch is delivered again.' });
  }
  return problems;
}

/** Parses and cross-checks a raw config; throws ConfigError naming every offending key. */
export function parseElasticsearchSinkConfig(raw: Record<string, unknown>): ElasticsearchSinkConfig {
  const r = elasticsearchSinkConfig.parse(raw);
  const problems = r.ok ? validateElasticsearchSink(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid Elasticsearch sink configuration: ${problems.map((p) => p.message).join(' ')}`, problems);
  }
  return r.value;
}

export const ignoresKey = (cfg: ElasticsearchSinkConfig, topic: string) => cfg['key.ignore'] || cfg['topic.key.ignore'].includes(topic);
export const ignoresSchema = (cfg: ElasticsearchSinkConfig, topic: string) => cfg['schema.ignore'] || cfg['topic.schema.ignore'].includes(topic);
