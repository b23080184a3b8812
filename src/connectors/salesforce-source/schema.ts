import { Schemas, Struct, type Schema } from '../../records/schema.js';

// An SObject's record as a Connect Struct whose schema comes from the object's describe, so
// schema-aware sinks (the JDBC sink creating its table, Avro) get typed columns: Id a required
// string, every other field optional; boolean, int (int32), long (int64), double/currency/percent
// (float64), date (Connect Date), datetime (Connect Timestamp), the rest strings (a compound
// address or location field as its JSON text). A value of an unexpected type is passed on as it
// is, and the value converter then refuses that record alone (dead-lettered under
// errors.tolerance=all).

export interface DescribeField {
  name: string;
  type: string;
}

function fieldSchema(type: string, required: boolean): Schema {
  const o = { optional: !required };
  switch (type) {
    case 'boolean': return Schemas.boolean(o);
    case 'int': return Schemas.int32(o);
    case 'long': return Schemas.int64(o);
    case 'double': case 'currency': case 'percent': return Schemas.float64(o);
    case 'date': return Schemas.date(o);
    case 'datetime': return Schemas.timestamp(o);
    default: return Schemas.string(o);
  }
}

export function valueSchema(object: string, fields: string[], described: DescribeField[]): Schema {
  const types = new Map(described.map((f) => [f.name, f.type]));
  return Schemas.struct(fields.map((f) => [f, fieldSchema(types.get(f) ?? 'string', f === 'Id')]), { name: `salesforce.${object}` });
}

function fieldValue(v: unknown, schema: Schema): unknown {
  if (v === null || v === undefined) return null;
  if (schema.name === 'org.apache.kafka.connect.data.Date' && typeof v === 'string') {
    const ms = Date.parse(`${v}T00:00:00Z`);
    return Number.isNaN(ms) ? v : new Date(ms);
  }
  if (schema.name === 'org.apache.kafka.connect.data.Timestamp' && typeof v === 'string') {
    const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(ms) ? v : new Date(ms);
  }
  if (schema.type === 'string' && typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function toStruct(schema: Schema, row: Record<string, unknown>): Struct {
  const s = new Struct(schema);
  for (const f of schema.fields ?? []) s.put(f.name, fieldValue(row[f.name], f.schema));
  return s;
}
