import { open, type FileHandle } from 'node:fs/promises';
import { RetriableError } from '../../errors.js';
import { Schemas } from '../../records/schema.js';
import type { SourceRecord } from '../../records/record.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import { checkFileAllowed } from './allowed-paths.js';

// Kafka Connect's FileStreamSourceTask: one line of the file per record (a STRING value, no key),
// source partition {"filename": <file as configured>}, offset {"position": <byte after the line>}.

export interface FileSourceSettings {
  file: string;
  topic: string;
  batchSize: number;
}

const NL = 0x0a;
const CR = 0x0d;
const CHUNK = 64 * 1024;
const VALUE_SCHEMA = Schemas.string();

export async function startFileSourceTask(s: FileSourceSettings, ctx: SourceTaskContext): Promise<SourceTask> {
  const real = checkFileAllowed(s.file);
  const partition = { filename: s.file };
  const committed = ctx.offsetFor(partition)?.position;
  let position = typeof committed === 'number' ? committed : Number(committed ?? 0) || 0;
  let handle: FileHandle | undefined;
  let pending = Buffer.alloc(0);
  let warned = false;

  const openFile = async (): Promise<FileHandle | undefined> => {
    if (handle) return handle;
    try {
      handle = await open(real, 'r');
      pending = Buffer.alloc(0);
      if (position > 0) ctx.logger.info({ file: s.file, position }, 'resuming the file at its committed position');
      return handle;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // As Connect: a file that does not exist yet is waited for, not an error.
      if (code === 'ENOENT') {
        if (!warned) ctx.logger.warn({ file: s.file }, 'file not found; waiting for it to be created');
        warned = true;
        return undefined;
      }
      throw new RetriableError(`cannot open ${s.file}: ${(e as Error).message}`, { cause: e });
    }
  };

  /** Lines from `pending`, each with the position just after its terminator. */
  const takeLines = (max: number, out: SourceRecord[]) => {
    let start = 0;
    for (let i = 0; i < pending.length && out.length < max; i++) {
      const b = pending[i];
      if (b !== NL && b !== CR) continue;
      // A CR at the end of what was read may be half of CRLF: wait for the next byte.
      if (b === CR && i + 1 === pending.length) break;
      const end = b === CR && pending[i + 1] === NL ? i + 2 : i + 1;
      const line = pending.subarray(start, i).toString('utf8');
      position += end - start;
      out.push({ topic: s.topic, key: null, keySchema: null, value: line, valueSchema: VALUE_SCHEMA, headers: [], sourcePartition: partition, sourceOffset: { position } });
      start = end;
      i = end - 1;
    }
    pending = pending.subarray(start);
  };

  let scratch: Buffer | undefined;
  return {
    async poll(maxRecords, signal) {
      const fh = await openFile();
      if (!fh) return [];
      const max = Math.min(maxRecords, s.batchSize);
      const out: SourceRecord[] = [];
      takeLines(max, out);
      while (out.length < max && !signal.aborted) {
        // One read buffer per task: an idle task polls often and mostly reads nothing (concat copies what it read).
        const buf = (scratch ??= Buffer.allocUnsafe(CHUNK));
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, CHUNK, position + pending.length));
        } catch (e) {
          throw new RetriableError(`cannot read ${s.file}: ${(e as Error).message}`, { cause: e });
        }
        if (n === 0) break;
        pending = Buffer.concat([pending, buf.subarray(0, n)]);
        takeLines(max, out);
      }
      return out;
    },
    async close() {
      const fh = handle;
      handle = undefined;
      await fh?.close();
    },
  };
}
