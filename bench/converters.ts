// Converter cost per record: the schema registry converters (Avro, Protobuf, JSON Schema) beside
// Connect's JsonConverter (the baseline, schemas.enable=true as Connect's default), on the same
// Connect records in one process. Each run serializes then deserializes every record with each
// converter, in rotating order; the figures are medians over the runs. The registry is called
// only for the first record of each converter (then ids and readers come from cache), so this
// measures the steady state; the registry's latency is not part of it.
//
//   npx tsx bench/converters.ts [--records 50000] [--runs 5]
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConverter } from '../src/converters/registry.js';
import { isPromise, type Converter } from '../src/converters/types.js';
import { Schemas, Struct } from '../src/records/schema.js';
import { fileStamp, median, RESULTS_DIR, round } from './lib/common.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const RECORDS = flag('records', 50_000);
const RUNS = flag('runs', 5);

const url = process.env.SCHEMA_REGISTRY_URL;
if (!url) {
  console.error('SCHEMA_REGISTRY_URL is not set: eval "$(npm run --silent stack -- env)" after npm run stack -- up registry');
  process.exit(2);
}

// The shape of the source benchmark's rows (bench/source-jdbc.ts) without its DECIMAL, which the
// ProtobufConverter does not map yet: every converter gets the very same records.
const schema = Schemas.struct([
  ['id', Schemas.int64()], ['customer', Schemas.string()], ['email', Schemas.string()], ['city', Schemas.string()],
  ['qty', Schemas.int32()], ['note', Schemas.string({ optional: true })], ['created_at', Schemas.timestamp()],
], { name: 'bench.Order' });
const records = Array.from({ length: RECORDS }, (_, i) => new Struct(schema, {
  id: i + 1, customer: `customer-${i % 977}`, email: `user${i}@example.com`, city: ['Lyon', 'Porto', 'Graz', 'Turku'][i % 4],
  qty: i % 50, note: i % 50 === 0 ? null : 'x'.repeat(80), created_at: new Date(1_700_000_000_000 + i * 1000),
}));

const CONVERTERS: Array<[string, Record<string, string>]> = [
  ['org.apache.kafka.connect.json.JsonConverter', {}],
  ['io.confluent.connect.avro.AvroConverter', { 'schema.registry.url': url }],
  ['io.confluent.connect.protobuf.ProtobufConverter', { 'schema.registry.url': url }],
  ['io.confluent.connect.json.JsonSchemaConverter', { 'schema.registry.url': url }],
];
const topic = `bench-conv-${Date.now().toString(36)}`;

async function once(c: Converter): Promise<{ serUs: number; deUs: number; bytes: number }> {
  const out: Buffer[] = new Array(records.length);
  let t0 = performance.now();
  for (let i = 0; i < records.length; i++) {
    let b = c.fromConnectData(topic, schema, records[i]);
    if (isPromise(b)) b = await b;
    out[i] = b!;
  }
  const ser = performance.now() - t0;
  t0 = performance.now();
  for (const b of out) {
    const v = c.toConnectData(topic, b);
    if (isPromise(v)) await v;
  }
  const de = performance.now() - t0;
  const bytes = out.reduce((n, b) => n + b.length, 0);
  return { serUs: (ser * 1000) / records.length, deUs: (de * 1000) / records.length, bytes: bytes / records.length };
}

const instances = CONVERTERS.map(([cls, cfg]) => ({ cls, c: createConverter(cls, cfg, false) }));
// Warm-up: registers the schemas, fills the caches, lets the JIT settle.
for (const { c } of instances) for (let i = 0; i < 2; i++) await once(c);

const samples = new Map<string, Array<{ serUs: number; deUs: number; bytes: number }>>(instances.map((x) => [x.cls, []]));
for (let r = 0; r < RUNS; r++) {
  const order = instances.map((_, i) => instances[(i + r) % instances.length]!);
  for (const { cls, c } of order) samples.get(cls)!.push(await once(c));
}

const baseline = samples.get(CONVERTERS[0]![0])!;
const baseSer = median(baseline.map((s) => s.serUs));
const baseDe = median(baseline.map((s) => s.deUs));
const rows = [...samples].map(([cls, s]) => {
  const ser = median(s.map((x) => x.serUs));
  const de = median(s.map((x) => x.deUs));
  return {
    converter: cls.slice(cls.lastIndexOf('.') + 1),
    serializeUsPerRecord: round(ser, 2), deserializeUsPerRecord: round(de, 2), bytesPerRecord: round(median(s.map((x) => x.bytes)), 1),
    serializeVsJson: round(ser / baseSer, 2), deserializeVsJson: round(de / baseDe, 2),
  };
});
console.table(rows);
const load = os.loadavg();
console.log(`${RECORDS} records x ${RUNS} runs, medians; load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs (a shared machine: other jobs ran beside this one)`);
mkdirSync(RESULTS_DIR, { recursive: true });
const file = path.join(RESULTS_DIR, `converters-${fileStamp()}.json`);
writeFileSync(file, `${JSON.stringify({ records: RECORDS, runs: RUNS, loadAverage: load, cpus: os.cpus().length, node: process.version, rows }, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
