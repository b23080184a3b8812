import { open } from 'node:fs/promises';
import { RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { SinkTask } from '../types.js';
import { checkFileAllowed } from './allowed-paths.js';

// Kafka Connect's FileStreamSinkTask: each record's value on its own line, appended to the file.
// Appending is not idempotent: records redelivered after a failover are written again.

/** Java's println(value) for what converters produce: text as is, bytes as UTF-8, the rest as JSON. */
function lineOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

export async function startFileSinkTask(file: string): Promise<SinkTask> {
  const real = checkFileAllowed(file);
  let handle;
  try {
    handle = await open(real, 'a');
  } catch (e) {
    throw new RetriableError(`cannot open ${file} for appending: ${(e as Error).message}`, { cause: e });
  }
  const fh = handle;
  return {
    async put(records: SinkRecord[]) {
      if (records.length === 0) return { failed: [] };
      const text = records.map((r) => lineOf(r.value) + '\n').join('');
      try {
        await fh.appendFile(text, 'utf8');
      } catch (e) {
        throw new RetriableError(`cannot write ${file}: ${(e as Error).message}`, { cause: e });
      }
      return { failed: [] };
    },
    async flush() {
      await fh.datasync();
    },
    async close() {
      await fh.close().catch(() => undefined);
    },
  };
}
