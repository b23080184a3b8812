import { DataError } from '../../errors.js';
import { sanitizeName } from './schema.js';

/** A BigQuery table in the connector's project. */
export interface TableRef {
  dataset: string;
  table: string;
}

export const tableKey = (t: TableRef) => `${t.dataset}.${t.table}`;

/**
 * BigQuerySinkTask.getRecordTable: the topic2TableMap entry for the topic; else a topic a transform
 * renamed to "<dataset>:<table>" names both; else the topic itself (sanitized with sanitizeTopics).
 */
export function tableFor(topic: string, defaultDataset: string, map: ReadonlyMap<string, string>, sanitize: boolean): TableRef {
  if (map.size > 0) return { dataset: defaultDataset, table: map.get(topic) ?? topic };
  const parts = topic.split(':');
  if (parts.length > 2) {
    throw new DataError(`Incorrect regex replacement format in topic name '${topic}'. SMT replacement should either produce the <dataset>:<tableName> format or just the <tableName> format.`, 'TASK_PUT');
  }
  const [dataset, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : [defaultDataset, parts[0]!];
  return { dataset, table: sanitize ? sanitizeName(table) : table };
}

/** The day partition decorator of an insert: table$yyyyMMdd of the UTC day (PartitionedTableId.setDayPartitionForNow). */
export function dayDecorator(table: string, now: Date): string {
  return `${table}$${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
}
