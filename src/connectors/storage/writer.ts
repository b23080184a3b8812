import { ConfigError, ConnectError, DataError, RetriableError } from '../../errors.js';
import { schemasEqual } from '../../converters/schema-util.js';
import { isValidTopicName } from '../../kafka/topic-name.js';
import type { SinkRecord } from '../../records/record.js';
import type { Schema } from '../../records/schema.js';
import type { PluginLogger } from '../types.js';
import { contentTypeOf, extensionOf, newFileWriter, type FileWriter, type FormatName, type FormatSettings, type View } from './formats.js';
import type { ObjectStore } from './object-store.js';
import type { Partitioner } from './partitioner.js';
import type { PathFormat } from './path-format.js';

// Confluent's TopicPartitionWriter: the open files of one Kafka partition, one per encoded
// partition, and when they are committed (uploaded). A file is named after the offset of its
// first record; all open files of the partition are committed together, when flush.size records
// are open, on record time (rotate.interval.ms), on the wall clock (rotate.schedule.interval.ms),
// or when a record's value schema differs from its file's. Only then does the partition's
// committable offset move, to the record after the last one written. A task restarted from that
// offset meets the same records in the same order and so writes the same files again under the
// same names: the store holds each record once.

export interface WriterSettings {
  topicsDir: string;
  directoryDelim: string;
  fileDelim: string;
  zeroPadWidth: number;
  flushSize: number;
  rotateIntervalMs: number;
  rotateScheduleIntervalMs: number;
  rotateOnPartitionChange: boolean;
  format: FormatName;
  keysFormat?: FormatName;
  headersFormat?: FormatName;
  formatSettings: FormatSettings;
  nullValues: 'ignore' | 'fail' | 'write';
  tombstonePartition: string;
}

interface OpenFile {
  /** The value file's key (the name the others derive from). */
  key: string;
  startOffset: number;
  records: number;
  schema: Schema | null | undefined;
  views: Array<{ view: View; format: FormatName; key: string; writer: FileWriter }>;
}

/** Commits of one Kafka partition whose uploads may be under way at once. */
const MAX_UPLOADS = 2;

export interface Committed {
  key: string;
  records: number;
}

export class TopicPartitionWriter {
  private readonly files = new Map<string, OpenFile>();
  /** Records in open files (Confluent's recordCount). */
  private recordCount = 0;
  private baseTimestamp?: number;
  private currentTimestamp?: number;
  private currentEncoded?: string;
  private currentOffset = -1;
  private nextScheduled = Number.MAX_SAFE_INTEGER;
  /**
   * Offsets where a stored object ends (the next offset after its last record), ascending: the
   * only places a restart may begin so that it writes the same objects again.
   */
  private readonly boundaries: number[] = [];
  /**
   * Commits whose objects are still going up, oldest first. Writing goes on meanwhile; the
   * committable offset moves only once a commit's uploads (and every earlier one's) are done.
   */
  private readonly uploads: Array<{ offset: number; done: Promise<void>; error?: unknown; settled: boolean }> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly s: WriterSettings,
    private readonly partitioner: Partitioner,
    private readonly store: ObjectStore,
    private readonly zone: PathFormat | undefined,
    private readonly logger: PluginLogger,
    now: number,
  ) {
    this.scheduleNext(now);
  }

  get openRecords(): number {
    return this.recordCount;
  }

  /** Waits for the uploads under way; a failed one throws (the task restarts from the committed offsets). */
  async settleUploads(): Promise<void> {
    while (this.uploads.length) {
      const u = this.uploads[0];
      await u.done;
      if (u.error !== undefined) throw u.error;
      this.uploads.shift();
      this.boundaries.push(u.offset);
    }
  }

  /**
   * The offset a restart may begin at, at most `position` (the next offset after the records the
   * runtime has handed over and settled): the last object boundary at or before it, or the
   * position itself when nothing is open or going up and no stored object reaches past it (the
   * records since the last boundary were all dropped: dead-lettered, filtered, ignored nulls).
   * Never a point inside a stored object: a restart there would write its records again.
   * Call after settleUploads.
   */
  safeOffset(position: number): number | undefined {
    const last = this.boundaries.at(-1);
    let safe: number | undefined;
    if (this.recordCount === 0 && this.uploads.length === 0 && (last === undefined || last <= position)) safe = position;
    else for (const b of this.boundaries) if (b <= position) safe = b;
    // Boundaries before the answer are of no further use: commits only move forward.
    if (safe !== undefined) while (this.boundaries.length > 1 && this.boundaries[0] < safe) this.boundaries.shift();
    return safe;
  }

  /** Drops what is under way (close): waits for it without caring how it ends. */
  async abandonUploads(): Promise<void> {
    await Promise.allSettled(this.uploads.map((u) => u.done));
    this.uploads.length = 0;
  }

  /** Throws the error of an upload that failed (checked at every put), so the task restarts. */
  private raiseFailedUpload(): void {
    const failed = this.uploads.find((u) => u.settled && u.error !== undefined);
    if (failed) throw failed.error;
  }

  private scheduleNext(now: number): void {
    if (this.s.rotateScheduleIntervalMs > 0 && this.zone) this.nextScheduled = this.zone.nextScheduled(now, this.s.rotateScheduleIntervalMs);
  }

  private scheduledDue(now: number): boolean {
    return this.s.rotateScheduleIntervalMs > 0 && now >= this.nextScheduled;
  }

  private rotateOnTime(encoded: string, ts: number | undefined, now: number): boolean {
    if (this.recordCount <= 0) return false;
    const periodic = this.s.rotateIntervalMs > 0 && this.partitioner.timestamp !== undefined
      && ((this.baseTimestamp !== undefined && ts !== undefined && ts - this.baseTimestamp >= this.s.rotateIntervalMs)
        || (this.s.rotateOnPartitionChange && encoded !== this.currentEncoded));
    return periodic || this.scheduledDue(now);
  }

  /** The key of a file: <topics.dir>/<topic>/<encoded>/<topic>+<partition>+<offset padded><ext>. */
  private fileKey(topic: string, encoded: string, startOffset: number, ext: string): string {
    const d = this.s.directoryDelim;
    const name = `${topic}${this.s.fileDelim}${this.partition}${this.s.fileDelim}${String(startOffset).padStart(this.s.zeroPadWidth, '0')}${ext}`;
    const path = this.partitioner.partitionedPath(topic, encoded) + d + name;
    return this.s.topicsDir.trim() ? this.s.topicsDir + d + path : path;
  }

  private newFile(topic: string, encoded: string, startOffset: number, tombstone: boolean): OpenFile {
    const valueExt = extensionOf(this.s.format, this.s.formatSettings);
    const key = this.fileKey(topic, encoded, startOffset, valueExt);
    const stem = key.slice(0, key.length - valueExt.length);
    const views: OpenFile['views'] = [];
    if (!tombstone) views.push({ view: 'value', format: this.s.format, key, writer: newFileWriter(this.s.format, 'value', key, this.s.formatSettings) });
    for (const [view, format] of [['keys', this.s.keysFormat], ['headers', this.s.headersFormat]] as const) {
      if (!format) continue;
      const k = `${stem}.${view}${extensionOf(format, this.s.formatSettings)}`;
      views.push({ view, format, key: k, writer: newFileWriter(format, view, k, this.s.formatSettings) });
    }
    return { key, startOffset, records: 0, schema: undefined, views };
  }

  /**
   * Adds one record. A record the partitioner or the format rejects throws a DataError and is
   * not written (the caller dead-letters it); a failing upload throws a RetriableError.
   */
  async write(r: SinkRecord, now: number): Promise<void> {
    this.raiseFailedUpload();
    const tombstone = r.value === null || r.value === undefined;
    if (tombstone) {
      if (this.s.nullValues === 'ignore') return;
      if (this.s.nullValues === 'fail') {
        throw new ConfigError(`Null valued records are not writeable with the current behavior.on.null.values 'settings: the record at ${r.originalTopic}-${r.originalKafkaPartition} offset ${r.originalKafkaOffset} has a null value; set behavior.on.null.values=ignore (or write)`, [{ key: 'behavior.on.null.values', message: 'a record with a null value arrived' }]);
      }
    }
    // The topic (after transforms) names directories: a RegexRouter must not steer files elsewhere.
    if (!isValidTopicName(r.topic)) throw new DataError(`Topic ${r.topic} is not a valid Kafka topic name, so it cannot name a file`, 'TASK_PUT');
    const ts = this.partitioner.timestamp?.(r, now);
    const encoded = tombstone ? this.s.tombstonePartition : this.partitioner.encodePartition(r, now);
    if (ts !== undefined && this.baseTimestamp === undefined) this.baseTimestamp = ts;
    const fileId = `${r.topic}\u0000${encoded}`;
    const existing = this.files.get(fileId);
    if (existing && existing.records > 0 && this.recordCount > 0 && !schemasEqual(existing.schema ?? null, r.valueSchema ?? null)) {
      await this.commitFiles('schema change');
      if (ts !== undefined) this.baseTimestamp = ts;
    } else if (this.rotateOnTime(encoded, ts, now)) {
      await this.commitFiles(this.scheduledDue(now) ? 'rotate.schedule.interval.ms' : 'rotate.interval.ms');
      this.scheduleNext(now);
      if (ts !== undefined) this.baseTimestamp = ts;
    }
    let file = this.files.get(fileId);
    const created = !file;
    file ??= this.newFile(r.topic, encoded, r.originalKafkaOffset, tombstone);
    // Every view first, then append: a record whose key fails leaves no value behind.
    const encodedViews = file.views.map((v) => v.writer.encode(r));
    if (created) this.files.set(fileId, file);
    file.views.forEach((v, i) => v.writer.append(encodedViews[i]));
    if (file.records === 0) file.schema = r.valueSchema;
    file.records++;
    this.recordCount++;
    this.currentEncoded = encoded;
    this.currentOffset = r.originalKafkaOffset;
    this.currentTimestamp = ts;
    if (this.recordCount >= this.s.flushSize) await this.commitFiles('flush.size');
  }

  /** After a put: commits on time when no more records are waiting (Confluent's commitOnTimeIfNoData). */
  async afterPut(now: number): Promise<void> {
    if (this.recordCount > 0 && this.currentEncoded !== undefined && this.rotateOnTime(this.currentEncoded, this.currentTimestamp, now)) {
      await this.commitFiles(this.scheduledDue(now) ? 'rotate.schedule.interval.ms' : 'rotate.interval.ms');
      this.scheduleNext(now);
    }
  }

  /** The wall-clock schedule, checked when no record comes (preCommit). */
  async onSchedule(now: number): Promise<void> {
    if (!this.scheduledDue(now)) return;
    if (this.recordCount > 0) await this.commitFiles('rotate.schedule.interval.ms');
    this.scheduleNext(now);
  }

  /**
   * Closes every open file and starts its upload; the committable offset moves past the last record
   * written once the uploads are done (settleUploads). At most MAX_UPLOADS commits go up at once.
   */
  private async commitFiles(reason: string): Promise<void> {
    const bodies: Array<{ key: string; body: Uint8Array; format: FormatName }> = [];
    const committed: Committed[] = [];
    for (const f of this.files.values()) {
      if (f.records === 0) continue;
      for (const v of f.views) bodies.push({ key: v.key, body: v.writer.finish(), format: v.format });
      committed.push({ key: f.key, records: f.records });
    }
    const offset = this.currentOffset + 1;
    this.files.clear();
    this.recordCount = 0;
    this.baseTimestamp = undefined;
    const upload = { offset, settled: false, error: undefined as unknown, done: Promise.resolve() };
    upload.done = (async () => {
      for (const b of bodies) {
        const gzip = this.s.formatSettings.compression === 'gzip' && b.format !== 'AvroFormat';
        try {
          await this.store.put(b.key, b.body, { contentType: contentTypeOf(b.format), contentEncoding: gzip ? 'gzip' : undefined });
        } catch (e) {
          upload.error = e instanceof ConnectError ? e : new RetriableError(`writing ${b.key} to ${this.store.description} failed: ${(e as Error).message}`, { cause: e });
          return;
        }
      }
      this.logger.info({ topic: this.topic, partition: this.partition, reason, files: committed, offset }, 'files committed');
    })().finally(() => {
      upload.settled = true;
    });
    this.uploads.push(upload);
    // Bounded: the oldest must finish before more go up.
    while (this.uploads.length > MAX_UPLOADS) {
      const u = this.uploads[0];
      await u.done;
      if (u.error !== undefined) throw u.error;
      this.uploads.shift();
      this.boundaries.push(u.offset);
    }
  }
}
