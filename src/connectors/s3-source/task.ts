import { gunzipSync } from 'node:zlib';
import type { ConfigOf } from '../../config/define.js';
import { ConfigError, RetriableError } from '../../errors.js';
import type { SourcePartition, SourceRecord } from '../../records/record.js';
import { Schemas } from '../../records/schema.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { connectFromAvro, readAvroFile } from '../storage/avro.js';
import { S3Store } from '../storage/stores/s3.js';
import { parseCsv } from '../spooldir-csv/csv.js';
import { generatedSchema, rowToStruct } from '../spooldir-csv/schema.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import type { s3SourceConfig } from './index.js';

type S3SourceConfig = ConfigOf<typeof s3SourceConfig.keys>;

/** One object to read: where its records go. */
interface Target {
  key: string;
  topic: string;
  /** RESTORE_BACKUP: the Kafka partition the file came from. */
  partition?: number;
  /** What orders and splits the objects: records of one stream are read in key order by one task. */
  stream: string;
}

interface Loaded {
  target: Target;
  records: Array<Omit<SourceRecord, 'sourcePartition' | 'sourceOffset'>>;
}

/** The Java String.hashCode of a string, for a split that does not change between runs. */
function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function startS3SourceTask(cfg: S3SourceConfig, ctx: SourceTaskContext): Promise<SourceTask> {
  const store = new S3Store(cfg, ctx.logger);
  try {
    await store.check();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const bucket = cfg['s3.bucket.name'];
  const dirDelim = cfg['directory.delim'] ?? '/';
  const topicsDir = cfg['topics.dir'] ?? '';
  const prefix = topicsDir ? topicsDir + dirDelim : '';
  const format = cfg['format.class'].replace(/.*\./, '');
  const fileDelim = escapeRe(cfg['file.delim'] ?? '+');
  // <topic>+<partition>+<offset>.<ext>; keys and headers files beside it are not records.
  const sinkFile = new RegExp(`^(.+)${fileDelim}(\\d+)${fileDelim}(\\d+)(\\.(?!keys\\.|headers\\.)[^/]*)$`);
  const routes = cfg['topic.regex.list'].map((pair) => {
    const i = pair.indexOf(':');
    return { topic: pair.slice(0, i), re: compileJavaRegex(pair.slice(i + 1), true, 'topic.regex.list') };
  });
  const separator = Buffer.from(cfg['format.bytearray.separator'] ?? '\n');
  const partitionOf = (key: string): SourcePartition => ({ bucket, object: key });

  /** Which topic (and partition) an object's records go to, or undefined when none. */
  const targetOf = (key: string): Target | undefined => {
    if (cfg.mode === 'RESTORE_BACKUP') {
      const name = key.slice(key.lastIndexOf(dirDelim) + dirDelim.length);
      const m = sinkFile.exec(name);
      if (!m) return undefined;
      const dir = key.slice(0, key.length - name.length);
      return { key, topic: m[1], partition: Number(m[2]), stream: dir + m[1] + '+' + m[2] };
    }
    const route = routes.find((r) => r.re.test(key));
    return route ? { key, topic: route.topic, stream: key } : undefined;
  };

  /** Objects done (read to the end) in this task's life or by its offsets. */
  const done = new Set<string>();
  let queue: Target[] = [];
  let nextList = 0;
  let current: (Loaded & { position: number }) | undefined;

  const decode = (t: Target, raw: Uint8Array): Loaded['records'] => {
    const body = t.key.endsWith('.gz') ? gunzipSync(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const base = { topic: t.topic, kafkaPartition: t.partition ?? null, key: null, headers: [] };
    switch (format) {
      case 'JsonFormat':
        return body.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((line) => ({ ...base, value: JSON.parse(line) as unknown, valueSchema: null }));
      case 'ByteArrayFormat': {
        const out: Loaded['records'] = [];
        let at = 0;
        for (let i = body.indexOf(separator); i !== -1; i = body.indexOf(separator, at)) {
          out.push({ ...base, value: Buffer.from(body.subarray(at, i)), valueSchema: Schemas.bytes({ optional: true }) });
          at = i + separator.length;
        }
        if (at < body.length) out.push({ ...base, value: Buffer.from(body.subarray(at)), valueSchema: Schemas.bytes({ optional: true }) });
        return out;
      }
      case 'AvroFormat': {
        const file = readAvroFile(body);
        const c = connectFromAvro(file.schema);
        return file.values.map((v) => ({ ...base, value: c.value(v), valueSchema: c.schema }));
      }
      case 'CsvFormat': {
        const rows = parseCsv(body.toString('utf8'));
        if (rows.length === 0) return [];
        const [header, ...data] = rows;
        const schema = generatedSchema(header);
        return data.map((row) => ({ ...base, value: rowToStruct(header, row, schema), valueSchema: schema }));
      }
      default:
        throw new ConfigError(`unsupported format.class ${cfg['format.class']}`, [{ key: 'format.class', message: 'unsupported' }]);
    }
  };

  /** Lists the bucket: the objects of this task's share not yet done, streams in key order. */
  const list = async (signal: AbortSignal) => {
    const found: Target[] = [];
    for await (const o of store.list(prefix, signal)) {
      if (done.has(o.key)) continue;
      const t = targetOf(o.key);
      if (!t || hash(t.stream) % cfg['task.count'] !== cfg['task.index']) continue;
      const offset = ctx.offsetFor(partitionOf(o.key));
      if (offset?.completed === true) {
        done.add(o.key);
        continue;
      }
      found.push(t);
    }
    // Keys of one stream sort by their zero-padded offsets; listings come in key order already.
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    queue = found;
  };

  const load = async (t: Target, signal: AbortSignal): Promise<Loaded | undefined> => {
    const raw = await store.get(t.key, signal);
    if (raw === undefined) return undefined;
    try {
      return { target: t, records: decode(t, raw) };
    } catch (e) {
      if (e instanceof ConfigError || e instanceof RetriableError) throw e;
      const message = `cannot read s3://${bucket}/${t.key} as ${format}: ${(e as Error).message}`;
      if (cfg['behavior.on.error'] === 'ignore') {
        ctx.logger.warn({ object: t.key, error: (e as Error).message }, 'object skipped (behavior.on.error=ignore)');
        return { target: t, records: [] };
      }
      throw new ConfigError(`${message} (set behavior.on.error=ignore to skip such objects)`, [{ key: 'format.class', message }]);
    }
  };

  return {
    async poll(maxRecords, signal) {
      const max = Math.min(maxRecords, cfg['record.batch.max.size']);
      const out: SourceRecord[] = [];
      while (out.length < max && !signal.aborted) {
        if (!current) {
          if (queue.length === 0) {
            if (Date.now() < nextList) break;
            await list(signal);
            nextList = Date.now() + cfg['s3.poll.interval.ms'];
            if (queue.length === 0) break;
          }
          const t = queue.shift()!;
          const loaded = await load(t, signal);
          if (!loaded) continue;
          const stored = ctx.offsetFor(partitionOf(t.key));
          const position = typeof stored?.position === 'number' ? stored.position : 0;
          if (position >= loaded.records.length) {
            done.add(t.key);
            continue;
          }
          current = { ...loaded, position };
        }
        const c = current;
        while (out.length < max && c.position < c.records.length) {
          const r = c.records[c.position];
          c.position++;
          out.push({ ...r, sourcePartition: partitionOf(c.target.key), sourceOffset: { position: c.position, completed: c.position === c.records.length } });
        }
        if (c.position >= c.records.length) {
          done.add(c.target.key);
          current = undefined;
        }
      }
      return out;
    },
    async close() {
      await store.close();
    },
  };
}
