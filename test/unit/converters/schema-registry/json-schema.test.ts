import { describe, expect, it } from 'vitest';
import { connectFromJsonSchema, jsonSchemaFormatFor, jsonSchemaFromConnect } from '../../../../src/converters/schema-registry/json-schema-converter.js';
import { JsonConverter } from '../../../../src/converters/json-converter.js';
import { LOGICAL, Schemas, Struct } from '../../../../src/records/schema.js';

const o = { additionalProperties: true, optionalForNonRequired: false, decimalNumeric: false };

// Vectors: confluentinc/schema-registry json-schema-converter/src/test/java/io/confluent/connect/json/JsonSchemaDataTest.java
describe('JsonSchemaData: Connect schema ↔ JSON Schema', () => {
  it('Decimal(2) as JsonSchemaDataTest.testFromConnectBase64Decimal: a string titled Decimal with connect.type bytes, 1.56 as base64 of 00 9c', () => {
    expect(jsonSchemaFromConnect(Schemas.decimal(2), o)).toEqual({
      type: 'string', title: LOGICAL.Decimal, 'connect.type': 'bytes', 'connect.version': 1, 'connect.parameters': { scale: '2' },
    });
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    expect(json.fromConnectData('t', Schemas.decimal(2), '1.56')?.toString()).toBe(`"${Buffer.from([0, 0x9c]).toString('base64')}"`);
    expect(connectFromJsonSchema(jsonSchemaFromConnect(Schemas.decimal(2), o), o)).toMatchObject({ type: 'bytes', name: LOGICAL.Decimal, version: 1, parameters: { scale: '2' } });
  });

  it('a string-keyed map as testFromConnectMapWithStringKey: an object of additionalProperties with connect.type map', () => {
    expect(jsonSchemaFromConnect(Schemas.map(Schemas.string(), Schemas.int32()), o)).toEqual({
      type: 'object', additionalProperties: { type: 'integer', 'connect.type': 'int32' }, 'connect.type': 'map',
    });
  });

  it('a non-string-keyed map as testFromConnectMapWithNonStringKey: an array of key/value objects with connect.index', () => {
    expect(jsonSchemaFromConnect(Schemas.map(Schemas.int32(), Schemas.int32()), o)).toEqual({
      type: 'array', 'connect.type': 'map',
      items: { type: 'object', properties: { key: { type: 'integer', 'connect.type': 'int32', 'connect.index': 0 }, value: { type: 'integer', 'connect.type': 'int32', 'connect.index': 1 } } },
    });
  });

  it('structs: properties with connect.index, optional fields as oneOf [null, T], the name as title; read back the same', () => {
    const s = Schemas.struct([['id', Schemas.int8()], ['name', Schemas.string({ optional: true })]], { name: 'shop.Item', version: 2 });
    const js = jsonSchemaFromConnect(s, o);
    expect(js).toEqual({
      type: 'object', title: 'shop.Item', 'connect.version': 2,
      properties: {
        id: { type: 'integer', 'connect.type': 'int8', 'connect.index': 0 },
        name: { oneOf: [{ type: 'null' }, { type: 'string' }], 'connect.index': 1 },
      },
    });
    expect(connectFromJsonSchema(js, o)).toEqual({
      type: 'struct', optional: false, name: 'shop.Item', version: 2,
      fields: [{ name: 'id', index: 0, schema: { type: 'int8', optional: false } }, { name: 'name', index: 1, schema: { type: 'string', optional: true } }],
    });
  });
});

describe('JsonSchemaConverter payloads', () => {
  it('writes a non-string-keyed map as testFromConnectMapWithNonStringKey\'s value, an array of {"key","value"} objects, and reads it back', () => {
    const format = jsonSchemaFormatFor({ 'schema.registry.url': 'http://registry.invalid:8081' });
    const s = Schemas.struct([['m', Schemas.map(Schemas.int32(), Schemas.int32())]]);
    const w = format.writerFor(s);
    const payload = w.encode(new Struct(s, { m: new Map([[54, 32]]) }));
    expect(payload.toString()).toBe('{"m":[{"key":54,"value":32}]}');
    const back = format.readerFor(w.text, undefined).decode(payload, 0).value as Struct;
    expect(back.get('m')).toEqual(new Map([[54, 32]]));
  });
});
