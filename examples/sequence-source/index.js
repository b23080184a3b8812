// @ts-check
// An example third-party connector for temporal-connect: SequenceSource writes `count` numbered
// records to a topic, split over up to tasks.max tasks (task i owns the numbers n with
// n % tasks == i), and resumes exactly where it stopped. Load it with the worker property
// plugin.path=<directory holding this package>; docs/connector-guide.md walks through it.
import { ConfigError, RetriableError, Schemas, Struct, defineConfig, definePlugins, defineSource, key, parseConfig } from 'temporal-connect';

const config = defineConfig({
  topic: key.string({ required: true, importance: 'HIGH', doc: 'The topic to write the records to.' }),
  count: key.int({ required: true, min: 1, importance: 'HIGH', doc: 'How many records to write in all, numbered 0 to count-1.' }),
  'batch.size': key.int({ default: 100, min: 1, doc: 'Records one poll returns at most.' }),
  'api.token': key.password({ doc: 'A token for the (pretend) numbering service; when set it must start with "tok-".' }),
  'fail.every': key.int({ default: 0, min: 0, doc: 'Testing aid: every n-th poll fails with a RetriableError (0: never).' }),
  // Set by taskConfigs, never by users.
  'task.index': key.int({ default: 0, min: 0, doc: 'Internal: which share of the numbers this task writes.' }),
  'task.count': key.int({ default: 1, min: 1, doc: 'Internal: how many tasks share the numbers.' }),
});

const VALUE_SCHEMA = Schemas.struct([['seq', Schemas.int64()], ['task', Schemas.int32()], ['text', Schemas.string()]], { name: 'example.Sequence' });

export const sequenceSource = defineSource({
  name: 'SequenceSource',
  className: 'com.example.tconnect.SequenceSourceConnector',
  aliases: [],
  version: '1.0.0',
  summary: 'Writes count numbered records to a topic, split over tasks, resumable (an example plugin).',
  config,
  validate(cfg) {
    return cfg['api.token'] !== undefined && cfg['api.token'].trim() === '' ? [{ key: 'api.token', message: 'must not be blank when set' }] : [];
  },

  async taskConfigs(raw, maxTasks) {
    const cfg = parseConfig(config, raw);
    const tasks = Math.max(1, Math.min(maxTasks, cfg.count));
    return Array.from({ length: tasks }, (_, i) => ({ ...raw, 'task.index': String(i), 'task.count': String(tasks) }));
  },

  async startTask(taskConfig, ctx) {
    const cfg = parseConfig(config, taskConfig);
    const token = cfg['api.token'];
    // Bad credentials cannot be fixed by a retry: a ConfigError fails the task with this message.
    if (token !== undefined && !token.startsWith('tok-')) throw new ConfigError('the numbering service refused api.token', [{ key: 'api.token', message: 'refused by the service' }]);
    const partition = { sequence: cfg.topic, task: cfg['task.index'] };
    const stored = ctx.offsetFor(partition);
    // The first number this task has not written yet.
    let next = typeof stored?.next === 'number' ? stored.next : cfg['task.index'];
    let polls = 0;
    ctx.logger.info({ next, task: cfg['task.index'] }, 'sequence task started');
    return {
      async poll(maxRecords, signal) {
        polls++;
        if (cfg['fail.every'] > 0 && polls % cfg['fail.every'] === 0) throw new RetriableError('the numbering service is busy (fail.every)');
        const records = [];
        while (next < cfg.count && records.length < Math.min(maxRecords, cfg['batch.size']) && !signal.aborted) {
          const seq = next;
          next += cfg['task.count'];
          records.push({
            topic: cfg.topic,
            key: String(seq),
            keySchema: Schemas.string(),
            value: new Struct(VALUE_SCHEMA, { seq, task: cfg['task.index'], text: `record ${seq}` }),
            valueSchema: VALUE_SCHEMA,
            headers: [],
            sourcePartition: partition,
            sourceOffset: { next },
          });
        }
        return records;
      },
      async close() {
        ctx.logger.debug({ next }, 'sequence task closed');
      },
    };
  },
});

export default definePlugins({ connectors: [sequenceSource] });
