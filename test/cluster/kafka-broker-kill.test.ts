import { describe, expect, it } from 'vitest';
import { kafkaBrokerKill } from '../../bench/chaos/broker-kill.js';

// A broker of a three-broker Kafka (a private kafka3: scripts/stack/services/kafka3.sh on free ports)
// killed with kill -9 mid-stream under MariaDB → JDBC source → Kafka (RF 3, min.insync.replicas 2)
// → JDBC sink → MariaDB, with real worker processes; then started again on its data. Also the
// proof that the worker creates its topics as told: the data topic by topic.creation.default.*,
// the offsets topic by offset.storage.replication.factor/partitions, the DLQ by
// errors.deadletterqueue.topic.replication.factor (its partitions are 1, the broker default 3).

describe('three-broker Kafka: a broker killed mid-stream', () => {
  it('loses no row, keeps every connector and task RUNNING, and the broker rejoins', async () => {
    const r = await kafkaBrokerKill({ rows: 2000, batch: 100, faults: 1, outageMs: 0, log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
    // Topics created as the worker and connectors were told.
    expect(r.topics.data).toEqual({ partitions: 2, replicas: [3, 3] });
    expect(r.topics.offsets).toEqual({ partitions: 3, replicas: [3, 3, 3] });
    expect(r.topics.dlq).toEqual({ partitions: 1, replicas: [3] });
    // Nothing lost: every id in the topic, and the sink table is the source table, row for row.
    expect(r.lost).toBe(0);
    expect(r.rowsInTable).toBe(r.in);
    expect(r.tableMatches).toBe(true);
    // At least once: a batch written again around the fault at most (upserts keep the table exact).
    expect(r.duplicated).toBeLessThanOrEqual(2 * 100);
    // The poison record, and only it, in the dead letter queue.
    expect(r.dlqRecords).toBe(1);
    // Both connectors and their tasks RUNNING at every status poll from creation to the end.
    expect(r.notRunningSeen).toEqual({});
    expect(r.allRunning).toBe(true);
    expect(Number.isFinite(r.sinkRecoverMs)).toBe(true);
    expect(r.rejoinMs).toBeGreaterThan(0);
  }, 900_000);
});
