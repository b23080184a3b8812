// The conformance kit: one call per connector runs the behaviours every connector shares, against
// the real systems its config points at. It drives the plugin the way the runtime does (validate,
// taskConfigs, startTask, poll/put, commit offsets, close), with the runtime's own validation and
// logger, so a pass here means the worker will treat the connector as it treats the built-ins.
import { Writable } from 'node:stream';
import { validateConnectorConfig } from '../config/connector-config.js';
import { secretKeys, secretValues } from '../config/secrets.js';
import { registerConnectorPlugin } from '../connectors/registry.js';
import type { ConnectorPlugin, PluginLogger, SinkPlugin, SinkTask, SourcePlugin, SourceTask } from '../connectors/types.js';
import { ConfigError, RetriableError } from '../errors.js';
import { createLogger } from '../logging.js';
import type { SinkRecord, SourceOffset, SourceRecord } from '../records/record.js';
import { Struct } from '../records/schema.js';

/** Config changes: a value sets the key, null removes it. */
export type ConfigPatch = Record<string, string | null>;

interface CommonOptions {
  /** A valid connector config pointing at real servers (connector.class may be left out). */
  config: Record<string, string>;
  /** Configs that validation must refuse, each naming `key` in a problem (required keys are checked without being listed). */
  invalid?: Array<{ patch: ConfigPatch; key: string }>;
  /** A config whose task cannot work (bad credentials, a path not allowed, a server that is down): start or the first poll/put must throw a ConfigError or RetriableError. */
  broken: ConfigPatch;
  /** Connector name used by the checks (default conformance-<class>). */
  name?: string;
  /** Upper bound for each wait on the connector (default 60 s). */
  timeoutMs?: number;
}

export interface SourceConformanceOptions extends CommonOptions {
  plugin: SourcePlugin;
  /** Puts fresh data into the source system; returns how many records reading it all yields (at least 2). */
  seed(): Promise<number>;
}

export interface SinkConformanceOptions extends CommonOptions {
  plugin: SinkPlugin;
  /** The records to write (at least 2); called once per check that writes. */
  records(): SinkRecord[];
  /** How many records the target system holds now (rows, documents, lines). */
  count(): Promise<number>;
  /** Clears the target system before a check that writes. */
  reset(): Promise<void>;
  /** Whether writing the same records again leaves the target unchanged (upserts, document ids); false for appends. */
  idempotent: boolean;
}

export type ConformanceOptions = SourceConformanceOptions | SinkConformanceOptions;

export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** Thrown by runConformance when a check failed; `results` holds every check's outcome. */
export class ConformanceError extends Error {
  override name = 'ConformanceError';
  constructor(readonly results: CheckResult[]) {
    super(`conformance failed: ${results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`).join('; ')}`);
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function patched(config: Record<string, string>, patch: ConfigPatch): Record<string, string> {
  const out = { ...config };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** JSON for comparing records (Structs by their fields, Buffers as their bytes, bigints as text). */
function identity(r: SourceRecord): string {
  return JSON.stringify({ p: r.sourcePartition, o: r.sourceOffset, t: r.topic, k: r.key, v: r.value }, (_k, v: unknown) => {
    if (v instanceof Struct) return v.toObject();
    return typeof v === 'bigint' ? `${v}n` : v;
  });
}

/** Every log line the checks produce, through the runtime's own logger (its redaction included). */
class LogCapture {
  readonly lines: string[] = [];
  readonly logger: PluginLogger;
  constructor() {
    const logger = createLogger({ component: 'conformance' }, new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.lines.push(chunk.toString());
        done();
      },
    }) as never);
    // Every level: a secret in a debug line leaks as soon as someone turns debug on.
    logger.level = 'trace';
    this.logger = logger;
  }
}

/** The named checks for one connector; run them with runConformance, or one `it` each in a test file. */
export function conformanceChecks(opts: ConformanceOptions): ConformanceCheck[] {
  const plugin: ConnectorPlugin = opts.plugin;
  // The kit validates as the runtime does, which looks the class up: make sure it is registered.
  registerConnectorPlugin(plugin, { location: 'conformance kit', version: plugin.version });
  const name = opts.name ?? `conformance-${plugin.name}`;
  const config = { ...opts.config, name, 'connector.class': plugin.className };
  const timeout = opts.timeoutMs ?? 60_000;
  const logs = new LogCapture();
  const ctx = (taskId: number) => ({ connectorName: name, taskId, logger: logs.logger });

  const validation: ConformanceCheck = {
    name: 'config validation names bad keys',
    async run() {
      const good = validateConnectorConfig(name, config);
      if (!good.ok) fail(`the given config is not valid: ${good.problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
      const required = Object.entries(plugin.config.keys).filter(([, k]) => k.meta.required && k.meta.default === undefined).map(([k]) => k);
      const cases = [...required.map((key) => ({ patch: { [key]: null } as ConfigPatch, key })), ...(opts.invalid ?? [])];
      if (cases.length === 0) fail('nothing to refuse: the connector declares no required key and no invalid config was given');
      for (const c of cases) {
        const r = validateConnectorConfig(name, patched(config, c.patch));
        if (r.ok || !r.problems.some((p) => p.key === c.key)) {
          fail(`${JSON.stringify(c.patch)} should be refused with a problem on ${c.key}; got ${r.ok ? 'valid' : JSON.stringify(r.problems)}`);
        }
      }
    },
  };

  const split: ConformanceCheck = {
    name: 'task split honours tasks.max',
    async run() {
      for (const max of [1, 2, 3]) {
        const tasks = await plugin.taskConfigs({ ...config, 'tasks.max': String(max) }, max, { connectorName: name, logger: logs.logger });
        if (tasks.length < 1 || tasks.length > max) fail(`taskConfigs(config, ${max}) returned ${tasks.length} task configs`);
        for (const t of tasks) {
          if (Object.values(t).some((v) => typeof v !== 'string')) fail(`taskConfigs(config, ${max}) returned a task config with a value that is not a string`);
        }
      }
    },
  };

  const errors: ConformanceCheck = {
    name: 'errors are classified',
    async run() {
      const broken = patched(config, opts.broken);
      const abort = new AbortController();
      let thrown: unknown;
      try {
        const [taskConfig] = await plugin.taskConfigs(broken, 1, { connectorName: name, logger: logs.logger });
        if (plugin.type === 'source') {
          const task = await plugin.startTask(taskConfig ?? broken, { ...ctx(0), offsetFor: () => null });
          try {
            await task.poll(10, abort.signal);
          } finally {
            await task.close();
          }
        } else {
          const task = await plugin.startTask(taskConfig ?? broken, ctx(0));
          try {
            await task.put((opts as SinkConformanceOptions).records(), abort.signal);
            await task.flush?.();
          } finally {
            await task.close();
          }
        }
      } catch (e) {
        thrown = e;
      }
      if (thrown === undefined) fail(`the broken config ${JSON.stringify(opts.broken)} started and ran without an error`);
      if (!(thrown instanceof ConfigError) && !(thrown instanceof RetriableError)) {
        fail(`the broken config threw ${(thrown as Error)?.name ?? typeof thrown} (${(thrown as Error)?.message}), not a ConfigError or RetriableError: the runtime would guess`);
      }
    },
  };

  const closeTwice = async (task: SourceTask | SinkTask) => {
    await task.close();
    await task.close().catch((e: unknown) => fail(`close() a second time threw ${(e as Error).message}`));
  };

  const secrets: ConformanceCheck = {
    name: 'secrets never appear in logs',
    async run() {
      const keys = secretKeys(plugin, config);
      const values = secretValues(config, keys).filter((v) => v.length >= 3);
      // Runs after the other checks (runConformance keeps the order), so every line they logged counts.
      // A connector without secret values in its config passes: there is nothing to leak.
      for (const v of values) {
        const line = logs.lines.find((l) => l.includes(v));
        if (line) fail(`the value of a secret key (${keys.join(', ')}) appears in a log line: ${line.replace(v, '<secret>').slice(0, 300)}`);
      }
    },
  };

  if (opts.plugin.type === 'source') {
    const o = opts as SourceConformanceOptions;
    const source = o.plugin;
    const start = async (offsets: Map<string, SourceOffset>) => {
      const [taskConfig] = await source.taskConfigs({ ...config, 'tasks.max': '1' }, 1, { connectorName: name, logger: logs.logger });
      return source.startTask(taskConfig, { ...ctx(0), offsetFor: (p) => offsets.get(JSON.stringify(p)) ?? null });
    };
    /** Polls until `want` records came (asking for no more than that), or the source stays dry. */
    const read = async (task: SourceTask, want: number): Promise<SourceRecord[]> => {
      const out: SourceRecord[] = [];
      const deadline = Date.now() + timeout;
      while (out.length < want && Date.now() < deadline) {
        const batch = await task.poll(want - out.length, AbortSignal.timeout(timeout));
        if (batch.length > want - out.length) fail(`poll(${want - out.length}) returned ${batch.length} records`);
        out.push(...batch);
        if (batch.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      return out;
    };
    const lastOffsets = (records: SourceRecord[]) => {
      const m = new Map<string, SourceOffset>();
      for (const r of records) m.set(JSON.stringify(r.sourcePartition), r.sourceOffset);
      return m;
    };
    let endOffsets = new Map<string, SourceOffset>();

    const resume: ConformanceCheck = {
      name: 'offsets resume exactly after a restart of the task',
      async run() {
        const n = await o.seed();
        if (n < 2) fail(`seed() must add at least 2 records, said ${n}`);
        const full = await start(new Map());
        const all = await read(full, n);
        await full.close();
        if (all.length !== n) fail(`a task from scratch read ${all.length} of the ${n} records seeded`);
        for (const r of all) {
          if (!r.sourcePartition || !r.sourceOffset) fail('a record has no sourcePartition/sourceOffset: the runtime could not resume it');
        }
        const k = Math.floor(n / 2);
        const first = await start(new Map());
        const head = await read(first, k);
        // The runtime commits what Kafka acknowledged, then tells the task.
        await first.commit?.(head.map((r) => ({ partition: r.sourcePartition, offset: r.sourceOffset })));
        await first.close();
        const second = await start(lastOffsets(head));
        const tail = await read(second, n - k);
        const extra = await second.poll(n, AbortSignal.timeout(timeout));
        await second.close();
        endOffsets = lastOffsets(all);
        const expected = all.map(identity).sort();
        const got = [...head, ...tail, ...extra].map(identity).sort();
        const dupes = got.filter((id, i) => got[i - 1] === id);
        if (dupes.length) fail(`after a restart at record ${k} of ${n}, ${dupes.length} record(s) came again, e.g. ${dupes[0]}`);
        const missing = expected.filter((id) => !got.includes(id));
        if (missing.length || got.length !== expected.length) fail(`after a restart at record ${k} of ${n}, read ${got.length}; missing e.g. ${missing[0]}`);
      },
    };

    const abortable: ConformanceCheck = {
      name: 'poll returns promptly on abort',
      async run() {
        const task = await start(endOffsets);
        try {
          const abort = new AbortController();
          const began = Date.now();
          const polled = task.poll(1000, abort.signal).then(() => undefined, () => undefined);
          setTimeout(() => abort.abort(), 50);
          const limit = 5000;
          const settled = await Promise.race([polled.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), limit))]);
          if (!settled) fail(`poll was still running ${limit} ms after its signal aborted`);
          if (Date.now() - began > limit) fail('poll took too long to return');
        } finally {
          await closeTwice(task);
        }
      },
    };
    return [validation, split, resume, abortable, errors, secrets];
  }

  const o = opts as SinkConformanceOptions;
  const sink = o.plugin;
  const startSink = async () => {
    const [taskConfig] = await sink.taskConfigs({ ...config, 'tasks.max': '1' }, 1, { connectorName: name, logger: logs.logger });
    return sink.startTask(taskConfig, ctx(0));
  };
  const put = async (task: SinkTask, records: SinkRecord[]) => {
    const r = await task.put(records, AbortSignal.timeout(timeout));
    if (r.failed.length) fail(`put rejected ${r.failed.length} of ${records.length} good records: ${r.failed[0].error.message}`);
    await task.flush?.();
  };

  const redelivery: ConformanceCheck = {
    name: o.idempotent ? 'put is idempotent under redelivery' : 'put under redelivery loses nothing (declared not idempotent)',
    async run() {
      await o.reset();
      const records = o.records();
      if (records.length < 2) fail('records() must give at least 2 records');
      const task = await startSink();
      try {
        await put(task, records);
        const once = await o.count();
        if (once !== records.length) fail(`after one put of ${records.length} records the target holds ${once}`);
        await put(task, o.records());
        const twice = await o.count();
        // Not idempotent promises nothing about duplicates, only that nothing is lost.
        const ok = o.idempotent ? twice === records.length : twice >= records.length && twice <= 2 * records.length;
        if (!ok) fail(`after the same ${records.length} records were put again the target holds ${twice}, expected ${o.idempotent ? records.length : `${records.length} to ${2 * records.length}`} (declared idempotent: ${o.idempotent})`);
      } finally {
        await closeTwice(task);
      }
    },
  };

  const restart: ConformanceCheck = {
    name: 'a restarted task goes on writing',
    async run() {
      await o.reset();
      const records = o.records();
      const k = Math.floor(records.length / 2);
      const first = await startSink();
      await put(first, records.slice(0, k));
      await first.close();
      const second = await startSink();
      await put(second, records.slice(k));
      await second.close();
      const n = await o.count();
      if (n !== records.length) fail(`two tasks one after the other wrote ${n} of ${records.length} records`);
    },
  };

  return [validation, split, redelivery, restart, errors, secrets];
}

/** Runs every check in order; resolves with the results, or throws ConformanceError naming each failure. */
export async function runConformance(opts: ConformanceOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of conformanceChecks(opts)) {
    try {
      await c.run();
      results.push({ name: c.name, ok: true });
    } catch (e) {
      results.push({ name: c.name, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (results.some((r) => !r.ok)) throw new ConformanceError(results);
  return results;
}
