import { describe, expect, it } from 'vitest';
import { createConverter } from '../../src/converters/registry.js';
import type { Converter } from '../../src/converters/types.js';
import { DataError, RetriableError } from '../../src/errors.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { registryCall, registryUrl, setCompatibility, subjectVersions } from '../helpers/registry.js';
import { freePort, uniqueIdent } from '../helpers/stack.js';

// The converters' registry behaviour on the stack's real registry, converter calls only (no
// connector): subject name strategies, auto.register.schemas=false, use.latest.version, several
// URLs with one dead, the registry unreachable.

const v1 = Schemas.struct([['id', Schemas.int32()], ['name', Schemas.string()]], { name: 'shop.Customer' });
const v2 = Schemas.struct([['id', Schemas.int32()], ['name', Schemas.string()], ['email', Schemas.string({ optional: true })]], { name: 'shop.Customer' });
const avro = async (config: Record<string, string>) => createConverter('AvroConverter', { 'schema.registry.url': await registryUrl(), ...config }, false);
const write = async (c: Converter, topic: string, s = v1, values: Record<string, unknown> = { id: 1, name: 'Ada' }) => (await c.fromConnectData(topic, s, new Struct(s, values)))!;

describe('schema registry converters on a real registry', () => {
  it('registers under the subject each strategy names', async () => {
    const topic = uniqueIdent('sr_strat');
    const record = await avro({ 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' });
    const topicRecord = await avro({ 'value.subject.name.strategy': 'TopicRecordNameStrategy' });
    const plain = await avro({});
    await write(plain, topic);
    await write(topicRecord, topic);
    await write(record, topic);
    const subjects = await registryCall<string[]>('GET', '/subjects');
    expect(subjects).toEqual(expect.arrayContaining([`${topic}-value`, `${topic}-shop.Customer`, 'shop.Customer']));
    await expect(Promise.resolve().then(() => record.fromConnectData(topic, Schemas.string(), 'x'))).rejects.toThrow(/the message must only be a record schema/);
  });

  it('auto.register.schemas=false looks the schema up (unknown: a data error with the registry\'s answer); use.latest.version writes with the latest id', async () => {
    const topic = uniqueIdent('sr_lookup');
    const lookup = await avro({ 'auto.register.schemas': 'false' });
    const failed = await Promise.resolve().then(() => write(lookup, topic)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DataError);
    expect((failed as DataError).stage).toBe('VALUE_CONVERTER');
    expect((failed as Error).message).toMatch(/Error retrieving Avro schema in subject .*-value: .*error code: 404\d\d/);

    await setCompatibility(`${topic}-value`, 'BACKWARD');
    const registering = await avro({});
    const b1 = await write(registering, topic);
    const b2 = await write(registering, topic, v2, { id: 2, name: 'Bo', email: 'b@x' });
    expect(await subjectVersions(`${topic}-value`)).toEqual([1, 2]);
    // Now found by lookup, with version 1's id.
    expect((await write(lookup, topic)).readInt32BE(1)).toBe(b1.readInt32BE(1));

    // use.latest.version: a v1 record is written with version 2's id and schema (email: its null default).
    const latest = await avro({ 'auto.register.schemas': 'false', 'use.latest.version': 'true' });
    const b3 = await write(latest, topic);
    expect(b3.readInt32BE(1)).toBe(b2.readInt32BE(1));
    const back = (await registering.toConnectData(topic, b3)).value as Struct;
    expect(back.toObject()).toEqual({ id: 1, name: 'Ada', email: null });
    expect(back.schema.version).toBe(2);
  });

  it('tries the next URL when one does not answer, and reports the registry unreachable as retriable', async () => {
    const url = await registryUrl();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const topic = uniqueIdent('sr_urls');
    const both = createConverter('AvroConverter', { 'schema.registry.url': `${dead},${url}` }, false);
    expect((await write(both, topic))[0]).toBe(0);
    const none = createConverter('ProtobufConverter', { 'schema.registry.url': dead }, false);
    const e = await Promise.resolve().then(() => write(none, topic)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as Error).message).toMatch(/Schema Registry not reachable/);
  });

  it('reads its own Protobuf and JSON Schema output back, and reports a foreign payload as a data error', async () => {
    const topic = uniqueIdent('sr_roundtrip');
    for (const cls of ['ProtobufConverter', 'JsonSchemaConverter']) {
      const c = createConverter(cls, { 'schema.registry.url': await registryUrl() }, true);
      const bytes = await write(c, `${topic}-${cls}`, v2, { id: 7, name: 'Cy', email: 'c@x' });
      expect((((await c.toConnectData(topic, bytes)).value) as Struct).toObject()).toMatchObject({ id: 7, name: 'Cy', email: 'c@x' });
      const foreign = await Promise.resolve().then(() => c.toConnectData(topic, Buffer.from('{"id":1}'))).catch((x: unknown) => x);
      expect(foreign).toBeInstanceOf(DataError);
      expect((foreign as DataError).stage).toBe('KEY_CONVERTER');
      expect((foreign as Error).message).toMatch(/Unknown magic byte!/);
    }
  });
});
