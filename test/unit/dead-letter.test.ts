import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { contextHeaders, executingClass, type DeadLetterTask } from '../../activities/dead-letter.js';
import { errorsSettings } from '../../activities/errors-handling.js';
import { consumedDeadRecord } from '../../activities/sink/task.js';
import { polledDeadRecord } from '../../activities/source/task.js';
import { convertersFromConfig } from '../../src/converters/registry.js';
import { DataError } from '../../src/errors.js';
import type { SinkRecord, SourceRecord } from '../../src/records/record.js';
import { buildTransformChain } from '../../src/transforms/registry.js';

// The one DLQ writer: a record failing the same way gets the same __connect.errors.* context
// whichever kind read it, with Kafka Connect's meaning of each header.

const CAST = 'org.apache.kafka.connect.transforms.Cast$Value';
const chain = buildTransformChain({ transforms: 'toInt', 'transforms.toInt.type': CAST, 'transforms.toInt.spec': 'qty:int32' });
const task: DeadLetterTask = {
  connector: 'orders',
  taskId: 2,
  errors: errorsSettings({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' }),
  converters: convertersFromConfig({ 'value.converter': 'StringConverter' }, {}),
};

function failure(record: SourceRecord | SinkRecord): DataError {
  try {
    chain.apply(record);
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('the transform did not fail');
}

const value = { qty: 'lots' };
const polled: SourceRecord = { topic: 'shop', key: 'b', value, headers: [], sourcePartition: { table: 't' }, sourceOffset: { id: 2 } };
const consumed = {
  topic: 'shop',
  partition: 1,
  message: { offset: '7', key: Buffer.from('b'), value: Buffer.from(JSON.stringify(value)), headers: { origin: Buffer.from('test') }, timestamp: '1700000000000', attributes: 0 } as unknown as KafkaMessage,
};
const sinkRecord: SinkRecord = { topic: 'shop', kafkaPartition: 1, kafkaOffset: 7, key: 'b', value, headers: [], originalTopic: 'shop', originalKafkaPartition: 1, originalKafkaOffset: 7 };

describe('dead letter context headers', () => {
  it('are the same for a source and a sink record failing in the same transform, naming the transform\'s class', () => {
    const fromSource = contextHeaders(task, polledDeadRecord(polled, failure(polled)));
    const sinkError = failure(sinkRecord);
    const fromSink = contextHeaders(task, consumedDeadRecord(consumed, sinkError, sinkError.stage));
    const context = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('__connect.errors.')));
    const same = ['connector.name', 'task.id', 'stage', 'class.name', 'exception.class.name', 'exception.message', 'topic'].map((k) => `__connect.errors.${k}`);
    expect(Object.keys(context(fromSource)).sort()).toEqual(Object.keys(context(fromSink)).sort());
    for (const k of same) expect(fromSource[k], k).toBe(fromSink[k]);
    expect(fromSink['__connect.errors.class.name']).toBe(CAST);
    expect(fromSink['__connect.errors.stage']).toBe('TRANSFORMATION');
    expect(fromSink['__connect.errors.task.id']).toBe('2');
    // The error the transform threw, not our wrapper around it.
    expect(fromSink['__connect.errors.exception.class.name']).not.toBe('DataError');
    // Where each came from: the consumed record's coordinates; a polled record has none.
    expect([fromSink['__connect.errors.partition'], fromSink['__connect.errors.offset']]).toEqual(['1', '7']);
    expect([fromSource['__connect.errors.partition'], fromSource['__connect.errors.offset']]).toEqual(['-1', '-1']);
    // The consumed record keeps its own headers.
    expect(fromSink.origin).toEqual(Buffer.from('test'));
  });

  it('name the configured converter\'s class (aliases resolved) for a converter stage and SinkTask for a put', () => {
    const e = new DataError('bad', 'VALUE_CONVERTER');
    expect(executingClass('VALUE_CONVERTER', e, task.converters)).toBe('org.apache.kafka.connect.storage.StringConverter');
    expect(executingClass('KEY_CONVERTER', e, task.converters)).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(executingClass('HEADER_CONVERTER', e, task.converters)).toBe('org.apache.kafka.connect.storage.SimpleHeaderConverter');
    expect(executingClass('TASK_PUT', new Error('rejected'), task.converters)).toBe('org.apache.kafka.connect.sink.SinkTask');
  });

  it('keep a context header the record already has (a record read back from a DLQ), as Connect does', () => {
    const again = { ...consumed, message: { ...consumed.message, headers: { '__connect.errors.stage': Buffer.from('TASK_PUT') } } as unknown as KafkaMessage };
    const h = contextHeaders(task, consumedDeadRecord(again, new DataError('bad', 'VALUE_CONVERTER'), 'VALUE_CONVERTER'));
    expect(h['__connect.errors.stage']).toEqual(Buffer.from('TASK_PUT'));
    expect(h['__connect.errors.class.name']).toBe('org.apache.kafka.connect.storage.StringConverter');
  });
});
