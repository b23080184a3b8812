import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/errors.js';
import { KafkaPool } from '../../src/kafka/client.js';
import { startingOffsets } from '../../src/kafka/group-offsets.js';
import { kafka } from '../helpers/clients.js';
import { Connectors, deleteKafkaResources, jdbcIncrementing } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// Topics deleted under a running worker (issue 24, finding 4). kafkajs' admin client keeps asking
// for the metadata of every topic it ever read offsets of; once one is deleted, each of its calls
// failed with UNKNOWN_TOPIC_OR_PARTITION, so the worker could create no topic and start no sink
// until it was restarted.

async function topicPartitions(topic: string): Promise<number | undefined> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopicAndWait(topic: string): Promise<void> {
  await deleteKafkaResources([topic]);
  await waitFor(async () => (await topicPartitions(topic)) === undefined, { what: `topic ${topic} deleted` });
}

describe('topics deleted under a running worker', () => {
  const fx = useWorker({ temporal: true, db: true });

  it('the worker pool creates topics and reads offsets after a topic it read was deleted', async () => {
    const pool = new KafkaPool({ brokers: stackEnv().KAFKA_BOOTSTRAP_SERVERS.split(',') });
    const gone = uniqueIdent('gone');
    const fresh = uniqueIdent('fresh');
    fx.cleanups.push(() => deleteKafkaResources([gone, fresh]));
    try {
      await pool.ensureTopics([gone]);
      // A sink task's start: the admin client now asks for this topic's metadata on every refresh.
      expect(await startingOffsets(pool, uniqueIdent('g'), [{ topic: gone, partition: 0 }], 'earliest')).toEqual(new Map([[`${gone}:0`, '0']]));
      await deleteTopicAndWait(gone);

      await pool.ensureTopics([fresh], { partitions: 2 });
      expect(await topicPartitions(fresh)).toBe(2);
      expect(await startingOffsets(pool, uniqueIdent('g'), [{ topic: fresh, partition: 1 }], 'earliest')).toEqual(
        new Map([[`${fresh}:0`, '0'], [`${fresh}:1`, '0']]),
      );
      // The deleted topic is not remembered as existing: created again, with the settings asked for.
      await pool.ensureTopics([gone], { partitions: 3 });
      expect(await topicPartitions(gone)).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('what the broker refuses for good is not retried: a record over message.max.bytes, an invalid topic name', async () => {
    const pool = new KafkaPool({ brokers: stackEnv().KAFKA_BOOTSTRAP_SERVERS.split(',') });
    const topic = uniqueIdent('big');
    fx.cleanups.push(() => deleteKafkaResources([topic]));
    try {
      await pool.ensureTopics([topic]);
      const big = pool.send('big', [{ topic, message: { value: Buffer.alloc(2 * 1024 * 1024, 1) } }]);
      await expect(big).rejects.toBeInstanceOf(DataError);
      await expect(big).rejects.toThrow(/MESSAGE_TOO_LARGE; not retried/);
      const bad = pool.ensureTopics(['not a topic!']);
      await expect(bad).rejects.toBeInstanceOf(ConfigError);
      await expect(bad).rejects.toThrow(/INVALID_TOPIC_EXCEPTION; not retried/);
    } finally {
      await pool.close();
    }
  });

  it('a new source connector on the same worker produces after the topics of earlier connectors were deleted', async () => {
    const connectors = new Connectors(fx.client, fx.worker.taskQueue);
    const first = uniqueIdent('tdel_a');
    const second = uniqueIdent('tdel_b');
    for (const t of [first, second]) {
      await fx.db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL)`);
      await fx.db.query(`INSERT INTO \`${t}\` (name) VALUES ('one'), ('two'), ('three')`);
    }
    // The sink writes table topic_<first>, named after its topic.
    const firstTopic = `topic_${first}`;
    const secondTopic = `topic_${second}`;
    fx.cleanups.push(async () => {
      for (const t of [first, second, firstTopic]) await fx.db.query(`DROP TABLE IF EXISTS \`${t}\``);
    });
    fx.cleanups.push(() => deleteKafkaResources([firstTopic, secondTopic]));
    // Cleanups run last to first: the connectors stop before their tables and topics go.
    fx.cleanups.push(() => connectors.cancelAll());
    const source = (table: string) => ({
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      ...jdbcIncrementing(table),
      'topic.prefix': 'topic_',
      'poll.interval.ms': '200',
    });

    // A source creates its topic, a sink on the same worker reads it (as the finding's worker did).
    await connectors.start(`src-${first}`, source(first));
    await readTopic(firstTopic, 3);
    const env = stackEnv();
    await connectors.start(`sink-${first}`, {
      'connector.class': 'JdbcSink',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': env.MYSQL_PASSWORD,
      topics: firstTopic,
      'auto.create': 'true',
      'insert.mode': 'insert',
      'pk.mode': 'none',
    });
    await waitFor(async () => {
      const [r] = await fx.db.query(`SELECT COUNT(*) AS n FROM \`${firstTopic}\``).catch(() => [[{ n: 0 }]]);
      return Number((r as Array<{ n: number }>)[0].n) === 3;
    }, { what: `3 rows in table ${firstTopic}`, timeout: 60_000 });
    await connectors.cancelAndWait(`sink-${first}`);
    await connectors.cancelAndWait(`src-${first}`);
    await deleteTopicAndWait(firstTopic);

    // Before the fix every batch of this connector failed: `Kafka create topics failed: This server
    // does not host this topic-partition`, and nothing arrived.
    await connectors.start(`src-${second}`, source(second));
    const got = await readTopic(secondTopic, 3, 60_000);
    expect(got.map((m) => JSON.parse(m.value!).payload.name)).toEqual(['one', 'two', 'three']);
  });
});
