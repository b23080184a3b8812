import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The worker process's Prometheus metrics, served at GET /metrics by the REST API. Task metrics
 * follow Kafka Connect's task metric names (source-task-metrics, sink-task-metrics,
 * task-error-metrics) in Prometheus form, labelled by connector and task; they count what this
 * process moved, as Connect's do per worker.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tconnect_' });

const task = ['connector', 'task'] as const;
const counter = (name: string, help: string) => new Counter({ name, help, labelNames: task, registers: [registry] });

const sourcePolled = counter('tconnect_source_record_poll_total', 'Records read from the source system (source-record-poll-total).');
const sourceWritten = counter('tconnect_source_record_write_total', 'Records produced to Kafka and acknowledged (source-record-write-total).');
const sinkRead = counter('tconnect_sink_record_read_total', 'Records read from Kafka and committed past (sink-record-read-total).');
const sinkSent = counter('tconnect_sink_record_send_total', 'Records the sink system accepted (sink-record-send-total).');
const recordErrors = counter('tconnect_task_record_errors_total', 'Records that failed in a converter, transform or the external system and were skipped (total-record-errors).');
const dlqProduced = counter('tconnect_deadletterqueue_produce_total', 'Records written to the dead letter queue (deadletterqueue-produce-requests).');
const batches = new Histogram({
  name: 'tconnect_batch_duration_seconds',
  help: 'Duration of batch activities: records moved and offsets committed (a sink batch claims writes that ran in the background).',
  labelNames: ['connector', 'task', 'type'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});
const lastBatch = new Gauge({
  name: 'tconnect_task_last_batch_timestamp_seconds',
  help: 'When the task last completed a batch (Unix time): a task that stops moving shows here.',
  labelNames: task,
  registers: [registry],
});

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** Open sink tasks of this process, each able to say its lag now. */
const lagSources = new Map<string, { connector: string; task: string; lag: () => PartitionLag[] }>();

new Gauge({
  name: 'tconnect_sink_lag_records',
  help: 'Records in a partition past the sink task\'s committed offset, as of its latest fetch (what kafka-consumer-groups shows as LAG).',
  labelNames: ['connector', 'task', 'topic', 'partition'],
  registers: [registry],
  collect() {
    this.reset();
    for (const s of lagSources.values()) {
      for (const p of s.lag()) this.set({ connector: s.connector, task: s.task, topic: p.topic, partition: String(p.partition) }, Math.max(0, p.lag));
    }
  },
});

/** An open sink task reports its lag at every scrape, until forgetTask. */
export function watchSinkLag(connector: string, taskId: number, lag: () => PartitionLag[]): void {
  lagSources.set(`${connector}\u0000${taskId}`, { connector, task: String(taskId), lag });
}

/** A task closed in this worker: its gauges go (the worker that opens it next reports them). */
export function forgetTask(connector: string, taskId: number): void {
  lagSources.delete(`${connector}\u0000${taskId}`);
  lastBatch.remove({ connector, task: String(taskId) });
}

export interface BatchFigures {
  /** Records read (polled from the source, fetched from Kafka). */
  read: number;
  /** Records written (produced to Kafka, accepted by the sink system). */
  written: number;
  /** Records skipped because they failed (errors.tolerance=all). */
  failed: number;
  deadLettered: number;
  millis: number;
}

/** Counts one completed batch of a task. */
export function recordBatch(type: 'source' | 'sink', connector: string, taskId: number, f: BatchFigures): void {
  const labels = { connector, task: String(taskId) };
  if (type === 'source') {
    sourcePolled.inc(labels, f.read);
    sourceWritten.inc(labels, f.written);
  } else {
    sinkRead.inc(labels, f.read);
    sinkSent.inc(labels, f.written);
  }
  if (f.failed) recordErrors.inc(labels, f.failed);
  if (f.deadLettered) dlqProduced.inc(labels, f.deadLettered);
  batches.observe({ ...labels, type }, f.millis / 1000);
  lastBatch.set(labels, Date.now() / 1000);
}
