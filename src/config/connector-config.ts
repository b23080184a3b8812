import { z } from 'zod';
import type { ConnectorPlugin } from '../connectors/types.js';
import { connectorPluginNames, CONNECTOR_PLUGINS, findConnectorPlugin } from '../connectors/registry.js';
import { createConverter, createHeaderConverter, settingsWithPrefix } from '../converters/registry.js';
import { ConfigError } from '../errors.js';
import { isValidTopicName, TOPIC_NAME_RULE } from '../kafka/topic-name.js';
import { findPredicate, findTransform, PREDICATES, TRANSFORMS, validateTransformChain } from '../transforms/registry.js';
import { compileJavaRegex } from '../transforms/util/java-regex.js';
import type { RawConfig } from '../../workflows/messages.js';
import { RUNTIME_DEFAULTS } from '../../workflows/settings.js';
import { exactlyOnceProblems, type ExactlyOnceSourceSupport } from './exactly-once.js';
import { defineConfig, isWholeNumber, key, wholeNumberMessage, type ConfigKey, type ConfigProblem, type KeyMap } from './define.js';
import { hasProviderReference } from './providers.js';
import { maskConfig, redact, secretKeys, secretValues } from './secrets.js';

// The keys every connector has, with Kafka Connect's names, defaults, groups and docs
// (ConnectorConfig, SinkConnectorConfig's errors.deadletterqueue.*, SourceConnectorConfig).

type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

const COMMON = 'Common';
const ERRORS = 'Error Handling';

/** define.ts's int/boolean/list/enum builders take no display name; Connect's REST answers show one. */
function shown<T>(displayName: string, k: ConfigKey<T>): ConfigKey<T> {
  return { ...k, meta: { ...k.meta, displayName } };
}

const CONVERTER_DOC = (what: string) => `Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. `
  + `This controls the format of the ${what} in messages written to or read from Kafka, and since this is independent of connectors it `
  + `allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. `
  + `By default, the value will be inherited from the worker config.`;

const converterKey = (what: string, displayName: string) => key.custom(
  { type: 'CLASS', importance: 'LOW', group: COMMON, displayName, documentation: CONVERTER_DOC(what) },
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional()),
);

// Connect's NonEmptyStringWithoutControlChars (ISO control characters), plus our own rules.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
// A UTF-16 surrogate without its pair: not a Unicode character, and not encodable as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Names go into Temporal workflow ids (at most 1,000 bytes): 255 UTF-16 units are at most 765 UTF-8 bytes. */
export const MAX_CONNECTOR_NAME_LENGTH = 255;

const connectorName = key.custom(
  { type: 'STRING', importance: 'HIGH', group: COMMON, required: true, displayName: 'Connector name', documentation: 'Globally unique name to use for this connector.' },
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().superRefine((s, ctx) => {
    const control = s.match(CONTROL_CHARS);
    if (control) {
      const codes = [...new Set(control.map((c) => c.charCodeAt(0)))].join(', ');
      ctx.addIssue({ code: 'custom', message: `String may not contain control sequences but had the following ASCII control characters: ${codes}` });
    }
    if (s.includes(':')) {
      ctx.addIssue({ code: 'custom', message: "Connector names may not contain ':': temporal-connect puts the name into Temporal workflow ids (connector:<name>:task-<n>). This is our rule, not Kafka Connect's." });
    }
    if (s.length > MAX_CONNECTOR_NAME_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `Connector names may be at most ${MAX_CONNECTOR_NAME_LENGTH} characters long (this one has ${s.length}): temporal-connect puts the name into Temporal workflow ids. This is our rule, not Kafka Connect's.` });
    }
    if (LONE_SURROGATE.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'Connector names must be valid Unicode: this one has a lone UTF-16 surrogate (an escape like \\ud800 without its pair). This is our rule, not Kafka Connect\'s.' });
    }
  })),
);

/** -1 (the broker's default) or a positive number, as Connect's TopicCreationConfig checks. */
function topicCreationInt(k: ConfigKey<number>, what: string): ConfigKey<number> {
  return refined(k, (n, ctx) => {
    if (n !== undefined && n !== -1 && n < 1) ctx.addIssue({ code: 'custom', message: `${what} must be positive, or -1 to use the broker's default` });
  });
}

/** A declared key with one more check on its parsed value. */
function refined<T>(k: ConfigKey<T>, check: (value: T, ctx: z.RefinementCtx) => void): ConfigKey<T> {
  return key.custom(k.meta, k.schema.superRefine(check));
}

export { isValidTopicName };

const errorsKeys = {
  'errors.retry.timeout': shown('Retry Timeout for Errors', key.int({
    type: 'LONG', default: RUNTIME_DEFAULTS['errors.retry.timeout'], group: ERRORS,
    doc: 'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
  })),
  'errors.retry.delay.max.ms': shown('Maximum Delay Between Retries for Errors', key.int({
    type: 'LONG', default: RUNTIME_DEFAULTS['errors.retry.delay.max.ms'], group: ERRORS,
    doc: 'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
  })),
  'errors.tolerance': shown('Error Tolerance', key.enum(['none', 'all'] as const, {
    default: 'none', group: ERRORS,
    doc: "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
  })),
  'errors.log.enable': shown('Log Errors', key.boolean({
    default: false, group: ERRORS,
    doc: "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
  })),
  'errors.log.include.messages': shown('Log Error Details', key.boolean({
    default: false, group: ERRORS,
    doc: "Whether to the include in the log the Connect record that resulted in a failure. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files, although some information such as topic and partition number will still be logged.",
  })),
  // Sinks only in Kafka Connect; we also route a source's convert failures there.
  'errors.deadletterqueue.topic.name': refined(key.string({
    default: '', group: ERRORS, displayName: 'Dead Letter Queue Topic Name',
    doc: 'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
  }), (t, ctx) => {
    if (t !== undefined && t.trim() !== '' && !isValidTopicName(t.trim())) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(t)} is not a valid topic name: ${TOPIC_NAME_RULE}` });
  }),
  // SHORT in Connect; define.ts has no SHORT type.
  'errors.deadletterqueue.topic.replication.factor': shown('Dead Letter Queue Topic Replication Factor', key.int({
    default: 3, min: -1, max: 32767, group: ERRORS,
    doc: "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
  })),
  'errors.deadletterqueue.context.headers.enable': shown('Enable Error Context Headers', key.boolean({
    default: false, group: ERRORS,
    doc: 'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys will start with __connect.errors.',
  })),
};

/** The errors.* keys, parsed on their own where a task opens (activities/errors-handling.ts). */
export const errorsConfig = defineConfig(errorsKeys);

const TEMPORAL = 'Temporal';

/** Keys of ours, beyond Kafka Connect's (README, "Configuration beyond Kafka Connect's keys"). */
const temporalKeys = {
  'temporal.batch.max.records': key.int({
    default: RUNTIME_DEFAULTS['temporal.batch.max.records'], min: 1, importance: 'LOW', group: TEMPORAL,
    doc: 'Records one batch activity moves at most (a source reads several batch.max.rows turns to fill it).',
  }),
  // A batch is one activity with a 10-minute start-to-close timeout: its waits must end well before.
  'temporal.batch.max.ms': key.int({
    type: 'LONG', default: RUNTIME_DEFAULTS['temporal.batch.max.ms'], min: 1, max: 300000, importance: 'LOW', group: TEMPORAL,
    doc: 'Time in ms one batch activity may spend filling a batch from its first record (an interval transaction: from its start), at most 300000 (5 minutes).',
  }),
  'temporal.idle.wait.ms': key.int({
    type: 'LONG', default: RUNTIME_DEFAULTS['temporal.idle.wait.ms'], min: 1, max: 300000, importance: 'LOW', group: TEMPORAL,
    doc: 'How long in ms a batch waits for data before returning empty, at most 300000 (5 minutes). Records that arrive meanwhile are taken within about 50 ms; pause, stop, restart and worker shutdown end the wait at once. An idle task costs one batch activity per wait.',
  }),
  // Temporal terminates a workflow at 51,200 events; a tiny limit would continue-as-new without doing work.
  'temporal.history.max.events': key.int({
    default: RUNTIME_DEFAULTS['temporal.history.max.events'], min: 50, max: 50000, importance: 'LOW', group: TEMPORAL,
    doc: 'History length (50 to 50000 events) past which the connector and task workflows continue as new, if Temporal has not suggested it earlier.',
  }),
};

export const commonKeys = {
  name: connectorName,
  'connector.class': key.string({
    required: true, importance: 'HIGH', group: COMMON, displayName: 'Connector class',
    doc: 'Name or alias of the class for this connector. For io.confluent.connect.jdbc.JdbcSourceConnector you can either specify this full name, or use "JdbcSource" or "JdbcSourceConnector" to make the configuration a bit shorter.',
  }),
  'tasks.max': shown('Tasks max', key.int({ default: 1, min: 1, importance: 'HIGH', group: COMMON, doc: 'Maximum number of tasks to use for this connector.' })),
  'tasks.max.enforce': shown('Enforce tasks max', key.boolean({
    default: true, importance: 'LOW', group: COMMON,
    doc: '(Deprecated in Kafka Connect) Whether to enforce that the tasks.max property is respected by the connector. temporal-connect\'s connectors never plan more tasks than tasks.max, so both values behave the same.',
  })),
  'key.converter': converterKey('keys', 'Key converter class'),
  'value.converter': converterKey('values', 'Value converter class'),
  'header.converter': converterKey('header values', 'Header converter class'),
  transforms: shown('Transforms', key.list({ default: [], importance: 'LOW', group: 'Transforms', doc: 'Aliases for the transformations to be applied to records.' })),
  predicates: shown('Predicates', key.list({ default: [], importance: 'LOW', group: 'Predicates', doc: 'Aliases for the predicates used by transformations.' })),
  'config.action.reload': shown('Reload Action', key.enum(['none', 'restart'] as const, {
    default: 'restart', caseInsensitive: true, importance: 'LOW', group: COMMON,
    doc: 'The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector\'s configuration properties. In temporal-connect providers resolve their values each time a task starts and announce no changes, so both values behave as none.',
  })),
  ...errorsKeys,
  ...temporalKeys,
};

export const sourceKeys = {
  'topic.creation.groups': shown('Topic Creation Groups', key.custom(
    { type: 'LIST', importance: 'LOW', group: 'Topic Creation', default: [], documentation: 'Groups of configurations for topics created by source connectors. temporal-connect supports the default group only (topic.creation.default.*), so this must stay empty.' },
    z.preprocess((v) => (v === null ? undefined : v), z.string().optional().refine((v) => v === undefined || v.trim() === '', 'temporal-connect creates topics with the default group only (topic.creation.default.partitions and .replication.factor): remove topic.creation.groups')),
  )),
  'topic.creation.default.partitions': shown('Default topic partitions', topicCreationInt(key.int({
    group: 'Topic Creation', importance: 'LOW',
    doc: "The number of partitions new topics created for this connector. This value may be -1 to use the broker's default number of partitions, or a positive number representing the desired number of partitions. Required when any topic.creation.* key is set.",
  }), 'Number of partitions')),
  'topic.creation.default.replication.factor': shown('Default topic replication factor', topicCreationInt(key.int({
    group: 'Topic Creation', importance: 'LOW',
    doc: "The replication factor for new topics created for this connector. This value may be -1 to use the broker's default replication factor, or may be a positive number not larger than the number of brokers in the Kafka cluster. Required when any topic.creation.* key is set.",
  }), 'Replication factor')),
  'exactly.once.support': shown('Exactly once support', key.enum(['requested', 'required'] as const, {
    default: 'requested', caseInsensitive: true, group: 'Exactly Once Support',
    doc: 'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics '
      + 'with the given configuration, and creating or validating the connector fails unless the worker has exactly.once.source.support=enabled. '
      + 'Whether records are written exactly once is the worker\'s choice, as in Kafka Connect: with exactly.once.source.support=enabled every source task writes '
      + 'its records and their offsets in one Kafka transaction.',
  })),
  'transaction.boundary': shown('Transaction Boundary', key.enum(['poll', 'interval', 'connector'] as const, {
    default: 'poll', caseInsensitive: true, importance: 'MEDIUM', group: 'Exactly Once Support',
    doc: 'Permitted values are poll, interval, connector. If set to \'poll\', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect '
      + '(in temporal-connect: every batch activity, up to temporal.batch.max.records or temporal.batch.max.ms). If set to \'connector\', relies on connector-defined transaction boundaries; '
      + 'no built-in connector defines them, so that value is refused. If set to \'interval\', commits transactions only after a user-defined time interval has passed.',
  })),
  'transaction.boundary.interval.ms': shown('Transaction boundary interval', key.int({
    type: 'LONG', min: 0, importance: 'LOW', group: 'Exactly Once Support',
    doc: 'If \'transaction.boundary\' is set to \'interval\', determines the interval for producer transaction commits by connector tasks (at most 540000 ms here: one batch activity). '
      + 'If unset, defaults to 60000 ms (Kafka Connect\'s offset.flush.interval.ms default). It has no effect if a different transaction.boundary is specified.',
  })),
  'offsets.storage.topic': key.string({
    importance: 'LOW', group: 'offsets.topic', displayName: 'Offsets topic',
    doc: "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker's global offsets topic name will be used.",
  }),
};

/** Compiled as the runtime matches topic names (whole name, linear time); a message when it does not compile. */
function topicsRegexProblem(regex: string): string | undefined {
  try {
    compileJavaRegex(regex, true, 'topics.regex');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const sinkKeys = {
  topics: shown('Topics', refined(key.list({
    importance: 'HIGH', group: COMMON, doc: 'Comma-separated topics to consume. Set this or topics.regex, not both.',
  }), (topics, ctx) => {
    for (const t of topics) if (!isValidTopicName(t)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(t)} is not a valid topic name: ${TOPIC_NAME_RULE}` });
  })),
  'topics.regex': shown('Topics regex', refined(key.string({
    default: '', importance: 'HIGH', group: COMMON, doc: 'Regular expression matched against whole topic names: the topics to consume. Set this or topics, not both.',
  }), (re, ctx) => {
    const problem = re === undefined || re.trim() === '' ? undefined : topicsRegexProblem(re);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })),
  // Each check is a workflow timer and an activity asking Kafka for topics.
  'temporal.topics.poll.interval.ms': key.int({
    type: 'LONG', default: RUNTIME_DEFAULTS['temporal.topics.poll.interval.ms'], min: 1000, importance: 'LOW', group: TEMPORAL,
    doc: 'How often in ms (at least 1000) a sink checks for new topics and partitions.',
  }),
};

export const commonConfig = defineConfig(commonKeys);
const sourceConfig = defineConfig(sourceKeys);
const sinkConfig = defineConfig(sinkKeys);

const WIDTHS: Record<string, Width> = {
  name: 'MEDIUM', 'connector.class': 'LONG', 'tasks.max': 'SHORT', 'key.converter': 'SHORT', 'value.converter': 'SHORT',
  'header.converter': 'SHORT', transforms: 'LONG', predicates: 'LONG', 'errors.retry.timeout': 'MEDIUM',
  'errors.retry.delay.max.ms': 'MEDIUM', 'errors.tolerance': 'SHORT', 'errors.log.enable': 'SHORT',
  'errors.log.include.messages': 'SHORT', 'errors.deadletterqueue.topic.name': 'MEDIUM',
  'errors.deadletterqueue.topic.replication.factor': 'MEDIUM', 'errors.deadletterqueue.context.headers.enable': 'SHORT',
  'exactly.once.support': 'SHORT', 'offsets.storage.topic': 'LONG', topics: 'LONG', 'topics.regex': 'LONG',
};

/** Every key a connector of this plugin has: common first, then its type's, then its own (a common declaration wins a clash). */
export function connectorKeys(plugin?: ConnectorPlugin): KeyMap {
  const out: KeyMap = { ...commonKeys, ...(plugin?.type === 'source' ? sourceKeys : plugin?.type === 'sink' ? sinkKeys : {}) };
  for (const [n, k] of Object.entries(plugin?.config.keys ?? {})) if (!(n in out)) out[n] = k;
  return out;
}

export interface ConnectorConfigResult {
  ok: boolean;
  plugin?: ConnectorPlugin;
  /** Every problem found, each naming its key. */
  problems: ConfigProblem[];
  /** The config as Connect stores it: flat strings, null values dropped, `name` set. Unresolved. */
  config: Record<string, string>;
}

/** Connect's string form of a JSON config value. */
function toConnectString(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

function flatten(raw: RawConfig, problems: ConfigProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = toConnectString(v);
    else problems.push({ key: k, message: `Invalid value for configuration ${k}: must be a string, number or boolean` });
  }
  return out;
}

function unknownClassMessage(cls: string): string {
  const known = CONNECTOR_PLUGINS.map((p) => `${p.className} (${connectorPluginNames(p).slice(1).join(', ')})`).join('; ');
  return `Invalid value ${cls} for configuration connector.class: Failed to find any class that implements Connector and which name matches ${cls}. Known connectors: ${known || 'none'}`;
}

function converterProblems(values: Record<string, string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const prop of ['key.converter', 'value.converter', 'header.converter'] as const) {
    const cls = values[prop]?.trim();
    // Unset: the worker's converter is used, and the worker checks its own settings.
    if (!cls) continue;
    const settings = settingsWithPrefix(values, `${prop}.`);
    try {
      if (prop === 'header.converter') createHeaderConverter(cls, settings);
      else createConverter(cls, settings, prop === 'key.converter');
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...(e.problems.length ? e.problems : [{ key: prop, message: e.message }]));
    }
  }
  return problems;
}

/** Connect's SourceConnectorConfig: once any topic.creation.* key is set, the default group needs both numbers. */
function topicCreationProblems(values: Record<string, string>): ConfigProblem[] {
  if (!Object.keys(values).some((k) => k.startsWith('topic.creation.') && k !== 'topic.creation.groups')) return [];
  return ['topic.creation.default.replication.factor', 'topic.creation.default.partitions']
    .filter((k) => (values[k] ?? '').trim() === '')
    .map((k) => ({ key: k, message: `Missing required configuration "${k}" which has no default value.` }));
}

const isSet = (v: string | undefined) => v !== undefined && v.trim() !== '';

/** Connect's SinkConnectorConfig.validate: exactly one of topics and topics.regex, and the DLQ topic is not one consumed. */
function sinkTopicProblems(values: Record<string, string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const both = (message: string) => problems.push({ key: 'topics', message }, { key: 'topics.regex', message });
  const hasTopics = isSet(values.topics);
  const hasRegex = isSet(values['topics.regex']);
  if (hasTopics && hasRegex) both('topics and topics.regex are mutually exclusive options, but both are set.');
  if (!hasTopics && !hasRegex) both('Must configure one of topics or topics.regex');
  const dlq = (values['errors.deadletterqueue.topic.name'] ?? '').trim();
  if (dlq === '') return problems;
  const topics = hasTopics ? [...new Set(values.topics.split(',').map((t) => t.trim()).filter((t) => t !== ''))] : [];
  if (topics.includes(dlq)) {
    problems.push({ key: 'topics', message: `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=[${topics.join(', ')}]') consumed by the connector` });
  }
  const regex = values['topics.regex'];
  if (hasRegex && !topicsRegexProblem(regex) && compileJavaRegex(regex, true, 'topics.regex').test(dlq)) {
    problems.push({ key: 'topics.regex', message: `The DLQ topic '${dlq}' may not be matched by the regex for the topics ('topics.regex=${regex}') consumed by the connector` });
  }
  return problems;
}

/** The longest transaction.boundary.interval.ms: one transaction is one batch activity, which may run 10 minutes. */
export const MAX_TRANSACTION_INTERVAL_MS = 540_000;

function transactionIntervalProblems(values: Record<string, string>): ConfigProblem[] {
  const v = values['transaction.boundary.interval.ms']?.trim();
  if (!v || !/^\d+$/.test(v) || Number(v) <= MAX_TRANSACTION_INTERVAL_MS) return [];
  return [{ key: 'transaction.boundary.interval.ms', message: `Invalid value ${v} for configuration transaction.boundary.interval.ms: at most ${MAX_TRANSACTION_INTERVAL_MS} ms, the longest a batch activity (one transaction) may run` }];
}

/** Connect's ConfigDef.parseType message when a value is not of its key's type; undefined when it is (or the type is free text). */
export function typeMismatch(type: string, value: string): string | undefined {
  const v = value.trim();
  // Connect's own text; for digits out of Java's range, also the range.
  if (type === 'INT' || type === 'LONG') return isWholeNumber(type, v) ? undefined : /^[-+]?\d+$/.test(v) ? wholeNumberMessage(type) : `Not a number of type ${type}`;
  if (type === 'DOUBLE') return v !== '' && Number.isFinite(Number(v)) ? undefined : 'Not a number of type DOUBLE';
  if (type === 'BOOLEAN') return /^(true|false)$/i.test(v) ? undefined : 'Expected value to be either true or false';
  return undefined;
}

/**
 * A value that is not of its key's type gets Connect's message in place of ours, and for tasks.max
 * also the second one Connect adds (it then sees no value at all).
 */
function withConnectTypeMessages(keys: KeyMap, values: Record<string, string>, problems: ConfigProblem[]): ConfigProblem[] {
  let out = problems;
  for (const [name, k] of Object.entries(keys)) {
    const raw = values[name];
    if (raw === undefined || raw.trim() === '') continue;
    const why = typeMismatch(k.meta.type, raw);
    if (!why) continue;
    out = [...out.filter((p) => p.key !== name), { key: name, message: `Invalid value ${raw} for configuration ${name}: ${why}` }];
    if (name === 'tasks.max') out.push({ key: name, message: 'Invalid value null for configuration tasks.max: Value must be non-null' });
  }
  return out;
}

/**
 * Validates a connector config as Kafka Connect's validate does, collecting every problem:
 * the name, connector.class, the common keys, the plugin's keys and cross-key rules, the
 * converters and their settings, and the transforms/predicates chain.
 *
 * Config-provider references cannot be judged before they are resolved. Pass `resolved` (the same
 * config after resolveConfig, inside an activity) to check the resolved values; without it,
 * problems on keys holding a reference are left for that later check. Messages never carry a
 * resolved value or a plain secret.
 */
export function validateConnectorConfig(
  name: string,
  raw: RawConfig,
  options: { resolved?: Record<string, string>; exactlyOnceSourceSupport?: ExactlyOnceSourceSupport } = {},
): ConnectorConfigResult {
  let problems: ConfigProblem[] = [];
  const config = flatten(raw, problems);
  if (config.name !== undefined && config.name !== name) {
    problems.push({ key: 'name', message: `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})` });
  }
  config.name = name;
  const values = options.resolved ? { ...config, ...options.resolved, name } : config;

  const common = commonConfig.parse(values);
  if (!common.ok) problems.push(...common.problems);

  const cls = values['connector.class']?.trim() ?? '';
  const plugin = cls ? findConnectorPlugin(cls) : undefined;
  if (cls && !plugin) problems.push({ key: 'connector.class', message: unknownClassMessage(cls) });

  if (plugin) {
    const typed = plugin.type === 'source' ? sourceConfig.parse(values) : sinkConfig.parse(values);
    if (!typed.ok) problems.push(...typed.problems);
    if (plugin.type === 'source') problems.push(...topicCreationProblems(values), ...transactionIntervalProblems(values));
    else problems.push(...sinkTopicProblems(values));
    const own = plugin.config.parse(values);
    if (!own.ok) problems.push(...own.problems);
    else if (plugin.validate) problems.push(...plugin.validate(own.value));
    // Connect's herder checks these after the keys parsed on their own.
    if (plugin.type === 'source' && typed.ok) problems.push(...exactlyOnceProblems(plugin, values, options.exactlyOnceSourceSupport));
  }
  problems.push(...converterProblems(values));
  problems.push(...validateTransformChain(values));
  problems = withConnectTypeMessages(connectorKeys(plugin), values, problems);

  if (!options.resolved) problems = problems.filter((p) => !(config[p.key] !== undefined && hasProviderReference(config[p.key])));

  // Scrub resolved values and plain secrets out of messages (parse errors quote the value).
  const scrub = [
    ...secretValues(values, secretKeys(plugin, values)),
    ...Object.keys(config).filter((k) => values[k] !== config[k]).map((k) => values[k]),
  ];
  const seen = new Set<string>();
  problems = problems
    .map((p) => ({ key: p.key, message: redact(p.message, scrub) }))
    .filter((p) => {
      const id = `${p.key}\u0000${p.message}`;
      return !seen.has(id) && !!seen.add(id);
    });
  return { ok: problems.length === 0, plugin, problems, config };
}

// ---- Kafka Connect's REST shapes -------------------------------------------------------

export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  width: Width;
  display_name: string;
  dependents: string[];
  /** The key's place in its group (Connect's orderInGroup, named `order` in its answers); -1 without a group. */
  order: number;
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: Array<{ definition: ConfigKeyInfo; value: ConfigValueInfo }>;
}

/** ConfigDef.convertToString of a default: lists comma-joined, absent = null. */
function defaultString(d: unknown): string | null {
  if (d === undefined || d === null) return null;
  return Array.isArray(d) ? d.join(',') : String(d);
}

/** The order Connect's ConnectorConfig/SourceConnectorConfig give the framework's keys (not always by group). */
const ORDERS: Record<string, number> = {
  name: 1, 'connector.class': 2, 'tasks.max': 3, 'tasks.max.enforce': 4, 'key.converter': 5, 'value.converter': 6,
  'header.converter': 7, transforms: 8, predicates: 9, 'config.action.reload': 10,
  'errors.retry.timeout': 1, 'errors.retry.delay.max.ms': 2, 'errors.tolerance': 3, 'errors.log.enable': 4,
  'errors.log.include.messages': 5, 'errors.deadletterqueue.topic.name': 6, 'errors.deadletterqueue.topic.replication.factor': 7,
  'errors.deadletterqueue.context.headers.enable': 8, 'topic.creation.groups': 1, 'exactly.once.support': 2,
  'transaction.boundary': 3, 'transaction.boundary.interval.ms': 4, 'offsets.storage.topic': 1,
};

function definitions(keys: KeyMap, framework = false): ConfigKeyInfo[] {
  const orderInGroup = new Map<string, number>();
  return Object.entries(keys).map(([name, k]) => {
    const group = k.meta.group ?? null;
    let order = group === null ? -1 : (orderInGroup.get(group) ?? 0) + 1;
    if (group !== null) orderInGroup.set(group, order);
    if (framework && ORDERS[name] !== undefined) order = ORDERS[name];
    return {
      name,
      type: k.meta.type,
      required: k.meta.required === true,
      default_value: defaultString(k.meta.default),
      importance: k.meta.importance,
      documentation: k.meta.documentation,
      group,
      width: WIDTHS[name] ?? 'NONE',
      display_name: k.meta.displayName ?? name,
      dependents: [],
      order,
    };
  });
}

/** GET /connector-plugins/{p}/config: the plugin's own keys, as Connect (KIP-769) lists them. */
export function configDefinitions(plugin: ConnectorPlugin): ConfigKeyInfo[] {
  return definitions(plugin.config.keys);
}

/** The group Connect gives a transform's or predicate's keys: "Transforms: <alias>". */
function enrichedGroup(keyName: string): string | null {
  const m = /^(transforms|predicates)\.([^.]+)\./.exec(keyName);
  return m ? `${m[1] === 'transforms' ? 'Transforms' : 'Predicates'}: ${m[2]}` : null;
}

interface EnrichedKey {
  definition: ConfigKeyInfo;
  recommended: string[];
  /** Connect shows no value for a class it cannot load. */
  unloadable?: boolean;
}

/**
 * The keys Connect adds to a validate answer for each transform and predicate alias (its
 * ConnectorConfig.enrich): `<alias>.type` with every known class as recommended values, the
 * class's own keys, and for transforms `negate` and `predicate`.
 */
function chainKeys(values: Record<string, string>): EnrichedKey[] {
  const out: EnrichedKey[] = [];
  const aliases = (k: string) => [...new Set((values[k] ?? '').split(',').map((a) => a.trim()).filter(Boolean))];
  const def = (name: string, group: string, order: number, over: Partial<ConfigKeyInfo>): ConfigKeyInfo => ({
    name, type: 'STRING', required: false, default_value: null, importance: 'MEDIUM', documentation: '', group,
    width: 'NONE', display_name: name.slice(name.lastIndexOf('.') + 1), dependents: [], order, ...over,
  });
  for (const [section, list, find] of [['transforms', TRANSFORMS, findTransform], ['predicates', PREDICATES, findPredicate]] as const) {
    const kind = section === 'transforms' ? 'Transformation' : 'Predicate';
    for (const alias of aliases(section)) {
      const prefix = `${section}.${alias}.`;
      const group = `${section === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`;
      const found = values[`${prefix}type`] ? find(values[`${prefix}type`]) : undefined;
      out.push({
        definition: def(`${prefix}type`, group, 0, {
          type: 'CLASS', required: true, importance: 'HIGH', width: 'LONG', display_name: `${kind} type for ${alias}`,
          documentation: `Class for the '${alias}' ${kind.toLowerCase()}.`,
        }),
        recommended: list.map((d) => d.className),
        unloadable: !found,
      });
      let order = 0;
      for (const d of found ? definitions(found.config.keys) : []) {
        out.push({ definition: { ...d, name: prefix + d.name, group, order: ++order }, recommended: [...(found!.config.keys[d.name]?.meta.validValues ?? [])] });
      }
      if (section === 'transforms') {
        out.push({ definition: def(`${prefix}negate`, group, ++order, { type: 'BOOLEAN', default_value: 'false', documentation: 'Whether the configured predicate should be negated.' }), recommended: [] });
        out.push({ definition: def(`${prefix}predicate`, group, order + 1, { documentation: 'The alias of a predicate used to determine whether to apply this transformation.' }), recommended: [] });
      }
    }
  }
  return out;
}

/**
 * PUT /connector-plugins/{p}/config/validate: one entry per declared key (value as given, else the
 * default; secrets masked; none when it is not of the key's type), the keys of each transform and
 * predicate alias, plus one per other key that has a problem (converter settings), so every error
 * is listed under its key.
 */
export function toConnectValidateResponse(pluginClass: string, raw: RawConfig, result: ConnectorConfigResult): ConfigInfos {
  const flat = { ...flatten(raw, []), ...result.config };
  // No name in the request: Connect shows none (validateConnectorConfig stands in an empty one).
  if (raw.name === undefined || raw.name === null || raw.name === '') delete flat.name;
  const masked = maskConfig(flat, secretKeys(result.plugin, flat));
  const errorsOf = (k: string) => result.problems.filter((p) => p.key === k).map((p) => p.message);
  const keys = connectorKeys(result.plugin);
  // Connect recommends values only where a key has a recommender; its own keys have none.
  const recommended = (name: string) => (name in commonKeys || name in sourceKeys ? [] : [...(keys[name]?.meta.validValues ?? [])]);
  const entries: EnrichedKey[] = definitions(keys, true).map((definition) => ({ definition, recommended: recommended(definition.name) }));
  entries.push(...chainKeys(flat));
  const listed = new Set(entries.map((e) => e.definition.name));
  for (const k of new Set(result.problems.map((p) => p.key))) {
    if (listed.has(k)) continue;
    entries.push({
      definition: {
        name: k, type: 'STRING', required: false, default_value: null, importance: 'LOW', documentation: '',
        group: enrichedGroup(k), width: 'NONE', display_name: k, dependents: [], order: -1,
      },
      recommended: [],
    });
  }
  const configs = entries.map(({ definition, recommended, unloadable }) => {
    const given = masked[definition.name];
    const value = given === undefined ? definition.default_value : unloadable || typeMismatch(definition.type, given) ? null : given;
    return { definition, value: { name: definition.name, value, recommended_values: recommended, errors: errorsOf(definition.name), visible: true } };
  });
  const groups = [...new Set(entries.map((e) => e.definition.group).filter((g): g is string => g !== null))];
  return { name: pluginClass, error_count: configs.reduce((n, c) => n + c.value.errors.length, 0), groups, configs };
}
