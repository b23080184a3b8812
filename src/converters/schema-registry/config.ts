import { defineConfig, key, type ConfigOf } from '../../config/define.js';
import { ConfigError } from '../../errors.js';
import { DataException } from '../../records/schema.js';

/**
 * The keys every schema registry converter shares (Confluent's AbstractKafkaSchemaSerDeConfig
 * and AbstractDataConfig), with Confluent's names, defaults and documentation.
 */

export const TOPIC_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.TopicNameStrategy';
export const RECORD_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.RecordNameStrategy';
export const TOPIC_RECORD_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy';
const STRATEGIES = [TOPIC_NAME_STRATEGY, RECORD_NAME_STRATEGY, TOPIC_RECORD_NAME_STRATEGY] as const;
export type SubjectNameStrategy = (typeof STRATEGIES)[number];

const strategyDoc = (which: string) =>
  `Determines how to construct the subject name under which the ${which} schema is registered with the schema registry. `
  + 'By default, <topic>-' + which + ' is used as subject. Specify the class name of TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (simple names accepted).';

function strategyKey(which: 'key' | 'value') {
  return key.custom<SubjectNameStrategy>(
    { type: 'CLASS', documentation: strategyDoc(which), default: TOPIC_NAME_STRATEGY, importance: 'MEDIUM', validValues: STRATEGIES },
    key.string({ doc: '', default: TOPIC_NAME_STRATEGY }).schema.transform((v, ctx) => {
      const text = (v ?? TOPIC_NAME_STRATEGY).trim();
      const hit = STRATEGIES.find((s) => s === text || s.slice(s.lastIndexOf('.') + 1) === text);
      if (!hit) ctx.addIssue({ code: 'custom', message: `must be one of ${STRATEGIES.join(', ')}` });
      return (hit ?? TOPIC_NAME_STRATEGY) as SubjectNameStrategy;
    }),
  );
}

export const registryKeys = {
  'schema.registry.url': key.list({
    required: true, importance: 'HIGH', example: 'http://localhost:8081',
    doc: 'Comma-separated list of URLs for Schema Registry instances that can be used to register or look up schemas. '
      + 'If you wish to get a connection to a mocked schema registry for testing, you can specify a scope using the \'mock://\' pseudo-protocol.',
  }),
  'basic.auth.credentials.source': key.enum(['URL', 'USER_INFO', 'SASL_INHERIT'] as const, {
    default: 'URL', caseInsensitive: true, importance: 'MEDIUM',
    doc: 'Specify how to pick the credentials for the Basic Auth header. The supported values are URL, USER_INFO and SASL_INHERIT',
  }),
  'basic.auth.user.info': key.password({
    importance: 'MEDIUM', doc: 'Specify the user info for the Basic Auth in the form of {username}:{password}',
  }),
  'auto.register.schemas': key.boolean({ default: true, importance: 'MEDIUM', doc: 'Specify if the Serializer should attempt to register the Schema with Schema Registry' }),
  'use.latest.version': key.boolean({
    default: false, importance: 'LOW',
    doc: 'Use latest version of the schema in the subject for serialization. Only applies when auto.register.schemas is set to false',
  }),
  'latest.compatibility.strict': key.boolean({
    default: true, importance: 'LOW',
    doc: 'Verify latest subject version is backward compatible when use.latest.version is true.',
  }),
  'key.subject.name.strategy': strategyKey('key'),
  'value.subject.name.strategy': strategyKey('value'),
  'max.schemas.per.subject': key.int({ default: 1000, min: 1, importance: 'LOW', doc: 'Maximum number of schemas to create or cache locally.' }),
  'schemas.cache.size': key.int({ default: 1000, min: 1, importance: 'LOW', doc: 'Specify how many schemas should be cached.' }),
} as const;

export const registryConfig = defineConfig(registryKeys);
export type RegistrySettings = ConfigOf<typeof registryKeys>;

/**
 * The URLs (each http or https) and the Basic Auth user info, as Confluent picks it: from
 * basic.auth.user.info (USER_INFO), or from the URLs' user info (URL), which is then taken out of
 * the URLs (fetch refuses URLs with credentials).
 */
export function connection(s: RegistrySettings): { urls: string[]; userInfo?: string } {
  const urls: string[] = [];
  let fromUrl: string | undefined;
  for (const raw of s['schema.registry.url']) {
    // A URL's user info is a credential: never repeated in a message.
    const text = raw.replace(/\/\/[^@/]*@/, '//[hidden]@');
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw bad('schema.registry.url', `Invalid value ${text} for configuration schema.registry.url: not a URL; use http://host:port (comma-separated for several)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw bad('schema.registry.url', `Invalid value ${text} for configuration schema.registry.url: the scheme must be http or https`);
    }
    if (u.username) {
      fromUrl ??= `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      u.username = '';
      u.password = '';
    }
    urls.push(u.toString().replace(/\/+$/, ''));
  }
  if (urls.length === 0) throw bad('schema.registry.url', 'Missing required configuration "schema.registry.url" which has no default value.');
  const source = s['basic.auth.credentials.source'];
  if (source === 'USER_INFO') {
    const info = s['basic.auth.user.info'];
    if (!info || !info.includes(':')) {
      throw bad('basic.auth.user.info', 'basic.auth.credentials.source=USER_INFO needs basic.auth.user.info in the form {username}:{password}');
    }
    return { urls, userInfo: info };
  }
  if (source === 'SASL_INHERIT') throw bad('basic.auth.credentials.source', 'SASL_INHERIT is not supported: the worker has no SASL credentials to inherit; use USER_INFO');
  return { urls, userInfo: fromUrl };
}

function bad(k: string, message: string): ConfigError {
  return new ConfigError(message, [{ key: k, message }]);
}

/** The subject a schema is registered under (Confluent's SubjectNameStrategy implementations). */
export function subjectName(strategy: SubjectNameStrategy, topic: string, isKey: boolean, recordName: string | undefined): string {
  if (strategy === TOPIC_NAME_STRATEGY) return `${topic}-${isKey ? 'key' : 'value'}`;
  if (!recordName) {
    throw new DataException(`In configuration ${isKey ? 'key' : 'value'}.subject.name.strategy = ${strategy.slice(strategy.lastIndexOf('.') + 1)}, the message must only be a record schema`);
  }
  return strategy === RECORD_NAME_STRATEGY ? recordName : `${topic}-${recordName}`;
}
