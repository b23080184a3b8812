import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigOf } from '../../config/define.js';
import { DataError, RetriableError } from '../../errors.js';
import { isValidTopicName } from '../../kafka/topic-name.js';
import type { SinkRecord } from '../../records/record.js';
import { Struct } from '../../records/schema.js';
import { documentJson } from '../elasticsearch-sink/document.js';
import { checkFileAllowed } from '../file-stream/allowed-paths.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import type { rotatingFileConfig } from './index.js';

type RotatingFileConfig = ConfigOf<typeof rotatingFileConfig.keys>;

// A file being written is <name>.tmp; it gets its final name when rotated or when the task closes.

interface OpenFile {
  handle: FileHandle;
  final: string;
  records: number;
  bytes: number;
  openedAt: number;
}

function csvField(v: unknown, sep: string): string {
  const text = v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /["\r\n]/.test(text) || text.includes(sep) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A record's columns: a Struct's (or object's) fields in order, else the value alone. */
function columns(value: unknown): { names: string[]; values: unknown[] } {
  if (value instanceof Struct) {
    const names = (value.schema.fields ?? []).map((f) => f.name);
    return { names, values: names.map((n) => value.get(n)) };
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    return { names: Object.keys(value), values: Object.values(value) };
  }
  return { names: ['value'], values: [value] };
}

export async function startRotatingFileTask(cfg: RotatingFileConfig, ctx: SinkTaskContext): Promise<SinkTask> {
  const dir = checkFileAllowed(cfg['output.path'], 'output.path', true);
  await mkdir(dir, { recursive: true }).catch((e: Error) => {
    throw new RetriableError(`cannot create ${dir}: ${e.message}`, { cause: e });
  });
  const sep = String.fromCharCode(cfg['csv.separator.char']);
  const ext = cfg.format === 'csv' ? 'csv' : 'jsonl';
  const files = new Map<string, OpenFile>();

  const finalize = async (key: string) => {
    const f = files.get(key);
    if (!f) return;
    files.delete(key);
    await f.handle.datasync();
    await f.handle.close();
    await rename(`${f.final}.tmp`, f.final);
    ctx.logger.info({ file: path.basename(f.final), records: f.records }, 'file rotated');
  };

  const due = (f: OpenFile) => (cfg['flush.size'] > 0 && f.records >= cfg['flush.size'])
    || (cfg['rotate.size.bytes'] > 0 && f.bytes >= cfg['rotate.size.bytes'])
    || (cfg['rotate.interval.ms'] > 0 && Date.now() - f.openedAt >= cfg['rotate.interval.ms']);

  const line = (r: SinkRecord, header: boolean): string => {
    if (cfg.format === 'json') return (r.valueJson ?? documentJson(r.value, r.valueSchema, { compactMapEntries: true })) + '\n';
    const { names, values } = columns(r.value);
    const row = values.map((v) => csvField(v, sep)).join(sep) + '\n';
    return header ? names.map((n) => csvField(n, sep)).join(sep) + '\n' + row : row;
  };

  const write = async (r: SinkRecord) => {
    // The topic (after transforms) names the file: a RegexRouter must not steer it out of output.path.
    if (!isValidTopicName(r.topic)) throw new DataError(`Topic ${r.topic} is not a valid Kafka topic name, so it cannot name a file in output.path`, 'TASK_PUT');
    // Files by the record's original position, so a topic-renaming transform keeps one series per partition.
    const key = `${r.topic}+${r.originalKafkaPartition}`;
    let f = files.get(key);
    const text = line(r, !f && cfg.format === 'csv' && cfg['csv.first.row.as.header']);
    if (!f) {
      const final = path.join(dir, `${r.topic}+${r.originalKafkaPartition}+${r.originalKafkaOffset}.${ext}`);
      f = { handle: await open(`${final}.tmp`, 'w'), final, records: 0, bytes: 0, openedAt: Date.now() };
      files.set(key, f);
    }
    await f.handle.appendFile(text, 'utf8');
    f.records++;
    f.bytes += Buffer.byteLength(text);
    if (due(f)) await finalize(key);
  };

  const io = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new RetriableError(`writing to ${dir} failed: ${(e as Error).message}`, { cause: e });
    }
  };

  return {
    async put(records): Promise<PutResult> {
      const failed: PutResult['failed'] = [];
      for (let i = 0; i < records.length; i++) {
        try {
          await io(() => write(records[i]));
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          failed.push({ index: i, error: e });
        }
      }
      await io(async () => {
        for (const [key, f] of [...files]) if (due(f)) await finalize(key);
      });
      return { failed };
    },
    async flush() {
      await io(async () => {
        for (const [key, f] of [...files]) {
          if (due(f)) await finalize(key);
          else await f.handle.datasync();
        }
      });
    },
    async close() {
      await io(async () => {
        for (const key of [...files.keys()]) await finalize(key);
      });
    },
  };
}
