import { defineConfig, type ConfigOf, type KeyMap } from '../../config/define.js';
import { ConfigError, DataError } from '../../errors.js';
import { parseConfig } from '../../plugins/define.js';
import { defineSink, type PutResult, type SinkPartitionOffset, type SinkPlugin, type SinkTask, type SinkTaskContext } from '../types.js';
import { storageSinkKeys, validateStorageSink, type StorageSinkKeys } from './config.js';
import { formatName, type Compression, type FormatName } from './formats.js';
import type { ObjectStore } from './object-store.js';
import { createPartitioner, partitionerName, type TimestampExtractorName } from './partitioner.js';
import { PathFormat } from './path-format.js';
import { TopicPartitionWriter, type WriterSettings } from './writer.js';

// The storage-sink core: one implementation of Confluent's storage sinks (S3, GCS, HDFS) over
// the ObjectStore interface. A store's connector is defineStorageSink({ ..., storeKeys,
// openStore }) and nothing else: partitioners, formats, rotation, file names and the
// exactly-once commit protocol (preCommit) live here.

export interface StorageSinkDefinition<SK extends KeyMap> {
  name: string;
  className: string;
  aliases: string[];
  version: string;
  summary: string;
  /** The store's format package, for the format key defaults (io.confluent.connect.s3.format). */
  formatPackage: string;
  /** The store's own keys (bucket, endpoint, credentials, compression); declared with key.* like any config. */
  storeKeys: SK;
  /** Cross-key checks of the store's keys. */
  validateStore?(cfg: ConfigOf<SK & StorageSinkKeys>): Array<{ key: string; message: string }>;
  /** gzip for JsonFormat and ByteArrayFormat files, where the store has a key for it (s3.compression.type). */
  compression?(cfg: ConfigOf<SK & StorageSinkKeys>): { type: Compression; level: number };
  /** Opens the store for a task; the core calls check() on it before the first put and close() at the end. */
  openStore(cfg: ConfigOf<SK & StorageSinkKeys>, ctx: SinkTaskContext): Promise<ObjectStore> | ObjectStore;
}

const tpId = (topic: string, partition: number) => `${topic}:${partition}`;

export function defineStorageSink<SK extends KeyMap>(def: StorageSinkDefinition<SK>): SinkPlugin<SK & StorageSinkKeys> {
  const keys = { ...def.storeKeys, ...storageSinkKeys(def.formatPackage) } as SK & StorageSinkKeys;
  const config = defineConfig(keys);
  type Cfg = ConfigOf<SK & StorageSinkKeys>;
  return defineSink({
    name: def.name,
    className: def.className,
    aliases: def.aliases,
    version: def.version,
    summary: def.summary,
    config,
    validate(cfg: Cfg) {
      return [...validateStorageSink(cfg), ...(def.validateStore?.(cfg) ?? [])];
    },
    async taskConfigs(raw, maxTasks) {
      parseConfig(config, raw);
      return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
    },
    async startTask(taskConfig, ctx) {
      const cfg = parseConfig(config, taskConfig);
      const problems = [...validateStorageSink(cfg), ...(def.validateStore?.(cfg) ?? [])];
      if (problems.length) throw new ConfigError(`Invalid ${def.name} configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
      const store = await def.openStore(cfg, ctx);
      try {
        await store.check();
      } catch (e) {
        await store.close().catch(() => undefined);
        throw e;
      }
      return storageSinkTask(cfg, def.compression?.(cfg) ?? { type: 'none', level: -1 }, store, ctx);
    },
  });
}

function storageSinkTask(cfg: ConfigOf<StorageSinkKeys>, compression: { type: Compression; level: number }, store: ObjectStore, ctx: SinkTaskContext): SinkTask {
  const partitioner = createPartitioner({
    partitioner: partitionerName(cfg['partitioner.class'] ?? '')!,
    directoryDelim: cfg['directory.delim'] ?? '/',
    fieldNames: cfg['partition.field.name'],
    pathFormat: cfg['path.format'] ?? '',
    partitionDurationMs: cfg['partition.duration.ms'],
    locale: cfg.locale || 'en',
    timezone: cfg.timezone || 'UTC',
    timestampExtractor: (cfg['timestamp.extractor'] ?? 'Wallclock') as TimestampExtractorName,
    timestampField: cfg['timestamp.field'] ?? 'timestamp',
  });
  const zone = cfg['rotate.schedule.interval.ms'] > 0 ? new PathFormat('YYYY', cfg.timezone ?? 'UTC', cfg.locale || 'en') : undefined;
  const settings: WriterSettings = {
    topicsDir: cfg['topics.dir'] ?? '',
    directoryDelim: cfg['directory.delim'] ?? '/',
    fileDelim: cfg['file.delim'] ?? '+',
    zeroPadWidth: cfg['filename.offset.zero.pad.width'],
    flushSize: cfg['flush.size'],
    rotateIntervalMs: cfg['rotate.interval.ms'],
    rotateScheduleIntervalMs: cfg['rotate.schedule.interval.ms'],
    rotateOnPartitionChange: cfg['rotate.file.on.partition.change'],
    format: formatName(cfg['format.class'] ?? '')!,
    keysFormat: cfg['store.kafka.keys'] ? (formatName(cfg['keys.format.class'] ?? '') as FormatName) : undefined,
    headersFormat: cfg['store.kafka.headers'] ? (formatName(cfg['headers.format.class'] ?? '') as FormatName) : undefined,
    formatSettings: {
      compression: compression.type,
      compressionLevel: compression.level,
      avroCodec: cfg['avro.codec'],
      byteArrayExtension: cfg['format.bytearray.extension'] ?? '.bin',
      byteArraySeparator: cfg['format.bytearray.separator'] ?? '\n',
    },
    nullValues: cfg['behavior.on.null.values'],
    tombstonePartition: cfg['tombstone.encoded.partition'] ?? 'tombstone',
  };
  // One writer per Kafka partition the task reads (by the record's original topic-partition, which is what offsets commit).
  const writers = new Map<string, TopicPartitionWriter>();
  const writerFor = (topic: string, partition: number) => {
    const id = tpId(topic, partition);
    let w = writers.get(id);
    if (!w) {
      w = new TopicPartitionWriter(topic, partition, settings, partitioner, store, zone, ctx.logger, Date.now());
      writers.set(id, w);
    }
    return w;
  };
  let closed = false;

  return {
    async open(partitions) {
      for (const p of partitions) writerFor(p.topic, p.partition);
      ctx.logger.info({ store: store.description, partitions: partitions.map((p) => `${tpId(p.topic, p.partition)}@${p.offset}`) }, 'storage sink opened');
    },

    async put(records): Promise<PutResult> {
      const failed: PutResult['failed'] = [];
      const touched = new Set<TopicPartitionWriter>();
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        const w = writerFor(r.originalTopic, r.originalKafkaPartition);
        touched.add(w);
        try {
          await w.write(r, Date.now());
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          failed.push({ index: i, error: e });
        }
      }
      const now = Date.now();
      for (const w of touched) await w.afterPut(now);
      return { failed };
    },

    async preCommit(current: SinkPartitionOffset[]): Promise<SinkPartitionOffset[]> {
      const now = Date.now();
      for (const w of writers.values()) await w.onSchedule(now);
      // The objects of every commit so far are stored once this returns (a failed upload throws).
      for (const w of writers.values()) await w.settleUploads();
      const out: SinkPartitionOffset[] = [];
      for (const c of current) {
        const w = writers.get(tpId(c.topic, c.partition));
        // A file boundary at or before the position (the pipeline may have put records past it).
        const safe = w ? w.safeOffset(c.offset) : c.offset;
        if (safe !== undefined) out.push({ ...c, offset: safe });
      }
      return out;
    },

    async close() {
      if (closed) return;
      closed = true;
      // Open files are dropped, not committed: their records are read again from the committed offsets.
      const open = [...writers.values()].reduce((n, w) => n + w.openRecords, 0);
      for (const w of writers.values()) await w.abandonUploads();
      writers.clear();
      ctx.logger.info({ store: store.description, droppedOpenRecords: open }, 'storage sink closed');
      await store.close();
    },
  };
}
