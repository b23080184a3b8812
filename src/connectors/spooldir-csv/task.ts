import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigOf } from '../../config/define.js';
import { ConfigError, RetriableError } from '../../errors.js';
import type { SourceRecord } from '../../records/record.js';
import type { Schema } from '../../records/schema.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { checkFileAllowed } from '../file-stream/allowed-paths.js';
import { parseCsv } from './csv.js';
import type { spoolDirConfig } from './index.js';
import { generatedSchema, parseDeclaredSchema, rowToStruct } from './schema.js';

type SpoolDirConfig = ConfigOf<typeof spoolDirConfig.keys>;

// One file at a time, in name order. Offsets as spooldir: partition {"fileName": <name>}, offset
// {"offset": <records of the file already in Kafka>}. A file is moved (or deleted) only once the
// runtime committed its last record, so a crash before that re-reads it from its offset.

interface OpenFile {
  name: string;
  records: SourceRecord[];
  /** Index of the next record to hand out. */
  next: number;
}

export async function startSpoolDirTask(cfg: SpoolDirConfig, ctx: SourceTaskContext): Promise<SourceTask> {
  const input = checkFileAllowed(cfg['input.path'], 'input.path', true);
  const errorDir = checkFileAllowed(cfg['error.path'], 'error.path', true);
  const finishedDir = cfg['finished.path'] ? checkFileAllowed(cfg['finished.path'], 'finished.path', true) : undefined;
  // Whole-name match in linear time: a user's pattern must not stall the worker.
  const pattern = compileJavaRegex(cfg['input.file.pattern'], true, 'input.file.pattern');
  const declared: Schema | undefined = cfg['value.schema'] ? parseDeclaredSchema(cfg['value.schema']) : undefined;
  const sep = String.fromCharCode(cfg['csv.separator.char']);
  let current: OpenFile | undefined;
  /** Files whose records were all handed out, waiting for their last offset's commit. */
  const draining = new Map<string, number>();
  const done = new Set<string>();

  const io = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw new RetriableError(`${what}: ${(e as Error).message}`, { cause: e });
    }
  };

  const finish = async (name: string) => {
    const from = path.join(input, name);
    if (cfg['cleanup.policy'] === 'DELETE') await io(`deleting ${from}`, () => rm(from, { force: true }));
    else if (cfg['cleanup.policy'] === 'MOVE') await io(`moving ${from}`, () => rename(from, path.join(finishedDir!, name)));
    done.add(name);
    ctx.logger.info({ file: name, policy: cfg['cleanup.policy'] }, 'file finished');
  };

  /** Parses a file into records; a file that cannot be parsed goes to error.path (or fails the task). */
  const open = async (name: string): Promise<OpenFile | undefined> => {
    const file = path.join(input, name);
    const text = await io(`reading ${file}`, () => readFile(file, 'utf8'));
    const partition = { fileName: name };
    let records: SourceRecord[];
    try {
      const rows = parseCsv(text, sep);
      const header = cfg['csv.first.row.as.header'] ? rows.shift() ?? [] : (rows[0] ?? []).map((_, i) => `column${String(i + 1).padStart(2, '0')}`);
      const schema = declared ?? generatedSchema(header);
      records = rows.map((row, i) => ({
        topic: cfg.topic, key: null, keySchema: null, value: rowToStruct(header, row, schema), valueSchema: schema, headers: [],
        sourcePartition: partition, sourceOffset: { offset: i + 1 },
      }));
    } catch (e) {
      const problem = `${file}: ${(e as Error).message}`;
      if (cfg['halt.on.error']) throw new ConfigError(`cannot parse ${problem} (halt.on.error=true; fix or remove the file, or set halt.on.error=false to move it to error.path)`, [{ key: 'input.path', message: problem }]);
      ctx.logger.error({ file: name }, `moving a file that cannot be parsed to error.path: ${(e as Error).message}`);
      await io(`moving ${file}`, () => rename(file, path.join(errorDir, name)));
      done.add(name);
      return undefined;
    }
    const stored = ctx.offsetFor(partition)?.offset;
    return { name, records, next: typeof stored === 'number' ? stored : 0 };
  };

  return {
    async poll(maxRecords, signal) {
      while (!signal.aborted) {
        if (!current) {
          const names = (await io(`listing ${input}`, () => readdir(input))).filter((n) => pattern.test(n) && !done.has(n) && !draining.has(n)).sort();
          if (names.length === 0) return [];
          current = await open(names[0]);
          // Every record already committed (a restart after the last commit, before the move).
          if (current && current.next >= current.records.length) {
            await finish(current.name);
            current = undefined;
          }
          continue;
        }
        const out = current.records.slice(current.next, current.next + Math.min(maxRecords, cfg['batch.size']));
        current.next += out.length;
        if (current.next >= current.records.length) {
          // All handed out: finished once the last offset is committed.
          draining.set(current.name, current.records.length);
          current = undefined;
        }
        if (out.length) return out;
      }
      return [];
    },
    async commit(committed) {
      for (const { partition, offset } of committed) {
        const name = String(partition.fileName);
        if (draining.get(name) === offset.offset) {
          draining.delete(name);
          await finish(name);
        }
      }
    },
    async close() {
      current = undefined;
    },
  };
}
