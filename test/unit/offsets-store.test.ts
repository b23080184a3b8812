import { describe, it, expect } from 'vitest';
import { OffsetsStore, jsonWithLongs, offsetsTopicCreation, withLongsAsStrings } from '../../src/kafka/offsets-store.js';
import { isInvalidReplicationFactor } from '../../src/kafka/client.js';
import { ConfigError } from '../../src/errors.js';

describe('Connect-format offsets', () => {
  it('keys offsets as ["<connector>", {partition}] like Kafka Connect', () => {
    expect(OffsetsStore.key('orders', { protocol: '1', table: 'db.orders' })).toBe('["orders",{"protocol":"1","table":"db.orders"}]');
  });

  it('writes longs beyond 2^53 as exact JSON numbers, and carries them as strings through payloads', () => {
    const offset = { incrementing: 9007199254740993n, timestamp: 5 };
    expect(jsonWithLongs(offset)).toBe('{"incrementing":9007199254740993,"timestamp":5}');
    expect(withLongsAsStrings({ offset })).toEqual({ offset: { incrementing: '9007199254740993', timestamp: 5 } });
    // A string that merely looks like the marker is left alone.
    expect(jsonWithLongs({ s: 'long:1' })).toBe('{"s":"long:1"}');
  });
});

describe('offsets topic creation (offset.storage.replication.factor, offset.storage.partitions)', () => {
  it("defaults to Connect's replication factor 3 (a fallback when unset) and our 5 partitions", () => {
    expect(offsetsTopicCreation({})).toEqual({ replicationFactor: 3, partitions: 5, replicationFactorSet: false });
  });

  it('takes a positive number or -1 (the broker default), and marks a set replication factor as strict', () => {
    expect(offsetsTopicCreation({ 'offset.storage.replication.factor': '3', 'offset.storage.partitions': '25' })).toEqual({ replicationFactor: 3, partitions: 25, replicationFactorSet: true });
    expect(offsetsTopicCreation({ 'offset.storage.replication.factor': ' -1 ', 'offset.storage.partitions': '-1' })).toEqual({ replicationFactor: -1, partitions: -1, replicationFactorSet: true });
  });

  it('refuses 0, below -1, and non-numbers, naming the key and the fix', () => {
    for (const bad of ['0', '-2', 'three', '2.5']) {
      expect(() => offsetsTopicCreation({ 'offset.storage.replication.factor': bad })).toThrow(ConfigError);
      expect(() => offsetsTopicCreation({ 'offset.storage.replication.factor': bad })).toThrow(/offset\.storage\.replication\.factor: Replication factor must be positive, or -1 .*set offset\.storage\.replication\.factor=-1/);
      expect(() => offsetsTopicCreation({ 'offset.storage.partitions': bad })).toThrow(/offset\.storage\.partitions: Number of partitions must be positive/);
    }
  });
});

describe('isInvalidReplicationFactor', () => {
  it("finds the broker's INVALID_REPLICATION_FACTOR answer inside kafkajs' per-topic errors and causes", () => {
    const answer = Object.assign(new Error('Replication-factor is invalid'), { type: 'INVALID_REPLICATION_FACTOR' });
    expect(isInvalidReplicationFactor(Object.assign(new Error('Topic creation errors'), { errors: [answer] }))).toBe(true);
    expect(isInvalidReplicationFactor(new Error('wrapped', { cause: answer }))).toBe(true);
    expect(isInvalidReplicationFactor(Object.assign(new Error('other'), { type: 'TOPIC_AUTHORIZATION_FAILED' }))).toBe(false);
    expect(isInvalidReplicationFactor(new Error('plain'))).toBe(false);
  });
});
