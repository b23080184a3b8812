import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { workerOptions } from '../../../src/worker/options.js';
import { shutdownGraceMs } from '../../../src/worker/index.js';
import { DEFAULT_HEADER_CONVERTER, DEFAULT_KEY_CONVERTER, DEFAULT_VALUE_CONVERTER } from '../../../src/converters/registry.js';
import { DEFAULT_BUFFER_BYTES } from '../../../src/kafka/fetcher.js';
import { DEFAULT_OFFSETS_TOPIC, offsetsTopicCreation } from '../../../src/kafka/offsets-store.js';
import { restSettings } from '../../../src/rest/config.js';
import { findWorkerProperty, WORKER_ENVIRONMENT, WORKER_PROPERTIES } from '../../../src/worker/properties.js';

// Worker properties are parsed where they are used (src/cli/worker.ts, src/rest/config.ts, ...);
// src/worker/properties.ts declares them once for the reference. This test reads the source and
// fails when the code reads a worker property or environment variable declared nowhere there.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => ({ file: path.relative(root, f), text: readFileSync(f, 'utf8') }));
}
const code = [...sources('src'), ...sources('activities')];

/** `export const SOME_KEY = 'a.b'` constants, so reads through them resolve to the name. */
const constants = new Map<string, string>();
for (const { text } of code) for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*_KEY) = '([^']+)'/g)) constants.set(m[1], m[2]);

/** How the code reads a worker property: the pattern and the group that is the name (or a *_KEY constant). */
const PROPERTY_READS: RegExp[] = [
  /\b(?:props|workerConfig|worker)(?:\?\.)?\[\s*'([^']+)'\s*\]/g, // props['rest.port'], deps.workerConfig['offset.storage.topic']
  /\b(?:props|workerConfig)(?:\?\.)?\[\s*([A-Z][A-Z0-9_]*_KEY)\s*\]/g, // workerConfig[HEAP_GROWING_KEY]
  /\bprops\.([a-z]+)\b/g, // props.listeners
  /\bpick\('[A-Z0-9_]+', '([^']+)'\)/g, // temporal TLS files (src/cli/worker.ts)
  /\bpositiveInt\(props, '([^']+)'/g, // src/rest/config.ts
  /\bopt\('([^']+)'\)/g, // src/rest/config.ts
  /\bintSetting\(deps\.workerConfig, ([A-Z][A-Z0-9_]*_KEY)\b/g, // activities/sink/task.ts
  /\[(?:'[a-z.]+', )*'([a-z.]+)'\]\.some\(\(k\) => \(props\[k\]/g, // rest/config.ts: whether REST is configured
];

/** How the code reads an environment variable. */
const ENV_READS: RegExp[] = [/\benv\.([A-Z][A-Z0-9_]+)\b/g, /\benv\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g, /\bpick\('([A-Z0-9_]+)', '/g];
/** Variables read that are not settings of temporal-connect. */
const NOT_SETTINGS = new Set(['PATH', 'HOME', 'XDG_CACHE_HOME', 'KAFKAJS_NO_PARTITIONER_WARNING']);

function reads(patterns: RegExp[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { file, text } of code) {
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const name = constants.get(m[1]) ?? m[1];
        out.set(name, [...(out.get(name) ?? []), file]);
      }
    }
  }
  return out;
}

// What the scan must find at least (kept by hand): when a read moves to a shape the patterns above
// miss, this list says so, so the scan cannot go blind without failing.
const KNOWN_PROPERTY_READS = [
  'bootstrap.servers', 'temporal.address', 'temporal.namespace', 'temporal.task.queue', 'temporal.api.key', 'temporal.tls',
  'temporal.tls.cert.file', 'temporal.tls.key.file', 'temporal.tls.ca.file', 'temporal.tls.server.name',
  'offset.storage.topic', 'consumer.auto.offset.reset', 'config.providers', 'plugin.path', 'plugins', 'file.connectors.allowed.paths',
  'listeners', 'rest.host.name', 'rest.port', 'rest.ssl.cert.file', 'rest.ssl.key.file', 'rest.ssl.ca.file', 'rest.ssl.key.password',
  'rest.ssl.client.auth', 'listeners.https.ssl.client.auth', 'rest.auth.basic.users', 'rest.auth.basic.users.file', 'rest.auth.token',
  'rest.auth.token.file', 'rest.request.max.bytes', 'rest.request.timeout.ms', 'temporal.sink.buffer.max.bytes',
  'temporal.heap.growing.percent', 'temporal.data.dir', 'offset.storage.file.filename', 'task.shutdown.graceful.timeout.ms', 'exactly.once.source.support',
  'offset.storage.replication.factor', 'offset.storage.partitions',
];
const KNOWN_ENV_READS = [
  'KAFKA_BOOTSTRAP_SERVERS', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TCONNECT_TASK_QUEUE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS',
  'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TCONNECT_WORKER_ID', 'TCONNECT_LOG_LEVEL',
  'TEMPORAL_SDK_LOG_LEVEL', 'TCONNECT_SECRETS_KEY', 'TCONNECT_SECRETS_KEY_FILE', 'TCONNECT_BUNDLE_DIR', 'TCONNECT_COMMIT', 'TEMPORAL_CLI', 'TC_STACK_HOME',
];

describe('worker properties are declared once (src/worker/properties.ts)', () => {
  const properties = reads(PROPERTY_READS);
  const variables = reads(ENV_READS);

  it('the scan of src/ and activities/ finds every read this test knows of', () => {
    for (const k of KNOWN_PROPERTY_READS) expect(properties.has(k), `no read of worker property ${k} found: it moved to a form PROPERTY_READS misses (extend it) or is gone (drop it here and from src/worker/properties.ts)`).toBe(true);
    for (const v of KNOWN_ENV_READS) expect(variables.has(v), `no read of ${v} found: extend ENV_READS or drop it`).toBe(true);
  });

  it('every worker property the code reads is declared, with its environment variable', () => {
    const undeclared = [...properties].filter(([k]) => !findWorkerProperty(k)).map(([k, files]) => `${k} (read in ${[...new Set(files)].join(', ')})`);
    expect(undeclared, 'declare these worker properties in src/worker/properties.ts (then `npm run docs`)').toEqual([]);
    const declaredEnv = new Set([...WORKER_PROPERTIES.flatMap((p) => p.env ?? []), ...WORKER_ENVIRONMENT.map((v) => v.name)]);
    const undeclaredEnv = [...variables].filter(([v]) => !NOT_SETTINGS.has(v) && !declaredEnv.has(v)).map(([v, files]) => `${v} (read in ${[...new Set(files)].join(', ')})`);
    expect(undeclaredEnv, 'declare these environment variables in src/worker/properties.ts (then `npm run docs`)').toEqual([]);
  });

  it('declares nothing the code does not read', () => {
    const families = WORKER_PROPERTIES.filter((p) => p.name.includes('<'));
    for (const p of WORKER_PROPERTIES.filter((x) => !x.name.includes('<'))) {
      // Converter defaults are read as a prefix family by src/converters/registry.ts.
      const viaPrefix = /^(key|value|header)\.converter$/.test(p.name) && code.some(({ text }) => text.includes(`'${p.name}'`));
      expect(properties.has(p.name) || viaPrefix, `${p.name} is declared but never read`).toBe(true);
    }
    expect(families.map((f) => f.name)).toEqual(expect.arrayContaining(['config.providers.<name>.class', 'key.converter.<setting>']));
    for (const v of WORKER_ENVIRONMENT.filter((x) => !x.name.includes('<'))) expect(variables.has(v.name), `${v.name} is declared but never read`).toBe(true);
  });

  it('matches families by their pattern, and nothing else', () => {
    expect(findWorkerProperty('config.providers.file.param.allowed.paths')?.name).toBe('config.providers.<name>.param.allowed.paths');
    expect(findWorkerProperty('config.providers.vault.param.address')?.name).toBe('config.providers.<name>.param.<param>');
    expect(findWorkerProperty('config.providers.file.class')?.name).toBe('config.providers.<name>.class');
    expect(findWorkerProperty('value.converter.schemas.enable')?.name).toBe('value.converter.<setting>');
    expect(findWorkerProperty('rest.port')?.name).toBe('rest.port');
    expect(findWorkerProperty('rest.portx')).toBeUndefined();
    expect(findWorkerProperty('no.such.property')).toBeUndefined();
  });

  it('declares the defaults the parsing applies', () => {
    const def = (name: string) => WORKER_PROPERTIES.find((p) => p.name === name)?.default;
    const opts = workerOptions({}, {}, '');
    expect(def('task.shutdown.graceful.timeout.ms')).toBe(String(shutdownGraceMs({})));
    expect(def('bootstrap.servers')).toBe(opts.kafkaBrokers.join(','));
    expect(def('temporal.address')).toBe(opts.temporalAddress);
    expect(def('temporal.namespace')).toBe(opts.namespace);
    expect(def('temporal.task.queue')).toBe(opts.taskQueue);
    const rest = restSettings({}, true)!;
    expect(def('listeners')).toBe(rest.listeners.map((l) => `${l.protocol}://${l.host}:${l.port}`).join(','));
    expect(def('rest.host.name')).toBe(rest.listeners[0].host);
    expect(def('rest.port')).toBe(String(rest.listeners[0].port));
    expect(def('rest.request.max.bytes')).toBe(String(rest.bodyLimit));
    expect(def('rest.request.timeout.ms')).toBe(String(rest.requestTimeoutMs));
    expect(def('offset.storage.topic')).toBe(DEFAULT_OFFSETS_TOPIC);
    expect(def('offset.storage.replication.factor')).toBe(String(offsetsTopicCreation({}).replicationFactor));
    expect(def('offset.storage.partitions')).toBe(String(offsetsTopicCreation({}).partitions));
    expect(def('temporal.sink.buffer.max.bytes')).toBe(String(DEFAULT_BUFFER_BYTES));
    expect([def('key.converter'), def('value.converter'), def('header.converter')]).toEqual([DEFAULT_KEY_CONVERTER, DEFAULT_VALUE_CONVERTER, DEFAULT_HEADER_CONVERTER]);
  });
});

describe('task.shutdown.graceful.timeout.ms', () => {
  it('is Connect\'s 5000 ms by default, takes whole ms >= 0, and refuses anything else naming the key', () => {
    expect(shutdownGraceMs({})).toBe(5000);
    expect(shutdownGraceMs({ 'task.shutdown.graceful.timeout.ms': '20000' })).toBe(20000);
    expect(shutdownGraceMs({ 'task.shutdown.graceful.timeout.ms': '0' })).toBe(0);
    expect(() => shutdownGraceMs({ 'task.shutdown.graceful.timeout.ms': '5s' })).toThrow(/task.shutdown.graceful.timeout.ms: must be a whole number/);
    expect(() => shutdownGraceMs({ 'task.shutdown.graceful.timeout.ms': '-1' })).toThrow(ConfigError);
  });
});
