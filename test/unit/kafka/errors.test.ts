import { describe, expect, it } from 'vitest';
import {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSTimeout,
} from 'kafkajs';
import { ConfigError, DataError, RetriableError } from '../../../src/errors.js';
import { TopicCache, isStaleMetadata, kafkaError } from '../../../src/kafka/client.js';

/** A broker answer as kafkajs builds it from the protocol's error table. */
function answer(type: string, retriable: boolean, message = `broker said ${type}`): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ message, type, code: 0, retriable } as unknown as Error);
}
/** kafkajs' retry loop wraps a non-retriable error it bailed on, and a retriable one it gave up on. */
const bailed = (e: Error) => new (KafkaJSNonRetriableError as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });
const gaveUp = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 3, retryTime: 2000 } as never);

describe('kafkaError honours kafkajs\' retriable flag', () => {
  it('records the broker refuses are a DataError at KAFKA_PRODUCE, not retried', () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']) {
      const e = kafkaError('produce', bailed(answer(type, false)));
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).stage).toBe('KAFKA_PRODUCE');
      expect(e.message).toBe(`Kafka produce failed: broker said ${type} (${type}; not retried)`);
    }
  });

  it('answers no retry can fix are a ConfigError naming the broker\'s error type', () => {
    for (const type of ['INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_REPLICATION_FACTOR', 'POLICY_VIOLATION']) {
      const e = kafkaError('create topics', answer(type, false));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toContain(`(${type}; not retried)`);
    }
    // Failed authentication has no broker answer inside, and no retry fixes it.
    const sasl = Object.assign(new KafkaJSNonRetriableError('SASL PLAIN authentication failed'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(kafkaError('connect producer', sasl)).toBeInstanceOf(ConfigError);
  });

  it('retriable answers, and kafkajs giving up its own retries on one, stay retriable', () => {
    expect(kafkaError('produce', answer('NOT_LEADER_FOR_PARTITION', true))).toBeInstanceOf(RetriableError);
    expect(kafkaError('produce', gaveUp(answer('UNKNOWN_TOPIC_OR_PARTITION', true)))).toBeInstanceOf(RetriableError);
    expect(kafkaError('connect admin client', gaveUp(new KafkaJSConnectionError('Connection error: ECONNREFUSED')))).toBeInstanceOf(RetriableError);
    expect(kafkaError('create topics', new (KafkaJSTimeout as new (m: string) => Error)('Timed out while waiting for topic leaders'))).toBeInstanceOf(RetriableError);
    expect(kafkaError('produce', new Error('socket hang up'))).toBeInstanceOf(RetriableError);
    // Final for kafkajs, about the moment for us: a producer dropped under a send.
    expect(kafkaError('produce', new KafkaJSNonRetriableError("The producer is disconnecting; therefore, it can't safely accept messages anymore"))).toBeInstanceOf(RetriableError);
  });

  it('answers kafkajs marks final that a new client fixes are retried', () => {
    // send drops the producer after an error: the next one has a new idempotent session.
    expect(kafkaError('produce', bailed(answer('OUT_OF_ORDER_SEQUENCE_NUMBER', false)))).toBeInstanceOf(RetriableError);
    expect(kafkaError('commit offsets', answer('REBALANCE_IN_PROGRESS', false))).toBeInstanceOf(RetriableError);
    expect(kafkaError('create topics', answer('BROKER_NOT_AVAILABLE', false))).toBeInstanceOf(RetriableError);
  });

  it('one error per topic: any final one decides', () => {
    const agg = new KafkaJSAggregateError('create topics', [answer('TOPIC_ALREADY_EXISTS', false), answer('INVALID_TOPIC_EXCEPTION', false)]);
    expect(kafkaError('create topics', agg)).toBeInstanceOf(ConfigError);
    const ok = new KafkaJSAggregateError('create topics', [answer('NOT_CONTROLLER', true)]);
    expect(kafkaError('create topics', ok)).toBeInstanceOf(RetriableError);
  });

  it('programmer errors and the runtime\'s own errors pass through unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(kafkaError('produce', bug)).toBe(bug);
    const mine = new ConfigError('bad key');
    expect(kafkaError('produce', mine)).toBe(mine);
  });

  it('stale metadata is recognised inside kafkajs\' wrappers', () => {
    expect(isStaleMetadata(gaveUp(answer('UNKNOWN_TOPIC_OR_PARTITION', true)))).toBe(true);
    expect(isStaleMetadata(answer('LEADER_NOT_AVAILABLE', true))).toBe(true);
    expect(isStaleMetadata(answer('INVALID_TOPIC_EXCEPTION', false))).toBe(false);
    expect(isStaleMetadata(new Error('socket hang up'))).toBe(false);
  });
});

describe('TopicCache', () => {
  it('trusts a topic for its time to live, then asks again', () => {
    let now = 1000;
    const c = new TopicCache(60_000, () => now);
    c.add(['a', 'b']);
    expect(c.has('a')).toBe(true);
    now += 59_999;
    expect(c.has('a')).toBe(true);
    now += 1;
    expect(c.has('a')).toBe(false);
    expect(c.has('b')).toBe(false);
  });

  it('forgets topics a failed send named, and everything on clear', () => {
    const c = new TopicCache(60_000, () => 0);
    c.add(['a', 'b', 'c']);
    c.forget(['a']);
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([false, true, true]);
    c.clear();
    expect([c.has('b'), c.has('c')]).toEqual([false, false]);
  });
});

describe('kafkaError on @platformatic/kafka\'s errors (the produce path)', () => {
  // Built as the client builds them: a ProtocolError per broker answer, wrapped in a MultipleErrors.
  it('a record the broker refuses is a DataError; an answer no retry fixes a ConfigError; a retriable answer or a network failure is retried', async () => {
    const { ProtocolError, MultipleErrors, NetworkError } = await import('@platformatic/kafka');
    const wrapped = (e: Error) => new MultipleErrors('Producing messages failed.', [e]);
    const tooLarge = kafkaError('produce', wrapped(new ProtocolError('MESSAGE_TOO_LARGE')));
    expect(tooLarge).toBeInstanceOf(DataError);
    expect(tooLarge.message).toContain('(MESSAGE_TOO_LARGE; not retried)');
    expect(kafkaError('produce', wrapped(new ProtocolError('TOPIC_AUTHORIZATION_FAILED')))).toBeInstanceOf(ConfigError);
    expect(kafkaError('produce', wrapped(new ProtocolError('NOT_ENOUGH_REPLICAS')))).toBeInstanceOf(RetriableError);
    expect(kafkaError('produce', wrapped(new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')))).toBeInstanceOf(RetriableError);
    expect(kafkaError('produce', new NetworkError('Connection closed'))).toBeInstanceOf(RetriableError);
    expect(isStaleMetadata(wrapped(new ProtocolError('NOT_LEADER_OR_FOLLOWER')))).toBe(true);
  });

  it('the message names the broker\'s answers inside the client\'s aggregate, each once', async () => {
    const { ProtocolError, MultipleErrors } = await import('@platformatic/kafka');
    const notEnough = new ProtocolError('NOT_ENOUGH_REPLICAS');
    const e = kafkaError('produce', new MultipleErrors('Producing messages failed.', [notEnough, new ProtocolError('NOT_ENOUGH_REPLICAS')]));
    expect(e.message).toMatch(/^Kafka produce failed: Producing messages failed\. \[[^\]]+\]$/);
    expect(e.message).toContain(notEnough.message);
    expect(e.message).toContain('NOT_ENOUGH_REPLICAS');
  });
});
