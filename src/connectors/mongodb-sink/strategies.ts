import { randomUUID } from 'node:crypto';
import { ObjectId, UUID, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { DataError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { MongoSinkConfig } from './config.js';

// The MongoDB connector's id strategies (processor.id.strategy.*), its DocumentIdAdder, and its
// write model strategies (writemodel.strategy.*), for one record's key and value documents.

const fail = (message: string) => new DataError(message, 'TASK_PUT');

/** Allowlist/blocklist projection of a document by field paths (a.b for nested fields), on a copy. */
export function project(doc: Document, type: string, fields: string[]): Document {
  const allow = type === 'allowlist' || type === 'whitelist';
  const paths = fields.map((f) => f.split('.'));
  const walk = (d: Document, prefix: string[]): Document => {
    const out: Document = {};
    for (const [k, v] of Object.entries(d)) {
      const path = [...prefix, k];
      const exact = paths.some((p) => p.length === path.length && p.every((x, i) => x === path[i] || x === '*'));
      const ancestor = paths.some((p) => p.length > path.length && path.every((x, i) => p[i] === x || p[i] === '*'));
      const nested = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
      if (allow) {
        if (exact) out[k] = v;
        else if (ancestor && nested) out[k] = walk(v as Document, path);
      } else if (!exact) out[k] = ancestor && nested ? walk(v as Document, path) : v;
    }
    return out;
  };
  return walk(doc, []);
}

function provided(doc: Document | null, where: 'key' | 'value'): unknown {
  const id = doc?._id;
  if (id === undefined) throw fail(`Provided id strategy is used but the document structure either contained no _id field or it was null (the record ${where} has no _id)`);
  if (id === null) throw fail('Provided id strategy used but the document structure contained an _id of type BsonNull');
  return id;
}

/** The _id the configured strategy gives the record. */
export function generateId(cfg: MongoSinkConfig, record: SinkRecord, keyDoc: Document | null, valueDoc: Document | null): unknown {
  switch (cfg['document.id.strategy']) {
    case 'BsonOidStrategy': return new ObjectId();
    case 'UuidStrategy': {
      const uuid = randomUUID();
      return cfg['document.id.strategy.uuid.format'] === 'binary' ? new UUID(uuid).toBinary() : uuid;
    }
    case 'KafkaMetaDataStrategy': return `${record.topic}#${record.kafkaPartition}#${record.kafkaOffset}`;
    case 'ProvidedInKeyStrategy': return provided(keyDoc, 'key');
    case 'ProvidedInValueStrategy': return provided(valueDoc, 'value');
    case 'FullKeyStrategy': return keyDoc ?? {};
    case 'PartialKeyStrategy': return keyDoc ? project(keyDoc, cfg['document.id.strategy.partial.key.projection.type'], cfg['document.id.strategy.partial.key.projection.list']) : {};
    case 'PartialValueStrategy': return valueDoc ? project(valueDoc, cfg['document.id.strategy.partial.value.projection.type'], cfg['document.id.strategy.partial.value.projection.list']) : {};
  }
}

/** {a: {b: 1}} -> {'a.b': 1}: a partial business key as a filter on the fields themselves. */
export function flattenKeys(doc: Document, prefix = ''): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.assign(out, flattenKeys(v as Document, `${prefix}${k}.`));
    else out[prefix + k] = v;
  }
  return out;
}

/**
 * The bulk write operation for one record. A null value with delete.on.null.values deletes by
 * the key (DeleteOneDefaultStrategy); otherwise the value document gets its _id
 * (DocumentIdAdder) and the write model strategy builds the write.
 */
export function writeModel(cfg: MongoSinkConfig, record: SinkRecord, keyDoc: Document | null, valueDoc: Document | null): AnyBulkWriteOperation<Document> {
  if (!valueDoc) {
    if (!keyDoc) throw fail('Invalid Sink Record neither key doc nor value doc were present');
    if (!cfg['delete.on.null.values']) throw fail('Could not create write model: the record value is null (a tombstone) and delete.on.null.values is false');
    return { deleteOne: { filter: { _id: generateId(cfg, record, keyDoc, null) } as Document } };
  }
  const doc: Document = { ...valueDoc };
  if (!('_id' in doc) || cfg['document.id.strategy.overwrite.existing']) doc._id = generateId(cfg, record, keyDoc, valueDoc);
  switch (cfg['writemodel.strategy']) {
    case 'InsertOneDefaultStrategy':
      return { insertOne: { document: doc } };
    case 'UpdateOneDefaultStrategy': {
      const { _id, ...rest } = needId(doc);
      return { updateOne: { filter: { _id }, update: { $set: rest }, upsert: true } };
    }
    case 'UpdateOneTimestampsStrategy': {
      const now = new Date();
      return { updateOne: { filter: { _id: needId(doc)._id }, update: { $set: { ...doc, _modifiedTS: now }, $setOnInsert: { _insertedTS: now } }, upsert: true } };
    }
    case 'ReplaceOneBusinessKeyStrategy': {
      const { _id, ...rest } = doc;
      if (_id === null || typeof _id !== 'object' || Object.getPrototypeOf(_id) !== Object.prototype) {
        throw fail('Could not build the WriteModel,the value document does not contain an _id field of type BsonDocument which holds the business key fields. If you are including an existing `_id` value in the business key then ensure `document.id.strategy.overwrite.existing=true`.');
      }
      const partial = cfg['document.id.strategy'] === 'PartialKeyStrategy' || cfg['document.id.strategy'] === 'PartialValueStrategy';
      return { replaceOne: { filter: partial ? flattenKeys(_id as Document) : (_id as Document), replacement: rest, upsert: true } };
    }
    case 'DefaultWriteModelStrategy':
    case 'ReplaceOneDefaultStrategy':
      return { replaceOne: { filter: { _id: needId(doc)._id }, replacement: doc, upsert: true } };
  }
}

function needId(doc: Document): Document {
  if (doc._id === undefined) throw fail('Could not build the WriteModel,the `_id` field was missing unexpectedly');
  return doc;
}
