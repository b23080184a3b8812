import type { BqField } from './schema.js';
import type { TableRef } from './table-name.js';

/**
 * Upserts and deletes as WePay's MergeQueries runs them: rows go to an intermediate table
 * (key RECORD, value RECORD or NULL for a tombstone, iteration i, partitionTime, batchNumber),
 * then one MERGE per batch keeps the latest row per key and updates, inserts or deletes in the
 * destination table, whose kafkaKeyFieldName RECORD holds the key.
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

function listFields(fields: BqField[], prefix: string): string[] {
  return fields.flatMap((f) => (f.fields && f.fields.length > 0 ? listFields(f.fields, `${prefix}${f.name}.`) : [`${prefix}${f.name}`]));
}

/** MergeQueries.mergeFlushQuery: the MERGE for upsert, delete, or both. */
export function mergeFlushQuery(o: MergeOptions): string {
  const keyFields = listFields(o.intermediateFields.find((f) => f.name === KEY)?.fields ?? [], `${KEY}.`);
  const valueColumns = (o.intermediateFields.find((f) => f.name === VALUE)?.fields ?? []).map((f) => f.name);
  const ptColumn = o.insertPartitionTime ? '_PARTITIONTIME, ' : '';
  const ptValue = o.insertPartitionTime ? `CAST(CAST(DATE(src.${PARTITION_TIME}) AS DATE) AS TIMESTAMP), ` : '';
  const insert = `INSERT (\`${o.keyField}\`, ${ptColumn}\`${valueColumns.join('`, `')}\`) `
    + `VALUES (src.${KEY}, ${ptValue}${valueColumns.map((c) => `src.${VALUE}.${c}`).join(', ')})`;
  const update = `UPDATE SET ${valueColumns.map((c) => `${DST}.\`${c}\`=src.${VALUE}.${c}`).join(', ')}`;
  const latest = `SELECT * FROM (SELECT ARRAY_AGG(x ORDER BY ${ITERATION} DESC LIMIT 1)[OFFSET(0)] src `
    + `FROM ${table(o.intermediate)} x WHERE ${BATCH_NUMBER}=${o.batchNumber} GROUP BY ${keyFields.join(', ')})`;

  if (o.upsert && o.delete) {
    return `MERGE ${table(o.destination)} ${DST} USING (${latest}) `
      + `ON ${DST}.${o.keyField}=src.${KEY} `
      + `WHEN MATCHED AND src.${VALUE} IS NOT NULL THEN ${update} `
      + `WHEN MATCHED AND src.${VALUE} IS NULL THEN DELETE `
      + `WHEN NOT MATCHED AND src.${VALUE} IS NOT NULL THEN ${insert};`;
  }
  if (o.upsert) {
    return `MERGE ${table(o.destination)} ${DST} USING (${latest}) `
      + `ON ${DST}.${o.keyField}=src.${KEY} `
      + `WHEN MATCHED THEN ${update} `
      + `WHEN NOT MATCHED THEN ${insert};`;
  }
  // Delete only: rows of a key up to its latest tombstone are dropped, the rest inserted.
  const batch = `SELECT * FROM ${table(o.intermediate)} WHERE ${BATCH_NUMBER}=${o.batchNumber}`;
  return `MERGE ${table(o.destination)} `
    + `USING (SELECT batch.${KEY} AS ${KEY}, ${o.insertPartitionTime ? `${PARTITION_TIME}, ` : ''}${VALUE} `
    + `FROM (SELECT src.${ITERATION}, src.${KEY} FROM (SELECT ARRAY_AGG(x ORDER BY ${ITERATION} DESC LIMIT 1)[OFFSET(0)] src `
    + `FROM (${batch}) x WHERE x.${VALUE} IS NULL GROUP BY ${keyFields.join(', ')})) AS deletes `
    + `RIGHT JOIN (${batch}) AS batch USING (${KEY}) `
    + `WHERE deletes.${ITERATION} IS NULL OR batch.${ITERATION} >= deletes.${ITERATION} `
    + `ORDER BY batch.${ITERATION} ASC) AS src `
    + `ON \`${o.destination.table}\`.${o.keyField}=src.${KEY} AND src.${VALUE} IS NULL `
    + `WHEN MATCHED THEN DELETE `
    + `WHEN NOT MATCHED AND src.${VALUE} IS NOT NULL THEN ${insert};`;
}

/**
 * MergeQueries.batchClearQuery: drops merged batches from the intermediate table. Rows still in
 * BigQuery's streaming buffer cannot be deleted; _PARTITIONTIME IS NOT NULL skips them, and a
 * later batch's clear takes them.
 */
export function batchClearQuery(intermediate: TableRef, batchNumber: number): string {
  return `DELETE FROM ${table(intermediate)} WHERE ${BATCH_NUMBER} <= ${batchNumber} AND _PARTITIONTIME IS NOT NULL;`;
}
