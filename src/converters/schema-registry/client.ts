import { z } from 'zod';

/**
 * A small client of Confluent's Schema Registry REST API (what the converters need: register,
 * look up, fetch by id, latest version, compatibility), with the caches Confluent's
 * CachedSchemaRegistryClient keeps. Written here rather than taken from
 * @kafkajs/confluent-schema-registry because that library does the (de)serialization itself,
 * with its own schema handling, while the converters must map Connect schemas as Confluent's
 * AvroData / ProtobufData / JsonSchemaData do and answer from cache synchronously.
 */

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface SchemaText {
  schema: string;
  /** Absent for Avro, as Confluent's clients send it. */
  schemaType: SchemaType;
}

export interface RegisteredSchema extends SchemaText {
  id: number;
  version?: number;
  subject?: string;
}

/** An error answer of the registry: its HTTP status, Confluent error_code and message. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super(message);
  }
}

/** The registry could not be reached (every URL failed at the network level). */
export class RegistryUnreachableError extends Error {
  override name = 'RegistryUnreachableError';
}

export interface RegistryClientOptions {
  urls: string[];
  /** "user:password" for HTTP basic auth, or undefined. */
  userInfo?: string;
  /** Entries kept per cache (Confluent's max.schemas.per.subject / schemas.cache.size). */
  cacheSize: number;
  timeoutMs?: number;
}

const idAnswer = z.object({ id: z.number().int() });
const schemaAnswer = z.object({
  schema: z.string(),
  schemaType: z.enum(['AVRO', 'PROTOBUF', 'JSON']).optional(),
  id: z.number().int().optional(),
  version: z.number().int().optional(),
  subject: z.string().optional(),
});
const compatAnswer = z.object({ is_compatible: z.boolean(), messages: z.array(z.string()).optional() });
const errorAnswer = z.object({ error_code: z.number().optional(), message: z.string().optional() }).passthrough();

/** A Map that forgets its oldest entry past `max`. */
class Bounded<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(k: K, v: V): this {
    if (!this.has(k) && this.size >= Math.max(1, this.max)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(k, v);
  }
}

const enc = encodeURIComponent;
const body = (s: SchemaText) => JSON.stringify(s.schemaType === 'AVRO' ? { schema: s.schema } : { schemaType: s.schemaType, schema: s.schema });

export class SchemaRegistryClient {
  private readonly byId: Bounded<number, SchemaText>;
  private readonly idBySubjectSchema: Bounded<string, number>;
  private readonly versionBySubjectSchema: Bounded<string, number>;
  private readonly auth?: string;
  private next = 0;

  constructor(private readonly opts: RegistryClientOptions) {
    this.byId = new Bounded(opts.cacheSize);
    this.idBySubjectSchema = new Bounded(opts.cacheSize);
    this.versionBySubjectSchema = new Bounded(opts.cacheSize);
    if (opts.userInfo) this.auth = `Basic ${Buffer.from(opts.userInfo).toString('base64')}`;
  }

  /** POST /subjects/{subject}/versions: the id of the schema, registering it as a new version if needed. */
  async register(subject: string, s: SchemaText): Promise<number> {
    const k = cacheKey(subject, s);
    const known = this.idBySubjectSchema.get(k);
    if (known !== undefined) return known;
    const { id } = idAnswer.parse(await this.call('POST', `/subjects/${enc(subject)}/versions`, body(s)));
    this.idBySubjectSchema.set(k, id);
    this.byId.set(id, s);
    return id;
  }

  /** POST /subjects/{subject}: id and version of a schema already registered under the subject. */
  async lookup(subject: string, s: SchemaText): Promise<{ id: number; version: number | undefined }> {
    const k = cacheKey(subject, s);
    const id = this.idBySubjectSchema.get(k);
    const version = this.versionBySubjectSchema.get(k);
    if (id !== undefined && version !== undefined) return { id, version };
    const a = schemaAnswer.parse(await this.call('POST', `/subjects/${enc(subject)}?normalize=false`, body(s)));
    if (a.id === undefined) throw new RegistryError(500, 50001, `the registry's answer to a lookup in subject ${subject} has no id`);
    this.idBySubjectSchema.set(k, a.id);
    if (a.version !== undefined) this.versionBySubjectSchema.set(k, a.version);
    return { id: a.id, version: a.version };
  }

  /** GET /schemas/ids/{id}. */
  async schemaById(id: number): Promise<SchemaText> {
    const known = this.byId.get(id);
    if (known) return known;
    const a = schemaAnswer.parse(await this.call('GET', `/schemas/ids/${id}`));
    const s: SchemaText = { schema: a.schema, schemaType: a.schemaType ?? 'AVRO' };
    this.byId.set(id, s);
    return s;
  }

  /** GET /subjects/{subject}/versions/latest (not cached: "latest" moves). */
  async latest(subject: string): Promise<RegisteredSchema> {
    const a = schemaAnswer.parse(await this.call('GET', `/subjects/${enc(subject)}/versions/latest`));
    if (a.id === undefined) throw new RegistryError(500, 50001, `the registry's latest version of ${subject} has no id`);
    const s: RegisteredSchema = { schema: a.schema, schemaType: a.schemaType ?? 'AVRO', id: a.id, version: a.version, subject };
    this.byId.set(a.id, { schema: s.schema, schemaType: s.schemaType });
    return s;
  }

  /** POST /compatibility/subjects/{subject}/versions/latest: whether the schema may follow the latest version. */
  async compatibleWithLatest(subject: string, s: SchemaText): Promise<{ compatible: boolean; messages: string[] }> {
    const a = compatAnswer.parse(await this.call('POST', `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`, body(s)));
    return { compatible: a.is_compatible, messages: a.messages ?? [] };
  }

  /** One request, trying each URL in turn (from a rotating start) while the network fails. */
  private async call(method: 'GET' | 'POST', path: string, payload?: string): Promise<unknown> {
    const urls = this.opts.urls;
    let lastError: unknown;
    for (let attempt = 0; attempt < urls.length; attempt++) {
      const base = urls[(this.next + attempt) % urls.length]!.replace(/\/+$/, '');
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: {
            Accept: 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json',
            ...(payload !== undefined ? { 'Content-Type': 'application/vnd.schemaregistry.v1+json' } : {}),
            ...(this.auth ? { Authorization: this.auth } : {}),
          },
          body: payload,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (e) {
        lastError = e;
        continue;
      }
      this.next = (this.next + attempt) % urls.length;
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (res.ok) return json;
      const err = errorAnswer.safeParse(json);
      const code = err.success && err.data.error_code !== undefined ? err.data.error_code : res.status;
      const message = err.success && err.data.message ? err.data.message : text.slice(0, 500) || res.statusText;
      throw new RegistryError(res.status, code, message);
    }
    const why = lastError instanceof Error ? (lastError.cause instanceof Error ? lastError.cause.message : lastError.message) : String(lastError);
    // The URLs themselves are not secret here (credentials travel in the header), but one may carry user info: not quoted.
    throw new RegistryUnreachableError(`Schema Registry not reachable at any of ${urls.length} URL(s): ${why}`, { cause: lastError });
  }
}

function cacheKey(subject: string, s: SchemaText): string {
  return `${subject}\u0000${s.schemaType}\u0000${s.schema}`;
}
