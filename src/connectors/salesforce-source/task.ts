import { ConfigError } from '../../errors.js';
import type { SourceRecord } from '../../records/record.js';
import { Schemas, type Schema } from '../../records/schema.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import { SalesforceClient } from './client.js';
import type { SalesforceSourceConfig } from './config.js';
import { toStruct, valueSchema, type DescribeField } from './schema.js';

// Reads each SObject by LastModifiedDate through the REST query resource:
//   SELECT <fields> FROM <object> WHERE LastModifiedDate > <ts> OR (LastModifiedDate = <ts> AND Id > '<id>')
//   ORDER BY LastModifiedDate ASC, Id ASC LIMIT <batch.max.rows>
// following nextRecordsUrl for the pages of one query. The offset of every record is its own
// (LastModifiedDate, Id), so a task that restarts anywhere, even inside a page, continues with the
// record after the last committed one: none twice, none skipped. Records modified at the same
// second are ordered by Id. Deleted records are not seen (the query resource omits them). Values are
// Structs typed by the object's describe (schema.ts).

const SCHEMA_KEY = Schemas.string();

interface QueryResult {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown> & { Id?: string; LastModifiedDate?: string }>;
}

interface Describe {
  fields: DescribeField[];
}

export interface Position {
  LastModifiedDate: string;
  Id: string;
}

interface ObjectState {
  object: string;
  topic: string;
  fields?: string[];
  schema?: Schema;
  /** The last record handed out (or the committed offset at start). */
  position: Position | null;
  buffer: QueryResult['records'];
  nextRecordsUrl?: string;
  /** The last query may have more rows than its LIMIT let through: query again at once. */
  more: boolean;
  nextDue: number;
}

/** A Salesforce dateTime (2024-05-06T10:00:00.000+0000) as a SOQL dateTime literal in UTC (2024-05-06T10:00:00Z). */
export function soqlDateTime(value: string): string {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new ConfigError(`Salesforce returned a LastModifiedDate that is not a dateTime: ${value}`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildQuery(object: string, fields: string[], position: Position | null, limit: number): string {
  const select = `SELECT ${fields.join(', ')} FROM ${object}`;
  const order = `ORDER BY LastModifiedDate ASC, Id ASC LIMIT ${limit}`;
  if (!position) return `${select} ${order}`;
  const ts = position.LastModifiedDate;
  return `${select} WHERE LastModifiedDate > ${ts} OR (LastModifiedDate = ${ts} AND Id > '${position.Id.replace(/[^A-Za-z0-9]/g, '')}') ${order}`;
}

export async function startSalesforceTask(cfg: SalesforceSourceConfig, ctx: SourceTaskContext): Promise<SourceTask> {
  const client = new SalesforceClient(cfg);
  const api = `/services/data/v${cfg['salesforce.version']}`;
  const startedAt = soqlDateTime(new Date().toISOString());
  const objects = cfg['task.objects'].length ? cfg['task.objects'] : cfg['salesforce.object'];
  const states: ObjectState[] = objects.map((object) => {
    const stored = ctx.offsetFor({ object }) as Partial<Position> | null;
    const position = stored?.LastModifiedDate && typeof stored.Id === 'string'
      ? { LastModifiedDate: stored.LastModifiedDate, Id: stored.Id }
      : cfg['salesforce.initial.start'] === 'latest' ? { LastModifiedDate: startedAt, Id: '' } : null;
    return { object, topic: cfg['kafka.topic'].replaceAll('${object}', object), position, buffer: [], more: false, nextDue: 0 };
  });
  ctx.logger.info({ objects, positions: states.map((s) => s.position) }, 'Salesforce source task started');

  const fieldsOf = async (s: ObjectState, signal: AbortSignal): Promise<string[]> => {
    if (s.fields) return s.fields;
    const d = await client.get<Describe>(`${api}/sobjects/${s.object}/describe`, signal, `describe of ${s.object}`);
    // Unlisted, an object's compound address and location fields are left out: their parts (BillingCity, ...) are fields of their own.
    const names = cfg['salesforce.fields'].length ? cfg['salesforce.fields'] : d.fields.filter((f) => f.type !== 'address' && f.type !== 'location').map((f) => f.name);
    s.fields = [...new Set(['Id', 'LastModifiedDate', ...names])];
    s.schema = valueSchema(s.object, s.fields, d.fields);
    return s.fields;
  };

  /** Fills an object's buffer from its open cursor or a new query, when one is due. */
  const fill = async (s: ObjectState, signal: AbortSignal): Promise<void> => {
    let page: QueryResult;
    if (s.nextRecordsUrl) {
      try {
        page = await client.get<QueryResult>(s.nextRecordsUrl, signal, `queryMore of ${s.object}`);
      } catch (e) {
        // A cursor expires (15 minutes unused): query again from the last record handed out.
        if (!(e instanceof ConfigError && e.message.includes('INVALID_QUERY_LOCATOR'))) throw e;
        ctx.logger.warn({ object: s.object }, 'the query cursor expired; querying again from the last record read');
        s.nextRecordsUrl = undefined;
        s.more = true;
        return;
      }
    } else {
      if (!s.more && Date.now() < s.nextDue) return;
      const soql = buildQuery(s.object, await fieldsOf(s, signal), s.position, cfg['batch.max.rows']);
      page = await client.get<QueryResult>(`${api}/query?q=${encodeURIComponent(soql)}`, signal, `query of ${s.object}`);
      s.more = page.totalSize >= cfg['batch.max.rows'];
      s.nextDue = Date.now() + cfg['poll.interval.ms'];
    }
    s.buffer.push(...page.records);
    s.nextRecordsUrl = page.done ? undefined : page.nextRecordsUrl;
  };

  const toRecord = (s: ObjectState, row: QueryResult['records'][number]): SourceRecord => {
    if (typeof row.Id !== 'string' || typeof row.LastModifiedDate !== 'string') throw new ConfigError(`Salesforce returned a ${s.object} record without Id or LastModifiedDate`);
    s.position = { LastModifiedDate: soqlDateTime(row.LastModifiedDate), Id: row.Id };
    return { topic: s.topic, key: row.Id, keySchema: SCHEMA_KEY, value: toStruct(s.schema!, row), valueSchema: s.schema!, headers: [], sourcePartition: { object: s.object }, sourceOffset: { ...s.position } };
  };

  return {
    async poll(maxRecords, signal) {
      const out: SourceRecord[] = [];
      for (const s of states) {
        if (signal.aborted || out.length >= maxRecords) break;
        if (!s.buffer.length) {
          if (!s.nextRecordsUrl && s.more === false && Date.now() < s.nextDue) continue;
          await fill(s, signal);
          if (!s.buffer.length) s.more = false;
        }
        while (s.buffer.length && out.length < maxRecords) out.push(toRecord(s, s.buffer.shift()!));
      }
      return out;
    },
    async close() {},
  };
}
