import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/connectors/spooldir-csv/csv.js';
import { generatedSchema, parseDeclaredSchema, rowToStruct } from '../../src/connectors/spooldir-csv/schema.js';
import { DataError } from '../../src/errors.js';

describe('spooldir CSV parsing', () => {
  it('reads quoted fields with separators, doubled quotes and line breaks; LF, CRLF and CR rows; skips blank lines', () => {
    expect(parseCsv('id,name\r\n1,"a, ""quoted"" name"\n\n2,"two\nlines"\r3,\n')).toEqual([
      ['id', 'name'], ['1', 'a, "quoted" name'], ['2', 'two\nlines'], ['3', ''],
    ]);
    expect(parseCsv('a;b\n1;2', ';')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('names the row of an unterminated quote or text after a closing quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow('row 2: a quoted field is not closed');
    expect(() => parseCsv('a\n"x"y')).toThrow('row 2: text after a closing quote');
  });

  it('types columns by the declared schema, by header name; empty is null only when optional', () => {
    const schema = parseDeclaredSchema(JSON.stringify({ name: 'com.example.User', type: 'STRUCT', fieldSchemas: { id: { type: 'INT64', isOptional: false }, score: { type: 'FLOAT64' }, ok: { type: 'BOOLEAN' } } }));
    expect(schema).toMatchObject({ type: 'struct', name: 'com.example.User' });
    expect(rowToStruct(['ok', 'id', 'score'], ['true', '7', ''], schema).toObject()).toEqual({ id: 7, score: null, ok: true });
    expect(() => rowToStruct(['id'], [''], schema)).toThrow(DataError);
    expect(() => rowToStruct(['id'], ['x7'], schema)).toThrow('field id: "x7" is not a whole number');
    expect(() => parseDeclaredSchema('{"type":"STRUCT","fieldSchemas":{"a":{"type":"DATE"}}}')).toThrow('field a: type DATE is not one of');
    expect(rowToStruct(['a', 'b'], ['x', ''], generatedSchema(['a', 'b'])).toObject()).toEqual({ a: 'x', b: null });
  });
});
