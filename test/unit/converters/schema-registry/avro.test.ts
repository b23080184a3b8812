import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { LOGICAL, Schemas, Struct } from '../../../../src/records/schema.js';
import { avroSchemaText, fromAvroValue, fromConnectSchema, toAvroValue, toConnectSchema, avscType } from '../../../../src/converters/schema-registry/avro-data.js';
import { decodeMessageIndexes, encodeMessageIndexes, frame, unframe } from '../../../../src/converters/schema-registry/wire.js';
import { createConverter } from '../../../../src/converters/registry.js';
import { ConfigError } from '../../../../src/errors.js';

const opts = { connectMetaData: true, enhancedSchemaSupport: false, scrubInvalidNames: false };

describe('AvroData: Connect schema → Avro schema text', () => {
  it('writes a Timestamp field as Confluent does (vector: AvroDataTest.testLogicalTypeWithMatchingNameAndVersion)', () => {
    // confluentinc/schema-registry avro-data/src/test/java/io/confluent/connect/avro/AvroDataTest.java holds the
    // Avro schema Connect's AvroData produced for this Connect schema (record name, then a Timestamp field with a doc):
    // {"type":"long","connect.doc":...,"connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}
    const connect = Schemas.struct([['createdat', Schemas.timestamp({ doc: 'When this message was received.' })]], { name: 'org.cmatta.kafka.connect.irc.Message' });
    expect(avroSchemaText(fromConnectSchema(connect, opts))).toBe(
      '{"type":"record","name":"Message","namespace":"org.cmatta.kafka.connect.irc","fields":[{"name":"createdat","type":{"type":"long","connect.doc":"When this message was received.","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}}],"connect.name":"org.cmatta.kafka.connect.irc.Message"}',
    );
  });

  it('maps optional fields to unions with a null default, int8/int16, Decimal, Date, Time and unnamed structs', () => {
    const inner = Schemas.struct([['x', Schemas.int16()]], { optional: true });
    const connect = Schemas.struct([
      ['id', Schemas.int64()],
      ['name', Schemas.string({ optional: true })],
      ['small', Schemas.int8()],
      ['price', Schemas.decimal(2)],
      ['day', Schemas.date({ optional: true })],
      ['at', Schemas.time()],
      ['inner', inner],
    ]);
    expect(avroSchemaText(fromConnectSchema(connect, opts))).toBe(
      '{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":['
      + '{"name":"id","type":"long"},'
      + '{"name":"name","type":["null","string"],"default":null},'
      + '{"name":"small","type":{"type":"int","connect.type":"int8"}},'
      + '{"name":"price","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}},'
      + '{"name":"day","type":["null",{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}],"default":null},'
      + '{"name":"at","type":{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}},'
      + '{"name":"inner","type":["null",{"type":"record","name":"ConnectDefault2","fields":[{"name":"x","type":{"type":"int","connect.type":"int16"}}]}],"default":null}'
      + ']}',
    );
  });

  it('round-trips schema and values through the registry text', () => {
    const s = Schemas.struct([
      ['id', Schemas.int64()], ['price', Schemas.decimal(2)], ['day', Schemas.date()], ['ts', Schemas.timestamp({ optional: true })],
      ['tags', Schemas.array(Schemas.string())], ['attrs', Schemas.map(Schemas.string(), Schemas.int32())], ['big', Schemas.int64()],
    ], { name: 'shop.Order', version: 3 });
    const text = avroSchemaText(fromConnectSchema(s, opts));
    const back = toConnectSchema(text, undefined, opts);
    expect(back).toMatchObject({ type: 'struct', name: 'shop.Order', version: 3 });
    expect(back.fields!.map((f) => [f.name, f.schema.type, f.schema.name, f.schema.optional])).toEqual([
      ['id', 'int64', undefined, false], ['price', 'bytes', LOGICAL.Decimal, false], ['day', 'int32', LOGICAL.Date, false],
      ['ts', 'int64', LOGICAL.Timestamp, true], ['tags', 'array', undefined, false], ['attrs', 'map', undefined, false], ['big', 'int64', undefined, false],
    ]);
    const v = new Struct(s, { id: 7, price: '-12.34', day: new Date(Date.UTC(2024, 0, 2)), ts: null, tags: ['a'], attrs: new Map([['k', 1]]), big: 2n ** 60n });
    const type = avscType(text);
    const decoded = fromAvroValue(back, type.fromBuffer(type.toBuffer(toAvroValue(s, v, opts)))) as Struct;
    expect(decoded.toObject()).toEqual({ id: 7, price: '-12.34', day: new Date(Date.UTC(2024, 0, 2)), ts: null, tags: ['a'], attrs: new Map([['k', 1]]), big: 2n ** 60n });
  });
});

describe("Confluent's wire format", () => {
  it('frames Avro binary as magic 0 + 4-byte big-endian id (record example of the Avro specification: {"a":27,"b":"foo"} is 36 06 66 6f 6f)', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'test', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: 'string' }] });
    const bytes = frame(258, type.toBuffer({ a: 27, b: 'foo' }));
    expect(bytes.toString('hex')).toBe('00' + '00000102' + '3606666f6f');
    expect(unframe(bytes)).toEqual({ id: 258, offset: 5 });
    expect(() => unframe(Buffer.from('7b7d', 'hex'))).toThrow('Unknown magic byte!');
  });

  it("writes Protobuf message indexes as ProtobufConverterTest's vectors: [0] → 00, [1] → 02 02", () => {
    // protobuf-converter/src/test/java/io/confluent/connect/protobuf/ProtobufConverterTest.java:
    // concat(new byte[]{0, 0, 0, 0, 1, 0}, HELLO_WORLD_MESSAGE) and concat(new byte[]{0, 0, 0, 0, 1, 2, 2}, HELLO_WORLD_MESSAGE2)
    expect(frame(1, encodeMessageIndexes([0])).toString('hex')).toBe('000000000100');
    expect(frame(1, encodeMessageIndexes([1])).toString('hex')).toBe('00000000010202');
    expect(decodeMessageIndexes(Buffer.from([2, 2, 9]), 0)).toEqual({ indexes: [1], next: 2 });
    expect(decodeMessageIndexes(Buffer.from([0]), 0)).toEqual({ indexes: [0], next: 1 });
    expect(decodeMessageIndexes(encodeMessageIndexes([3, 1, 70]), 0).indexes).toEqual([3, 1, 70]);
  });
});

describe('AvroConverter configuration', () => {
  const problem = (config: Record<string, string>) => {
    try {
      createConverter('io.confluent.connect.avro.AvroConverter', config, false);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('no ConfigError');
  };
  it('names the missing or bad key', () => {
    expect(problem({}).problems[0]).toMatchObject({ key: 'value.converter.schema.registry.url', message: expect.stringContaining('Missing required configuration "schema.registry.url"') });
    expect(problem({ 'schema.registry.url': 'ftp://x' }).problems[0]).toMatchObject({ key: 'value.converter.schema.registry.url', message: expect.stringContaining('http or https') });
    expect(problem({ 'schema.registry.url': 'not a url' }).problems[0]?.key).toBe('value.converter.schema.registry.url');
    expect(problem({ 'schema.registry.url': 'http://r:8081', 'value.subject.name.strategy': 'Nope' }).problems[0]?.key).toBe('value.converter.value.subject.name.strategy');
    expect(problem({ 'schema.registry.url': 'http://r:8081', 'basic.auth.credentials.source': 'USER_INFO' }).problems[0]?.key).toBe('value.converter.basic.auth.user.info');
  });
  it('accepts several URLs and the simple strategy names', () => {
    expect(() => createConverter('AvroConverter', { 'schema.registry.url': 'http://a:8081, http://b:8081', 'value.subject.name.strategy': 'TopicRecordNameStrategy' }, false)).not.toThrow();
  });
});
