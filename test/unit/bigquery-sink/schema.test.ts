// Pure logic of the BigQuery sink: WePay's schema conversion and evolution rules, the row checks
// done before insertAll, the MERGE text and the batch reduction, table names, config rules.
import { describe, expect, it } from 'vitest';
import { bigQuerySinkConfig, validateBigQuerySink, type BigQuerySinkConfig } from '../../../src/connectors/bigquery-sink/config.js';
import { batchRows, intermediateFields, mergeFlushQuery } from '../../../src/connectors/bigquery-sink/merge.js';
import { rowFrom, rowProblem } from '../../../src/connectors/bigquery-sink/rows.js';
import { evolvedSchema, fieldsFromConnect, fieldsFromValue, sanitizeName, schemaChangeProblem, unionize, type BqField } from '../../../src/connectors/bigquery-sink/schema.js';
import { dayDecorator, tableFor } from '../../../src/connectors/bigquery-sink/table-name.js';
import { Schemas, Struct } from '../../../src/index.js';

const opts = { allFieldsNullable: false, sanitizeFieldNames: false };
const line = (fs: BqField[]) => fs.map((f) => `${f.name} ${f.type} ${f.mode}`);

describe('BigQuery schema conversion (WePay BigQuerySchemaConverter)', () => {
  it('maps Connect types, optionality, arrays, maps and logical types', () => {
    const s = Schemas.struct([['a', Schemas.int8()], ['b', Schemas.string({ optional: true })], ['c', Schemas.array(Schemas.float64())],
      ['d', Schemas.map(Schemas.string(), Schemas.boolean())], ['e', Schemas.decimal(2)], ['f', Schemas.timestamp({ optional: true })],
      ['g', Schemas.struct([['x', Schemas.bytes()]])], ['h', Schemas.struct([])]]);
    const f = fieldsFromConnect(s, opts);
    expect(line(f)).toEqual(['a INTEGER REQUIRED', 'b STRING NULLABLE', 'c FLOAT REPEATED', 'd RECORD REPEATED', 'e FLOAT REQUIRED', 'f TIMESTAMP NULLABLE', 'g RECORD REQUIRED']);
    expect(line(fieldsFromConnect(s, { ...opts, allFieldsNullable: true }))[0]).toBe('a INTEGER NULLABLE');
    expect(() => fieldsFromConnect(Schemas.string(), opts)).toThrow(/Top-level Kafka Connect schema must be of type 'struct'/);
  });

  it('infers NULLABLE fields from schemaless JSON (ours)', () => {
    expect(line(fieldsFromValue({ n: 1, x: 1.5, s: 's', b: true, o: { k: 'v' }, l: [1, 2], z: null, e: [] }, opts)))
      .toEqual(['n INTEGER NULLABLE', 'x FLOAT NULLABLE', 's STRING NULLABLE', 'b BOOLEAN NULLABLE', 'o RECORD NULLABLE', 'l INTEGER REPEATED']);
  });

  it('applies SchemaManager\'s rules to a proposed schema', () => {
    const existing: BqField[] = [{ name: 'id', type: 'INTEGER', mode: 'REQUIRED' }];
    const added: BqField[] = [...existing, { name: 'note', type: 'STRING', mode: 'NULLABLE' }];
    const none = { allowNewFields: false, allowRelaxation: false };
    expect(schemaChangeProblem(existing, added, none)).toMatch(/New Field found with the name note Ensure that allowNewBigQueryFields is true/);
    expect(schemaChangeProblem(existing, added, { allowNewFields: true, allowRelaxation: false })).toBeNull();
    const requiredNew: BqField[] = [...existing, { name: 'r', type: 'STRING', mode: 'REQUIRED' }];
    expect(schemaChangeProblem(existing, requiredNew, { allowNewFields: true, allowRelaxation: false })).toMatch(/New Field/);
    expect(line(evolvedSchema(existing, requiredNew, { allowNewFields: true, allowRelaxation: true }))).toEqual(['id INTEGER REQUIRED', 'r STRING NULLABLE']);
    const relaxed: BqField[] = [{ name: 'id', type: 'INTEGER', mode: 'NULLABLE' }];
    expect(schemaChangeProblem(existing, relaxed, none)).toMatch(/id has mode REQUIRED. Set allowBigQueryRequiredFieldRelaxation/);
    // A proposal without an existing field keeps it (BigQuery cannot drop columns).
    expect(line(evolvedSchema(added, existing, none))).toEqual(['id INTEGER REQUIRED', 'note STRING NULLABLE']);
    expect(line(unionize(existing, [{ name: 'other', type: 'STRING', mode: 'REQUIRED' }]))).toEqual(['id INTEGER NULLABLE', 'other STRING NULLABLE']);
  });
});

describe('BigQuery rows (WePay BigQueryRecordConverter)', () => {
  it('writes logical types in BigQuery\'s text forms and leaves null fields out', () => {
    const s = Schemas.struct([['d', Schemas.date()], ['t', Schemas.time()], ['ts', Schemas.timestamp()], ['m', Schemas.map(Schemas.string(), Schemas.int32())], ['n', Schemas.string({ optional: true })], ['big', Schemas.int64()]]);
    const row = rowFrom(new Struct(s, { d: new Date(Date.UTC(2024, 1, 29)), t: new Date(Date.UTC(1970, 0, 1, 13, 5, 7, 9)), ts: new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)), m: { a: 1 }, n: null, big: 2n ** 60n }), s, { sanitizeFieldNames: false, convertDoubleSpecialValues: false });
    expect(row).toEqual({ d: '2024-02-29', t: '13:05:07.009', ts: '2024-02-29 01:02:03.004', m: [{ key: 'a', value: 1 }], big: '1152921504606846976' });
  });

  it('finds what BigQuery would refuse before insertAll', () => {
    const fields: BqField[] = [{ name: 'qty', type: 'INTEGER', mode: 'REQUIRED' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' }, { name: 'o', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'ok', type: 'BOOLEAN' }] }];
    expect(rowProblem({ qty: 1, tags: ['a'], o: { ok: true } }, fields)).toBeNull();
    expect(rowProblem({ qty: '12' }, fields)).toBeNull();
    expect(rowProblem({ qty: 'twelve' }, fields)).toMatch(/Cannot convert value to integer \(bad value\): twelve for field qty/);
    expect(rowProblem({ tags: [] }, fields)).toMatch(/Missing required field: qty/);
    expect(rowProblem({ qty: 1, nope: 1 }, fields)).toMatch(/no such field: nope/);
    expect(rowProblem({ qty: 1, tags: 'a' }, fields)).toMatch(/Non-array value for repeated field: tags/);
    expect(rowProblem({ qty: 1, o: { ok: 'maybe' } }, fields)).toMatch(/boolean .*o\.ok/);
  });
});

describe('BigQuery upserts (WePay MergeQueries)', () => {
  const destination: BqField[] = [{ name: 'id', type: 'INTEGER', mode: 'REQUIRED' }, { name: 'v', type: 'STRING', mode: 'NULLABLE' }, { name: 'k', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'id', type: 'INTEGER' }] }];
  const temp = intermediateFields(destination, 'k');

  it('builds the intermediate table of WePay\'s shape and the MERGE for each mode', () => {
    expect(temp.map((f) => `${f.name} ${f.type} ${f.mode}`)).toEqual(['value RECORD NULLABLE', 'key RECORD REQUIRED', 'i INTEGER REQUIRED', 'partitionTime TIMESTAMP NULLABLE', 'batchNumber INTEGER REQUIRED']);
    const base = { destination: { dataset: 'ds', table: 'dst' }, intermediate: { dataset: 'ds', table: 'dst_tmp_1' }, keyField: 'k', intermediateFields: temp, batchNumber: 1, insertPartitionTime: false };
    expect(mergeFlushQuery({ ...base, upsert: true, delete: true })).toBe('MERGE `ds`.`dst` dstTableAlias USING `ds`.`dst_tmp_1` src ON dstTableAlias.k=src.key '
      + 'WHEN MATCHED AND src.value IS NOT NULL THEN UPDATE SET dstTableAlias.`id`=src.value.id, dstTableAlias.`v`=src.value.v '
      + 'WHEN MATCHED AND src.value IS NULL THEN DELETE WHEN NOT MATCHED AND src.value IS NOT NULL THEN INSERT (`k`, `id`, `v`) VALUES (src.key, src.value.id, src.value.v);');
    expect(mergeFlushQuery({ ...base, upsert: true, delete: false, insertPartitionTime: true })).toContain('INSERT (`k`, _PARTITIONTIME, `id`, `v`) VALUES (src.key, CAST(CAST(DATE(src.partitionTime) AS DATE) AS TIMESTAMP), ');
    expect(mergeFlushQuery({ ...base, upsert: false, delete: true })).toContain('ON dstTableAlias.k=src.key AND src.value IS NULL WHEN MATCHED THEN DELETE');
  });

  it('reduces a batch as the MERGE expects: latest per key (upsert), from the latest tombstone on (delete only)', () => {
    const rows = [{ key: 'a', value: 1, n: 0 }, { key: 'b', value: 2, n: 1 }, { key: 'a', value: null, n: 2 }, { key: 'a', value: 3, n: 3 }, { key: 'b', value: 4, n: 4 }];
    expect(batchRows(rows, true).map((r) => r.n)).toEqual([3, 4]);
    expect(batchRows(rows, false).map((r) => r.n)).toEqual([1, 2, 3, 4]);
  });
});

describe('BigQuery tables and config', () => {
  it('names tables as BigQuerySinkTask.getRecordTable', () => {
    expect(tableFor('mysql.orders', 'ds', new Map(), true)).toEqual({ dataset: 'ds', table: 'mysql_orders' });
    expect(tableFor('other:orders', 'ds', new Map(), false)).toEqual({ dataset: 'other', table: 'orders' });
    expect(tableFor('t1', 'ds', new Map([['t1', 'table1']]), true)).toEqual({ dataset: 'ds', table: 'table1' });
    expect(sanitizeName('9lives-x')).toBe('_9lives_x');
    expect(dayDecorator('t', new Date(Date.UTC(2026, 11, 6, 23, 59)))).toBe('t$20261206');
  });

  it('refuses bad key combinations by key', () => {
    const parse = (raw: Record<string, string>) => {
      const r = bigQuerySinkConfig.parse({ project: 'p', defaultDataset: 'd', ...raw });
      return r.ok ? validateBigQuerySink(r.value as BigQuerySinkConfig).map((p) => p.key) : r.problems.map((p) => p.key);
    };
    expect(parse({ keySource: 'APPLICATION_DEFAULT' })).toEqual([]);
    expect(parse({})).toEqual(['keyfile']);
    expect(parse({ keySource: 'APPLICATION_DEFAULT', keyfile: '/k.json' })).toEqual(['keyfile']);
    expect(parse({ keySource: 'JSON', keyfile: '{"type":"service_account"' })).toEqual(['keyfile']);
    expect(parse({ keySource: 'APPLICATION_DEFAULT', upsertEnabled: 'true' })).toEqual(['kafkaKeyFieldName']);
    expect(parse({ keySource: 'APPLICATION_DEFAULT', topic2TableMap: 'a:b,a:c' })).toEqual(['topic2TableMap']);
    expect(parse({ keySource: 'APPLICATION_DEFAULT', mergeIntervalMs: '0' })).toEqual(['mergeIntervalMs']);
  });
});
