// The MongoDB sink's pure parts: record values to BSON documents (types the test server cannot
// store, such as decimal128), id strategies, write models, projections and topic overrides.
import { Binary, BSON, Decimal128, Int32, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { checkTopicOverrides, mongoSinkConfig, parseTopicConfig, type MongoSinkConfig } from '../../src/connectors/mongodb-sink/config.js';
import { toBsonDocument } from '../../src/connectors/mongodb-sink/document.js';
import { flattenKeys, generateId, project, writeModel } from '../../src/connectors/mongodb-sink/strategies.js';
import { redactedHosts } from '../../src/connectors/mongodb-sink/uri.js';
import { ConfigError, DataError } from '../../src/errors.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct } from '../../src/records/schema.js';

const cfg = (o: Record<string, string> = {}): MongoSinkConfig => {
  const r = mongoSinkConfig.parse({ database: 'db', ...o });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};
const rec = (key: unknown, value: unknown): SinkRecord => ({ topic: 't', kafkaPartition: 1, kafkaOffset: 42, key, value, headers: [], originalTopic: 't', originalKafkaPartition: 1, originalKafkaOffset: 42 });

describe('record values as BSON documents', () => {
  it('a Struct by its schema: int32, int64, double, decimal128, dates, binary, nested', () => {
    const inner = Schemas.struct([['x', Schemas.int8()]]);
    const schema = Schemas.struct([
      ['i', Schemas.int32()], ['l', Schemas.int64()], ['d', Schemas.float64()], ['dec', Schemas.decimal(3)],
      ['day', Schemas.date()], ['b', Schemas.bytes()], ['m', Schemas.map(Schemas.string(), Schemas.int64())], ['s', inner],
    ]);
    const doc = toBsonDocument(new Struct(schema, { i: 1, l: 5, d: 1.5, dec: '-12.345', day: new Date(86_400_000), b: Buffer.from([1, 2]), m: new Map([['k', 7]]), s: new Struct(inner, { x: 3 }) }), schema, 'value')!;
    expect(doc.i).toBeInstanceOf(Int32);
    expect(doc.l).toBeInstanceOf(Long);
    expect(doc.dec).toBeInstanceOf(Decimal128);
    expect(doc.dec.toString()).toBe('-12.345');
    expect(doc.day).toEqual(new Date(86_400_000));
    expect(doc.b).toBeInstanceOf(Binary);
    expect((doc.m as { k: Long }).k).toBeInstanceOf(Long);
    expect((doc.s as { x: Int32 }).x.valueOf()).toBe(3);
  });

  it('schemaless maps, extended JSON text and raw BSON bytes; anything else is a DataError', () => {
    const fromMap = toBsonDocument({ a: 1, big: 2 ** 40, f: 0.5, n: null, arr: [1] }, null, 'value')!;
    expect(fromMap.a).toBeInstanceOf(Int32);
    expect(fromMap.big).toBeInstanceOf(Long);
    expect(toBsonDocument('{"_id": {"$oid": "65f0c0ffee0000000000abcd"}, "n": {"$numberLong": "9"}}', null, 'key')!._id).toBeInstanceOf(ObjectId);
    expect(toBsonDocument(BSON.serialize({ z: 'bson' }), null, 'value')).toMatchObject({ z: 'bson' });
    expect(toBsonDocument(null, null, 'value')).toBeNull();
    for (const bad of ['[1,2]', 'not json', 42]) expect(() => toBsonDocument(bad, null, 'value')).toThrow(DataError);
    expect(() => toBsonDocument(5, Schemas.int32(), 'key')).toThrow(/schema type int32/);
  });
});

describe('id and write model strategies', () => {
  it('each id strategy', () => {
    const r = rec(null, null);
    expect(generateId(cfg(), r, null, {})).toBeInstanceOf(ObjectId);
    expect(generateId(cfg({ 'document.id.strategy': 'KafkaMetaDataStrategy' }), r, null, {})).toBe('t#1#42');
    expect(generateId(cfg({ 'document.id.strategy': 'UuidStrategy' }), r, null, {})).toMatch(/^[0-9a-f-]{36}$/);
    expect(generateId(cfg({ 'document.id.strategy': 'UuidStrategy', 'document.id.strategy.uuid.format': 'binary' }), r, null, {})).toBeInstanceOf(Binary);
    expect(generateId(cfg({ 'document.id.strategy': 'FullKeyStrategy' }), r, { a: 1 }, {})).toEqual({ a: 1 });
    expect(generateId(cfg({ 'document.id.strategy': 'PartialKeyStrategy', 'document.id.strategy.partial.key.projection.type': 'blocklist', 'document.id.strategy.partial.key.projection.list': 'b' }), r, { a: 1, b: 2 }, {})).toEqual({ a: 1 });
    expect(() => generateId(cfg({ 'document.id.strategy': 'ProvidedInKeyStrategy' }), r, { a: 1 }, {})).toThrow(/no _id/);
    expect(() => generateId(cfg({ 'document.id.strategy': 'ProvidedInValueStrategy' }), r, null, { _id: null })).toThrow(/BsonNull/);
  });

  it('projections on nested paths and flattened business keys', () => {
    const doc = { a: { b: 1, c: 2 }, d: 3 };
    expect(project(doc, 'allowlist', ['a.b'])).toEqual({ a: { b: 1 } });
    expect(project(doc, 'blocklist', ['a.b', 'd'])).toEqual({ a: { c: 2 } });
    expect(flattenKeys({ a: { b: 1 }, c: 2 })).toEqual({ 'a.b': 1, c: 2 });
  });

  it('write models: replace (default), update with timestamps, insert, delete on tombstone; an existing _id is kept unless overwrite.existing', () => {
    expect(writeModel(cfg({ 'document.id.strategy': 'ProvidedInValueStrategy' }), rec(null, null), null, { _id: 1, v: 2 })).toEqual({ replaceOne: { filter: { _id: 1 }, replacement: { _id: 1, v: 2 }, upsert: true } });
    const kept = writeModel(cfg(), rec(null, null), null, { _id: 'mine' }) as { replaceOne: { filter: { _id: unknown } } };
    expect(kept.replaceOne.filter._id).toBe('mine');
    const over = writeModel(cfg({ 'document.id.strategy': 'KafkaMetaDataStrategy', 'document.id.strategy.overwrite.existing': 'true' }), rec(null, null), null, { _id: 'mine' }) as { replaceOne: { filter: { _id: unknown } } };
    expect(over.replaceOne.filter._id).toBe('t#1#42');
    const ts = writeModel(cfg({ 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': 'com.mongodb.kafka.connect.sink.writemodel.strategy.UpdateOneTimestampsStrategy' }), rec(null, null), null, { _id: 1, v: 2 }) as { updateOne: { update: { $set: Record<string, unknown>; $setOnInsert: Record<string, unknown> } } };
    expect(Object.keys(ts.updateOne.update.$set)).toEqual(['_id', 'v', '_modifiedTS']);
    expect(Object.keys(ts.updateOne.update.$setOnInsert)).toEqual(['_insertedTS']);
    expect(writeModel(cfg({ 'writemodel.strategy': 'InsertOneDefaultStrategy', 'document.id.strategy': 'ProvidedInValueStrategy' }), rec(null, null), null, { _id: 3 })).toEqual({ insertOne: { document: { _id: 3 } } });
    expect(writeModel(cfg({ 'document.id.strategy': 'FullKeyStrategy', 'delete.on.null.values': 'true' }), rec(null, null), { k: 1 }, null)).toEqual({ deleteOne: { filter: { _id: { k: 1 } } } });
    expect(() => writeModel(cfg(), rec(null, null), null, null)).toThrow(/neither key doc nor value doc/);
  });
});

describe('config', () => {
  it('strategies by full or simple class name; unknown ones and bad overrides are refused by key', () => {
    expect(cfg({ 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.FullKeyStrategy' })['document.id.strategy']).toBe('FullKeyStrategy');
    const bad = mongoSinkConfig.parse({ database: 'd', 'writemodel.strategy': 'Nope' });
    expect(bad.ok ? [] : bad.problems.map((p) => p.key)).toEqual(['writemodel.strategy']);
    const raw = { database: 'd', 'topic.override.my.topic.collection': 'c2', 'topic.override.my.topic.max.batch.size': '5' };
    checkTopicOverrides(raw);
    expect(parseTopicConfig(raw, 'my.topic')).toMatchObject({ collection: 'c2', 'max.batch.size': 5, database: 'd' });
    expect(parseTopicConfig(raw, 'other').collection).toBeUndefined();
    expect(() => checkTopicOverrides({ ...raw, 'topic.override.t.max.batch.size': '-1' })).toThrow(ConfigError);
    const thrown = (() => {
      try {
        checkTopicOverrides({ database: 'd', 'topic.override.t.nonsense': 'x' });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(thrown?.problems.map((p) => p.key)).toEqual(['topic.override.t.nonsense']);
    expect(redactedHosts('mongodb+srv://user:p%40ss@cluster0.example.net/db?retryWrites=true')).toBe('cluster0.example.net');
  });
});
