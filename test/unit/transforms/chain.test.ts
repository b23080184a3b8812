import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../../src/errors.js';
import { Schemas, Struct } from '../../../src/records/schema.js';
import { buildTransformChain, findPredicate, findTransform, PREDICATES, TRANSFORMS, validateTransformChain } from '../../../src/transforms/registry.js';
import { sinkRecord, sourceRecord } from './helpers.js';

describe('registry', () => {
  it('lists every transform and predicate under its Connect class name and alias', () => {
    const names = TRANSFORMS.map((t) => t.name);
    for (const base of ['Cast', 'ExtractField', 'Flatten', 'HeaderFrom', 'HoistField', 'InsertField', 'MaskField', 'ReplaceField', 'SetSchemaMetadata', 'TimestampConverter']) {
      expect(names).toContain(`${base}$Key`);
      expect(names).toContain(`${base}$Value`);
    }
    for (const single of ['DropHeaders', 'Filter', 'InsertHeader', 'RegexRouter', 'TimestampRouter', 'ValueToKey']) expect(names).toContain(single);
    expect(TRANSFORMS).toHaveLength(27); // Connect's 26 and Debezium's ExtractNewRecordState
    expect(new Set(TRANSFORMS.map((t) => t.className)).size).toBe(27);
    expect(findTransform('org.apache.kafka.connect.transforms.InsertField$Value')?.name).toBe('InsertField$Value');
    expect(findTransform('InsertField$Value')?.className).toBe('org.apache.kafka.connect.transforms.InsertField$Value');
    expect(PREDICATES.map((p) => p.className)).toEqual([
      'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'org.apache.kafka.connect.transforms.predicates.HasHeaderKey',
      'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    ]);
    expect(findPredicate('RecordIsTombstone')?.kind).toBe('predicate');
  });

  it('declares every key once, with documentation', () => {
    for (const d of [...TRANSFORMS, ...PREDICATES]) {
      for (const [name, k] of Object.entries(d.config.keys)) expect(k.meta.documentation, `${d.name}.${name}`).not.toBe('');
    }
  });
});

describe('buildTransformChain', () => {
  it('is a no-op without transforms', () => {
    const record = sinkRecord({ value: 1 });
    expect(buildTransformChain({}).apply(record)).toBe(record);
  });

  it('runs transforms in order with their own keys (JDBC keying: ValueToKey then ExtractField$Key)', () => {
    const chain = buildTransformChain({
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      transforms: 'createKey, extractId,route',
      'transforms.createKey.type': 'org.apache.kafka.connect.transforms.ValueToKey',
      'transforms.createKey.fields': 'id',
      'transforms.extractId.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.extractId.field': 'id',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': '(.*)',
      'transforms.route.replacement': 'db-$1',
    });
    expect(chain.aliases).toEqual(['createKey', 'extractId', 'route']);
    const valueSchema = Schemas.struct([['id', Schemas.int64()], ['name', Schemas.string()]]);
    const out = chain.apply(sourceRecord({ value: new Struct(valueSchema, { id: 7, name: 'x' }), valueSchema }));
    expect(out).toMatchObject({ key: 7, keySchema: Schemas.int64(), topic: 'db-orders', sourceOffset: { id: 1 } });
  });

  it('skips a transform whose predicate is false, and negate inverts it', () => {
    const config = {
      transforms: 'dropTombstones,tag',
      'transforms.dropTombstones.type': 'Filter',
      'transforms.dropTombstones.predicate': 'isTombstone',
      'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertHeader',
      'transforms.tag.header': 'seen',
      'transforms.tag.value.literal': 'yes',
      'transforms.tag.predicate': 'isOrders',
      'transforms.tag.negate': 'true',
      predicates: 'isTombstone,isOrders',
      'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
      'predicates.isOrders.type': 'TopicNameMatches',
      'predicates.isOrders.pattern': 'orders',
    };
    const chain = buildTransformChain(config);
    expect(chain.apply(sinkRecord({ value: null }))).toBeNull();
    expect(chain.apply(sinkRecord({ value: 1 }))?.headers).toEqual([]);
    expect(chain.apply(sinkRecord({ value: 1, topic: 'users' }))?.headers).toEqual([{ key: 'seen', value: 'yes', schema: Schemas.string() }]);
    const negatedFilter = buildTransformChain({ ...config, 'transforms.dropTombstones.negate': 'TRUE' });
    expect(negatedFilter.apply(sinkRecord({ value: 1 }))).toBeNull();
    expect(negatedFilter.apply(sinkRecord({ value: null }))).not.toBeNull();
  });

  it('stops at a dropped record', () => {
    const chain = buildTransformChain({
      transforms: 'drop,boom',
      'transforms.drop.type': 'Filter',
      'transforms.boom.type': 'ValueToKey',
      'transforms.boom.fields': 'a',
    });
    expect(chain.apply(sinkRecord({ value: 'not a map' }))).toBeNull();
  });

  it('wraps a failing transform in a DataError at stage TRANSFORMATION naming the alias', () => {
    const chain = buildTransformChain({ transforms: 'mask', 'transforms.mask.type': 'MaskField$Value', 'transforms.mask.fields': 'ssn' });
    let error: unknown;
    try {
      chain.apply(sinkRecord({ value: null }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ stage: 'TRANSFORMATION', retriable: false });
    expect((error as Error).message).toMatch(/^Transformation 'mask' \(org\.apache\.kafka\.connect\.transforms\.MaskField\$Value\) failed/);
    expect((error as Error).message).toMatch(/Only Map objects supported/);
    expect((error as DataError).cause).toBeInstanceOf(Error);
  });

  it('keeps the original topic-partition of sink records when a router renames the topic', () => {
    const chain = buildTransformChain({ transforms: 'ts', 'transforms.ts.type': 'TimestampRouter', 'transforms.ts.topic.format': '${topic}_${timestamp}' });
    expect(chain.apply(sinkRecord({ value: 1 }))).toMatchObject({ topic: 'orders_20240115', originalTopic: 'orders', originalKafkaPartition: 3, originalKafkaOffset: 42 });
  });
});

describe('chain config problems', () => {
  const problems = (config: Record<string, string>) => validateTransformChain(config);

  it('reports an unknown type with the known ones, and the abstract base of a $Key/$Value pair', () => {
    const [unknown] = problems({ transforms: 'a', 'transforms.a.type': 'com.example.Nope' });
    expect(unknown.key).toBe('transforms.a.type');
    expect(unknown.message).toMatch(/Class com\.example\.Nope could not be found\. Known transformations: .*org\.apache\.kafka\.connect\.transforms\.Cast\$Key/);
    const [abstract] = problems({ transforms: 'a', 'transforms.a.type': 'org.apache.kafka.connect.transforms.InsertField' });
    expect(abstract.message).toMatch(/abstract and cannot be created\. Did you mean org\.apache\.kafka\.connect\.transforms\.InsertField\$Key, org\.apache\.kafka\.connect\.transforms\.InsertField\$Value\?/);
  });

  it('reports missing types and required keys under their full names', () => {
    expect(problems({ transforms: 'a' })).toEqual([{ key: 'transforms.a.type', message: 'Missing required configuration "transforms.a.type" which has no default value.' }]);
    expect(problems({ transforms: 'r', 'transforms.r.type': 'RegexRouter', 'transforms.r.regex': '.*' })).toEqual([
      { key: 'transforms.r.replacement', message: 'Missing required configuration "replacement" which has no default value.' },
    ]);
    expect(problems({ transforms: 'i', 'transforms.i.type': 'InsertField$Value', 'transforms.i.static.field': 'x' })).toEqual([
      { key: 'transforms.i.static.value', message: 'No value specified for static field: x' },
    ]);
  });

  it('reports predicate problems', () => {
    expect(problems({ transforms: 'f', 'transforms.f.type': 'Filter', 'transforms.f.predicate': 'p' })).toEqual([
      { key: 'transforms.f.predicate', message: "Predicate 'p' is not declared in 'predicates'." },
    ]);
    expect(problems({ transforms: 'f', 'transforms.f.type': 'Filter', 'transforms.f.negate': 'true' })[0].message)
      .toBe("Config 'transforms.f.negate' was provided but there is no config 'transforms.f.predicate' defining a predicate to be negated.");
    const bad = problems({
      transforms: 'f', 'transforms.f.type': 'Filter', 'transforms.f.predicate': 'p', 'transforms.f.negate': 'maybe',
      predicates: 'p,q', 'predicates.p.type': 'TopicNameMatches', 'predicates.q.type': 'Nope',
    });
    expect(bad.map((p) => p.key)).toEqual(['predicates.p.pattern', 'predicates.q.type', 'transforms.f.negate']);
  });

  it('rejects duplicate aliases', () => {
    expect(problems({ transforms: 'a,a', 'transforms.a.type': 'Filter' })[0]).toEqual({
      key: 'transforms', message: 'Invalid value a,a for configuration transforms: Duplicate alias provided.',
    });
  });

  it('throws a ConfigError with the problems from buildTransformChain', () => {
    let error: unknown;
    try {
      buildTransformChain({ transforms: 'a,b', 'transforms.a.type': 'Cast$Value', 'transforms.b.type': 'Flatten$Value' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ key: 'transforms.a.spec', message: 'Missing required configuration "spec" which has no default value.' }]);
  });
});
