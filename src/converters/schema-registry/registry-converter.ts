import { ConfigError, DataError, RetriableError, type ErrorStage } from '../../errors.js';
import { DataException, type Schema } from '../../records/schema.js';
import { converterStage } from '../failures.js';
import type { Converter, MaybePromise, SchemaAndValue } from '../types.js';
import { RegistryError, RegistryUnreachableError, SchemaRegistryClient, type SchemaText } from './client.js';
import { connection, subjectName, type RegistrySettings, type SubjectNameStrategy } from './config.js';
import { frame, unframe } from './wire.js';

/** A schema of one format, ready to write Connect values with. */
export interface Writer {
  text: SchemaText;
  /** The name the Record strategies use (Avro record / Protobuf message / JSON Schema title), if any. */
  recordName?: string;
  /** The Connect value as the payload after the 5-byte header (for Protobuf: message indexes, then the message). */
  encode(value: unknown): Buffer;
}

/** A registered schema, ready to read payloads with. */
export interface Reader {
  /** The payload after the 5-byte header as Connect data. */
  decode(bytes: Buffer, offset: number): SchemaAndValue;
}

/** What each format (Avro, Protobuf, JSON Schema) plugs into the shared converter. */
export interface SchemaFormat {
  /** Avro, Protobuf, JSON Schema: for messages, as Confluent's converters word them. */
  label: string;
  /** The Connect schema as this format's schema (Confluent's AvroData.fromConnectSchema and siblings). */
  writerFor(schema: Schema | null): Writer;
  /** A schema from the registry, to write with (use.latest.version). */
  writerFromRegistry(text: SchemaText): Writer;
  /** The name the Record strategies use for a schema from the registry. */
  recordNameOf(text: SchemaText): string | undefined;
  /** A schema from the registry, to read with; version is the subject version when known. */
  readerFor(text: SchemaText, version: number | undefined): Reader;
}

interface Resolved {
  id: number;
  writer: Writer;
}

/**
 * Confluent's AvroConverter / ProtobufConverter / JsonSchemaConverter shape over one format:
 * subject by the configured strategy, id by registering (auto.register.schemas), by the latest
 * version (use.latest.version) or by looking the schema up, then magic byte + id + payload. Ids
 * and readers are cached, so only a new schema or id waits for the registry.
 */
export class SchemaRegistryConverter implements Converter {
  private client!: SchemaRegistryClient;
  private settings!: RegistrySettings;
  private isKey = false;
  private stage: ErrorStage = 'VALUE_CONVERTER';
  private strategy!: SubjectNameStrategy;
  private readonly writers = new WeakMap<Schema, Writer>();
  private readonly resolved = new Map<string, Resolved>();
  private readonly readers = new Map<number, Reader>();

  constructor(
    readonly className: string,
    private readonly makeFormat: (config: Record<string, string>, settings: RegistrySettings) => SchemaFormat,
    private readonly parseSettings: (config: Record<string, string>) => RegistrySettings,
  ) {}

  private format!: SchemaFormat;

  configure(config: Record<string, string>, isKey: boolean): void {
    this.settings = this.parseSettings(config);
    const { urls, userInfo } = connection(this.settings);
    this.client = new SchemaRegistryClient({ urls, userInfo, cacheSize: this.settings['max.schemas.per.subject'] });
    this.isKey = isKey;
    this.stage = converterStage(isKey);
    this.strategy = isKey ? this.settings['key.subject.name.strategy'] : this.settings['value.subject.name.strategy'];
    this.format = this.makeFormat(config, this.settings);
  }

  fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): MaybePromise<Buffer | null> {
    const failed = (e: unknown) => this.failure(e, `Failed to serialize ${this.format.label} data from topic ${topic}`);
    try {
      if (value === null || value === undefined) {
        if (schema && !schema.optional) throw new DataException('Found null value for non-optional schema');
        return null;
      }
      const writer = this.writerFor(schema ?? null);
      const subject = subjectName(this.strategy, topic, this.isKey, writer.recordName);
      const known = this.resolved.get(cacheKey(subject, writer.text));
      if (known) return frame(known.id, known.writer.encode(value));
      return this.resolve(subject, writer).then((r) => frame(r.id, r.writer.encode(value))).catch((e: unknown) => {
        throw failed(e);
      });
    } catch (e) {
      throw failed(e);
    }
  }

  toConnectData(topic: string, bytes: Buffer | null): MaybePromise<SchemaAndValue> {
    const failed = (e: unknown) => this.failure(e, `Failed to deserialize data for topic ${topic} to ${this.format.label}`);
    try {
      if (bytes === null) return { schema: null, value: null };
      const { id, offset } = unframe(bytes);
      const reader = this.readers.get(id);
      if (reader) return reader.decode(bytes, offset);
      return this.reader(topic, id).then((r) => r.decode(bytes, offset)).catch((e: unknown) => {
        throw failed(e);
      });
    } catch (e) {
      throw failed(e);
    }
  }

  private writerFor(schema: Schema | null): Writer {
    if (!schema) return this.format.writerFor(null);
    let w = this.writers.get(schema);
    if (!w) {
      w = this.format.writerFor(schema);
      this.writers.set(schema, w);
    }
    return w;
  }

  /** The id to write a schema's records with, as Confluent's serializeImpl decides it. */
  private async resolve(subject: string, writer: Writer): Promise<Resolved> {
    const label = this.format.label;
    const phase = this.settings['auto.register.schemas'] ? `Error registering ${label} schema`
      : this.settings['use.latest.version'] ? `Error retrieving latest version of ${label} schema` : `Error retrieving ${label} schema`;
    try {
      return await this.resolveUncaught(subject, writer);
    } catch (e) {
      if (e instanceof RegistryError) throw new RegistryError(e.status, e.errorCode, `${phase} in subject ${subject}: ${e.message}`);
      throw e;
    }
  }

  private async resolveUncaught(subject: string, writer: Writer): Promise<Resolved> {
    const k = cacheKey(subject, writer.text);
    let r: Resolved;
    if (this.settings['auto.register.schemas']) {
      r = { id: await this.client.register(subject, writer.text), writer };
    } else if (this.settings['use.latest.version']) {
      const latest = await this.client.latest(subject);
      if (this.settings['latest.compatibility.strict'] && latest.schema !== writer.text.schema) {
        const c = await this.client.compatibleWithLatest(subject, writer.text);
        if (!c.compatible) {
          throw new DataException(`Incompatible schema: the latest version (${latest.version ?? '?'}) of subject ${subject} cannot read data written with this record's schema${c.messages.length ? `: ${c.messages.join('; ')}` : ''}`);
        }
      }
      r = { id: latest.id, writer: latest.schema === writer.text.schema ? writer : this.format.writerFromRegistry(latest) };
    } else {
      r = { id: (await this.client.lookup(subject, writer.text)).id, writer };
    }
    if (this.resolved.size >= this.settings['schemas.cache.size']) this.resolved.delete(this.resolved.keys().next().value!);
    this.resolved.set(k, r);
    return r;
  }

  private async reader(topic: string, id: number): Promise<Reader> {
    const text = await this.client.schemaById(id);
    // Connect's schema version is the subject version, as Confluent's deserializer looks it up.
    let version: number | undefined;
    try {
      const subject = subjectName(this.strategy, topic, this.isKey, this.format.recordNameOf(text));
      version = (await this.client.lookup(subject, text)).version;
    } catch (e) {
      if (!(e instanceof RegistryError && e.status === 404) && !(e instanceof DataException)) throw e;
    }
    const reader = this.format.readerFor(text, version);
    if (this.readers.size >= this.settings['schemas.cache.size']) this.readers.delete(this.readers.keys().next().value!);
    this.readers.set(id, reader);
    return reader;
  }

  /** The error classes the runtime routes: one record's problem, the registry down, or bad settings. */
  private failure(e: unknown, context: string): Error {
    if (e instanceof DataError || e instanceof RetriableError || e instanceof ConfigError) return e;
    // The DLQ's exception headers describe the cause: one that reads like Connect's DataException.
    const dataError = (message: string) => new DataError(message, this.stage, { cause: new DataException(message, { cause: e }) });
    if (e instanceof DataException) return dataError(`${context}: ${e.message}`);
    if (e instanceof RegistryUnreachableError) return new RetriableError(`${context}: ${e.message}`, { cause: e });
    if (e instanceof RegistryError) {
      const detail = `${e.message}; error code: ${e.errorCode}`;
      if (e.status === 401 || e.status === 403) return new ConfigError(`${context}: the Schema Registry refused the credentials: ${detail}`, [], { cause: e });
      if (e.status >= 500 || e.status === 429) return new RetriableError(`${context}: ${detail}`, { cause: e });
      return dataError(`${context}: ${detail}`);
    }
    if (e instanceof Error && (e.name === 'TypeError' || e.name === 'RangeError') && !isFormatError(e)) return e;
    return dataError(`${context}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Encoding libraries (avsc, protobufjs) report bad values as plain Errors, some as TypeError. */
function isFormatError(e: Error): boolean {
  return /invalid|wrong|expected|not a|illegal|index out of range|unsupported/i.test(e.message);
}

function cacheKey(subject: string, t: SchemaText): string {
  return `${subject}\u0000${t.schema}`;
}
