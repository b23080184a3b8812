import type { BqField } from './schema.js';
import type { TableRef } from './table-name.js';

/**
 * Upserts and deletes as WePay's MergeQueries runs them: rows go to an intermediate table
 * (key RECORD, value RECORD or NULL for a tombstone, iteration i, partitionTime, batchNumber),
 * then one MERGE per batch updates, inserts or deletes in the destination table, whose
 * kafkaKeyFieldName RECORD holds the key. Here each batch (put) has its own intermediate table,
 * dropped after its MERGE: BigQuery cannot DELETE rows still in the streaming buffer, so a shared
 * table could not be cleared batch by batch without WePay's batchNumber filter in the MERGE.
 */

export const KEY = 'key';
export const VALUE = 'value';
export const ITERATION = 'i';
export const PARTITION_TIME = 'partitionTime';
export const BATCH_NUMBER = 'batchNumber';
const DST = 'dstTableAlias';

/** SchemaManager.getIntermediateSchemaFields, from the destination table's fields. */
export function intermediateFields(destination: BqField[], keyField: string): BqField[] {
  const key = destination.find((f) => f.name.toLowerCase() === keyField.toLowerCase());
  return [
    { name: VALUE, type: 'RECORD', mode: 'NULLABLE', fields: destination.filter((f) => f !== key) },
    { name: KEY, type: 'RECORD', mode: 'REQUIRED', fields: key?.fields ?? [] },
    { name: ITERATION, type: 'INTEGER', mode: 'REQUIRED' },
    { name: PARTITION_TIME, type: 'TIMESTAMP', mode: 'NULLABLE' },
    { name: BATCH_NUMBER, type: 'INTEGER', mode: 'REQUIRED' },
  ];
}

export interface MergeOptions {
  destination: TableRef;
  intermediate: TableRef;
  keyField: string;
  intermediateFields: BqField[];
  batchNumber: number;
  upsert: boolean;
  delete: boolean;
  /** bigQueryPartitionDecorator: also insert the _PARTITIONTIME pseudo column. */
  insertPartitionTime: boolean;
}

const table = (t: TableRef) => `\`${t.dataset}\`.\`${t.table}\``;

/**
 * MergeQueries.mergeFlushQuery, with one difference: the source is the batch's own intermediate
 * table, which holds only this batch's rows, already reduced to the latest row per key (upsert) or
 * to the rows from each key's latest tombstone on (delete only) by the task. WePay selects them with
 * a subquery (ARRAY_AGG(... ORDER BY i DESC LIMIT 1)[OFFSET(0)] ... WHERE batchNumber=N); the local
 * emulator accepts only a table as a MERGE source, and the result is the same.
 */
export function mergeFlushQuery(o: MergeOptions): string {
  const valueColumns = (o.intermediateFields.find((f) => f.name === VALUE)?.fields ?? []).map((f) => f.name);
  const ptColumn = o.insertPartitionTime ? '_PARTITIONTIME, ' : '';
  const ptValue = o.insertPartitionTime ? `CAST(CAST(DATE(src.${PARTITION_TIME}) AS DATE) AS TIMESTAMP), ` : '';
  const insert = `INSERT (\`${o.keyField}\`, ${ptColumn}\`${valueColumns.join('`, `')}\`) `
    + `VALUES (src.${KEY}, ${ptValue}${valueColumns.map((c) => `src.${VALUE}.${c}`).join(', ')})`;
  const update = `UPDATE SET ${valueColumns.map((c) => `${DST}.\`${c}\`=src.${VALUE}.${c}`).join(', ')}`;
  const source = `${table(o.intermediate)} src`;

  if (o.upsert && o.delete) {
    return `MERGE ${table(o.destination)} ${DST} USING ${source} `
      + `ON ${DST}.${o.keyField}=src.${KEY} `
      + `WHEN MATCHED AND src.${VALUE} IS NOT NULL THEN ${update} `
      + `WHEN MATCHED AND src.${VALUE} IS NULL THEN DELETE `
      + `WHEN NOT MATCHED AND src.${VALUE} IS NOT NULL THEN ${insert};`;
  }
  if (o.upsert) {
    return `MERGE ${table(o.destination)} ${DST} USING ${source} `
      + `ON ${DST}.${o.keyField}=src.${KEY} `
      + `WHEN MATCHED THEN ${update} `
      + `WHEN NOT MATCHED THEN ${insert};`;
  }
  // Delete only: tombstones delete the key's rows, the values after them are inserted.
  return `MERGE ${table(o.destination)} ${DST} USING ${source} `
    + `ON ${DST}.${o.keyField}=src.${KEY} AND src.${VALUE} IS NULL `
    + `WHEN MATCHED THEN DELETE `
    + `WHEN NOT MATCHED AND src.${VALUE} IS NOT NULL THEN ${insert};`;
}

/**
 * The rows of one batch a MERGE may take (MergeQueries' selection, done before the insert):
 * upsert: the latest row per key; delete only: per key, the rows from its latest tombstone on.
 */
export function batchRows<T extends { key: string; value: unknown }>(rows: T[], upsert: boolean): T[] {
  if (upsert) {
    const last = new Map<string, T>();
    for (const r of rows) {
      last.delete(r.key);
      last.set(r.key, r);
    }
    return [...last.values()];
  }
  const tombstone = new Map<string, number>();
  rows.forEach((r, i) => { if (r.value === null) tombstone.set(r.key, i); });
  return rows.filter((r, i) => (tombstone.get(r.key) ?? -1) <= i);
}
