import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { jdbcConnection, produce } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { registryCall, useRegistryConnectors } from '../helpers/registry.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// ProtobufConverter and JsonSchemaConverter reading topics that plain code wrote (protobufjs or
// JSON text, framed by hand, schemas registered through the registry's HTTP API), into the
// Elasticsearch sink and the JDBC sink, against the stack's real servers.

const header = (id: number) => Buffer.from([0, id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]);

describe('Protobuf and JSON Schema topics into Elasticsearch and MariaDB', () => {
  const fx = useWorker({ temporal: true, db: true, es: true, passwordEnv: true });
  const sr = useRegistryConnectors(fx);

  async function sinkBoth(topic: string, converter: string, jdbcExtra: Record<string, string> = {}): Promise<void> {
    const common = {
      topics: topic, 'value.converter': converter, 'value.converter.schema.registry.url': sr.url,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    };
    await sr.connectors.start(`es-${topic}`, {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': stackEnv().ELASTICSEARCH_URL, 'key.ignore': 'false', 'schema.ignore': 'false', ...common,
    });
    await sr.connectors.start(`jdbc-${topic}`, {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      ...jdbcConnection('${env:TC_TEST_MYSQL_PASSWORD}'),
      'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'k', ...common, ...jdbcExtra,
    });
  }

  async function landed(topic: string): Promise<{ rows: Array<Record<string, unknown>>; docs: Array<Record<string, unknown>> }> {
    const rows = await waitFor(async () => {
      const [r] = await fx.db.query(`SELECT * FROM \`${topic}\` ORDER BY k`).catch(() => [[]]);
      return (r as unknown[]).length === 2 ? (r as Array<Record<string, unknown>>) : undefined;
    }, { what: `2 rows of ${topic} in MariaDB`, timeout: 60_000 });
    const docs = await waitFor(async () => {
      await fx.es.indices.refresh({ index: topic }).catch(() => undefined);
      const r = await fx.es.search({ index: topic, sort: ['id'] }).catch(() => undefined);
      return r && r.hits.hits.length === 2 ? r.hits.hits.map((h) => ({ _id: h._id, ...(h._source as object) })) : undefined;
    }, { what: `2 documents of ${topic} in Elasticsearch`, timeout: 60_000 });
    return { rows, docs };
  }

  it('Protobuf (second message of the file: message indexes 02 02)', async () => {
    const topic = uniqueIdent('sr_proto');
    sr.tables.push(topic);
    const proto = 'syntax = "proto3";\npackage shop;\n\nmessage Other {\n  string x = 1;\n}\nmessage Item {\n  int32 id = 1;\n  string name = 2;\n  double price = 3;\n  repeated string tags = 4;\n}\n';
    const { id } = await registryCall<{ id: number }>('POST', `/subjects/${topic}-value/versions`, { schemaType: 'PROTOBUF', schema: proto });
    const Item = protobuf.parse(proto).root.lookupType('shop.Item');
    const enc = (v: object) => Buffer.concat([header(id), Buffer.from([2, 2]), Buffer.from(Item.encode(Item.fromObject(v)).finish())]);
    await produce(topic, 1, [
      { key: 'a', value: enc({ id: 1, name: 'tea', price: 2.5, tags: ['hot'] }) },
      { key: 'b', value: enc({ id: 2, name: 'cake', price: 4, tags: [] }) },
    ]);
    // The JDBC sink has no column type for arrays (as Confluent's): it gets the record without them.
    await sinkBoth(topic, 'io.confluent.connect.protobuf.ProtobufConverter', {
      transforms: 'drop', 'transforms.drop.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value', 'transforms.drop.exclude': 'tags',
    });
    const { rows, docs } = await landed(topic);
    expect(rows.map((r) => [r.k, r.id, r.name, r.price])).toEqual([['a', 1, 'tea', 2.5], ['b', 2, 'cake', 4]]);
    expect(docs).toEqual([
      { _id: 'a', id: 1, name: 'tea', price: 2.5, tags: ['hot'] },
      { _id: 'b', id: 2, name: 'cake', price: 4, tags: [] },
    ]);
  });

  it('JSON Schema', async () => {
    const topic = uniqueIdent('sr_jsonschema');
    sr.tables.push(topic);
    const schema = {
      type: 'object', title: 'shop.Item',
      properties: {
        id: { type: 'integer', 'connect.index': 0, 'connect.type': 'int32' },
        name: { 'connect.index': 1, oneOf: [{ type: 'null' }, { type: 'string' }] },
        price: { type: 'number', 'connect.index': 2 },
      },
    };
    const { id } = await registryCall<{ id: number }>('POST', `/subjects/${topic}-value/versions`, { schemaType: 'JSON', schema: JSON.stringify(schema) });
    const enc = (v: object) => Buffer.concat([header(id), Buffer.from(JSON.stringify(v))]);
    await produce(topic, 1, [
      { key: 'a', value: enc({ id: 1, name: 'tea', price: 2.5 }) },
      { key: 'b', value: enc({ id: 2, name: null, price: 4 }) },
    ]);
    await sinkBoth(topic, 'io.confluent.connect.json.JsonSchemaConverter');
    const { rows, docs } = await landed(topic);
    expect(rows.map((r) => [r.k, r.id, r.name, r.price])).toEqual([['a', 1, 'tea', 2.5], ['b', 2, null, 4]]);
    expect(docs).toEqual([{ _id: 'a', id: 1, name: 'tea', price: 2.5 }, { _id: 'b', id: 2, name: null, price: 4 }]);
  });
});
