import { DEFAULT_HEADER_CONVERTER, DEFAULT_KEY_CONVERTER, DEFAULT_VALUE_CONVERTER } from '../converters/registry.js';
import { DEFAULT_BUFFER_BYTES } from '../kafka/fetcher.js';
import { DEFAULT_OFFSETS_PARTITIONS, DEFAULT_OFFSETS_REPLICATION_FACTOR, DEFAULT_OFFSETS_TOPIC } from '../kafka/offsets-store.js';
import { DEFAULT_REST_HOST, DEFAULT_REST_PORT } from '../rest/config.js';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages.js';

// Every worker property and environment variable a worker, REST server, standalone process or
// CLI reads, declared once: name, environment variable, default, documentation. The code that
// reads them (src/cli/worker.ts, src/rest/config.ts, src/config/providers.ts, src/plugins/loader.ts,
// ...) parses them where it always did; test/unit/worker/properties.test.ts fails when it reads
// a name declared nowhere here, or when a default here differs from what the parsing gives.
// docs/worker-properties.md is rendered from these lists (`npm run docs`).

export type WorkerPropertyGroup = 'Kafka' | 'Temporal' | 'Connectors' | 'REST API' | 'Memory' | 'Standalone';

export interface WorkerProperty {
  /** The property; `<name>` marks a part the user chooses (a family of properties). */
  name: string;
  group: WorkerPropertyGroup;
  /** Environment variables that set it too (over the file), beside the general CONNECT_<NAME>. */
  env?: readonly string[];
  /** The value used when it is not set, as text; undefined when unset means "none" (see doc). */
  default?: string;
  /** Its value is a secret: never logged nor shown. */
  secret?: boolean;
  doc: string;
}

export interface WorkerEnvironmentVariable {
  name: string;
  default?: string;
  secret?: boolean;
  doc: string;
}

export const WORKER_PROPERTIES: readonly WorkerProperty[] = [
  { name: 'bootstrap.servers', group: 'Kafka', env: ['KAFKA_BOOTSTRAP_SERVERS'], default: 'localhost:9092', doc: 'Kafka brokers, comma-separated (`--kafka-brokers` overrides both).' },
  { name: 'key.converter', group: 'Connectors', default: DEFAULT_KEY_CONVERTER, doc: 'Key converter for connectors that set none.' },
  { name: 'value.converter', group: 'Connectors', default: DEFAULT_VALUE_CONVERTER, doc: 'Value converter for connectors that set none.' },
  { name: 'header.converter', group: 'Connectors', default: DEFAULT_HEADER_CONVERTER, doc: 'Header converter for connectors that set none.' },
  { name: 'key.converter.<setting>', group: 'Connectors', doc: 'A setting of the worker\'s key converter, e.g. `key.converter.schemas.enable=false`.' },
  { name: 'value.converter.<setting>', group: 'Connectors', doc: 'A setting of the worker\'s value converter.' },
  { name: 'header.converter.<setting>', group: 'Connectors', doc: 'A setting of the worker\'s header converter.' },
  { name: 'offset.storage.topic', group: 'Kafka', default: DEFAULT_OFFSETS_TOPIC, doc: 'Topic where source offsets are also written in Kafka Connect\'s format, for connectors that set no `offsets.storage.topic`.' },
  { name: 'offset.storage.replication.factor', group: 'Kafka', default: String(DEFAULT_OFFSETS_REPLICATION_FACTOR), doc: 'Replication factor of the offsets topic when a worker creates it: a positive number, or `-1` for the broker\'s `default.replication.factor`. Left unset on a cluster of fewer brokers (a one-broker development cluster), the broker\'s default is used with a warning where Kafka Connect fails; set, a cluster too small for it is an error.' },
  { name: 'offset.storage.partitions', group: 'Kafka', default: String(DEFAULT_OFFSETS_PARTITIONS), doc: 'Partitions of the offsets topic when a worker creates it: a positive number, or `-1` for the broker\'s `num.partitions` (Kafka Connect\'s default is 25; the topic only mirrors the offsets the workflows hold).' },
  { name: 'exactly.once.source.support', group: 'Kafka', default: 'disabled', doc: 'Kafka Connect\'s exactly-once source support: `enabled` writes every source task\'s records and their offsets in one Kafka transaction (a transactional producer per task, `transactional.id` `<temporal.task.queue>-<connector>-<task>`, a new task fencing the older), and lets connectors set `exactly.once.support=required`; `preparing` and `disabled` deliver at least once. Set it alike on every worker of a task queue.' },
  { name: 'consumer.auto.offset.reset', group: 'Kafka', default: 'earliest', doc: 'Where a sink task starts in a partition with no committed offset: `earliest`, or `latest`; a connector\'s `consumer.override.auto.offset.reset` wins.' },
  { name: 'config.providers', group: 'Connectors', doc: 'Names of the config providers to enable (`file`, `env`, `dir`, or your own), comma-separated; none is enabled unless listed here (our `enc` always is). See the README\'s Secrets.' },
  { name: 'config.providers.<name>.class', group: 'Connectors', doc: 'The class of provider `<name>`: Kafka\'s `org.apache.kafka.common.config.provider.FileConfigProvider`, `EnvVarConfigProvider`, `DirectoryConfigProvider`.' },
  { name: 'config.providers.<name>.param.allowed.paths', group: 'Connectors', doc: 'Directories the file and dir providers may read, comma-separated; unset: any.' },
  { name: 'config.providers.<name>.param.allowlist.pattern', group: 'Connectors', doc: 'Java regular expression of the variable names the env provider may read (whole name); unset: any.' },
  { name: 'config.providers.<name>.param.<param>', group: 'Connectors', doc: 'Any other parameter of provider `<name>`, handed to a provider of your own.' },
  { name: 'plugin.path', group: 'Connectors', env: ['CONNECT_PLUGIN_PATH'], doc: 'Directories of plugin packages or modules, comma-separated (README, Packaging and plugins).' },
  { name: 'plugins', group: 'Connectors', env: ['CONNECT_PLUGINS'], doc: 'Plugin package names, comma-separated, resolved from the node_modules of `plugin.path` or the working directory.' },
  { name: 'file.connectors.allowed.paths', group: 'Connectors', doc: 'Directories the FileStream, spooldir CSV and rotating file connectors may read and write, comma-separated; unset: those connectors are refused.' },
  { name: 'listeners', group: 'REST API', default: `http://${DEFAULT_REST_HOST}:${DEFAULT_REST_PORT}`, doc: 'Where the REST API listens: `http://host:port,https://host:port`; an empty host means every interface. `tconnect worker` serves REST only when this, `rest.port` or `rest.host.name` is set.' },
  { name: 'rest.host.name', group: 'REST API', default: DEFAULT_REST_HOST, doc: 'Host of the REST API when `listeners` is not set.' },
  { name: 'rest.port', group: 'REST API', default: String(DEFAULT_REST_PORT), doc: 'Port of the REST API when `listeners` is not set.' },
  { name: 'rest.ssl.cert.file', group: 'REST API', doc: 'PEM certificate (chain) for `https://` listeners; required with one.' },
  { name: 'rest.ssl.key.file', group: 'REST API', doc: 'PEM private key for `https://` listeners; required with one.' },
  { name: 'rest.ssl.ca.file', group: 'REST API', doc: 'PEM CA certificates that client certificates are checked against.' },
  { name: 'rest.ssl.key.password', group: 'REST API', secret: true, doc: 'Password of an encrypted `rest.ssl.key.file`.' },
  { name: 'rest.ssl.client.auth', group: 'REST API', default: 'none', doc: 'Client certificates on https: `none`, `requested` or `required` (else Connect\'s `listeners.https.ssl.client.auth`).' },
  { name: 'listeners.https.ssl.client.auth', group: 'REST API', default: 'none', doc: 'Kafka Connect\'s name for client certificates on https, read when `rest.ssl.client.auth` is not set.' },
  { name: 'rest.auth.basic.users', group: 'REST API', secret: true, doc: 'HTTP basic authentication users, `alice:pw1,bob:pw2`.' },
  { name: 'rest.auth.basic.users.file', group: 'REST API', doc: 'File of basic authentication users in Jetty\'s `alice: pw1` format.' },
  { name: 'rest.auth.token', group: 'REST API', secret: true, doc: 'Bearer token the REST API accepts.' },
  { name: 'rest.auth.token.file', group: 'REST API', doc: 'File holding the bearer token the REST API accepts.' },
  { name: 'rest.request.max.bytes', group: 'REST API', default: String(1024 * 1024), doc: 'Largest request body the REST API accepts, in bytes (a positive whole number).' },
  { name: 'rest.request.timeout.ms', group: 'REST API', default: '90000', doc: 'How long a REST request may take, in ms (a positive whole number).' },
  { name: 'temporal.address', group: 'Temporal', env: ['TEMPORAL_ADDRESS'], default: 'localhost:7233', doc: 'Temporal frontend `host:port` (`--address` overrides both). Standalone without one starts its own dev server.' },
  { name: 'temporal.namespace', group: 'Temporal', env: ['TEMPORAL_NAMESPACE'], default: 'default', doc: 'Temporal namespace.' },
  { name: 'temporal.task.queue', group: 'Temporal', env: ['TCONNECT_TASK_QUEUE'], default: DEFAULT_TASK_QUEUE, doc: 'Task queue of the connector workflows: workers on one queue form one cluster.' },
  { name: 'temporal.api.key', group: 'Temporal', env: ['TEMPORAL_API_KEY'], secret: true, doc: 'API key for Temporal Cloud.' },
  { name: 'temporal.tls', group: 'Temporal', env: ['TEMPORAL_TLS'], default: 'false', doc: '`true`: TLS to Temporal with the system\'s CAs (implied by any temporal.tls.*.file).' },
  { name: 'temporal.tls.cert.file', group: 'Temporal', env: ['TEMPORAL_TLS_CERT'], doc: 'PEM client certificate for mTLS to Temporal (with `temporal.tls.key.file`).' },
  { name: 'temporal.tls.key.file', group: 'Temporal', env: ['TEMPORAL_TLS_KEY'], doc: 'PEM client key for mTLS to Temporal.' },
  { name: 'temporal.tls.ca.file', group: 'Temporal', env: ['TEMPORAL_TLS_CA'], doc: 'PEM CA certificate of a Temporal server with a private CA.' },
  { name: 'temporal.tls.server.name', group: 'Temporal', env: ['TEMPORAL_TLS_SERVER_NAME'], doc: 'Server name to check on Temporal\'s certificate, when it differs from the address.' },
  { name: 'temporal.sink.buffer.max.bytes', group: 'Memory', default: String(DEFAULT_BUFFER_BYTES), doc: 'Memory all sink tasks of a worker share for records fetched and not yet written (estimated at 3 × their bytes + 800 each); each task gets an equal part, at least 8 MiB.' },
  { name: 'temporal.heap.growing.percent', group: 'Memory', default: '100', doc: 'How far V8 may grow the heap past live data before collecting; V8\'s own choice (up to 300 %) costs a little less CPU and much more memory; `0` leaves it to V8. Not a whole number >= 0: ignored with a warning.' },
  { name: 'task.shutdown.graceful.timeout.ms', group: 'Temporal', default: '5000', doc: 'How long a stopping worker (SIGTERM, e.g. a pod replaced in a rolling upgrade) lets in-flight batches finish and commit before cancelling them (they are then retried on another worker), in ms.' },
  { name: 'temporal.data.dir', group: 'Standalone', doc: 'Where standalone\'s own Temporal dev server keeps its data; unset: the directory of `offset.storage.file.filename`, else ~/.local/share/temporal-connect/standalone.' },
  { name: 'offset.storage.file.filename', group: 'Standalone', doc: 'Kafka Connect standalone\'s offsets file: only its directory is used, as the dev server\'s data directory when `temporal.data.dir` is not set.' },
];

/** Variables read from the environment only (no property). */
export const WORKER_ENVIRONMENT: readonly WorkerEnvironmentVariable[] = [
  { name: 'TCONNECT_WORKER_ID', default: 'host:pid', doc: 'Shown as `worker_id` in status.' },
  { name: 'TCONNECT_LOG_LEVEL', default: 'info', doc: 'Level of the worker\'s JSON log (pino\'s levels).' },
  { name: 'TEMPORAL_SDK_LOG_LEVEL', default: 'WARN', doc: 'Level of the Temporal SDK\'s own log.' },
  { name: 'TCONNECT_SECRETS_KEY', secret: true, doc: 'Key that encrypts and decrypts `${enc:…}` secrets: base64 of 32 bytes, shared by clients and workers.' },
  { name: 'TCONNECT_SECRETS_KEY_FILE', default: '~/.config/temporal-connect/secrets.key', doc: 'File holding the secrets key when `TCONNECT_SECRETS_KEY` is not set.' },
  { name: 'TCONNECT_BUNDLE_DIR', doc: 'Where the workflow bundle is cached; unset: dist/workflow-bundle/ of the package, or node_modules/.cache/temporal-connect from source.' },
  { name: 'TCONNECT_COMMIT', default: 'unknown', doc: 'The commit `GET /` answers.' },
  { name: 'TEMPORAL_CLI', doc: 'The `temporal` binary standalone starts its dev server with; unset: on PATH, else the one `npm run stack` installed.' },
  { name: 'HADOOP_USER_NAME', doc: 'The HDFS sinks\' user, as for Hadoop\'s own clients (simple authentication: WebHDFS `user.name`); unset: the OS user running the worker.' },
  { name: 'TC_STACK_HOME', doc: 'Where `npm run stack` installed its servers (standalone looks for its `temporal` binary there).' },
  { name: 'NODE_OPTIONS', default: '--max-semi-space-size=4 (the Docker image)', doc: 'Node\'s own flags. The image sets a 4 MiB young generation (V8\'s default is 16): a smaller idle and peak RSS at the same CPU per record (bench/README.md, Memory); keep the flag when you set your own. The workflow thread gets 1 MiB semi-spaces whatever this says. The image also sets glibc\'s `MALLOC_ARENA_MAX=2`.' },
  { name: 'CONNECT_<NAME>', doc: 'Any worker property, Confluent\'s convention: `CONNECT_REST_PORT=8084` sets `rest.port` (`_` is a dot, `__` an underscore, `___` a dash). Over the file.' },
];

/** The declared property whose name (or `<...>` pattern) matches `name`. */
export function findWorkerProperty(name: string): WorkerProperty | undefined {
  return WORKER_PROPERTIES.find((p) => p.name === name)
    ?? WORKER_PROPERTIES.find((p) => p.name.includes('<') && new RegExp(`^${p.name.split(/<[^>]+>/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^=]+')}$`).test(name));
}
