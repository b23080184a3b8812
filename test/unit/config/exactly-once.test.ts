import { describe, expect, it } from 'vitest';
import { exactlyOnceProblems, exactlyOnceSourceSupport, taskTransactionalId, transactionBoundary } from '../../../src/config/exactly-once.js';
import { defineSource } from '../../../src/connectors/types.js';
import { defineConfig } from '../../../src/config/define.js';
import { ConfigError } from '../../../src/errors.js';

const plugin = (extra: Partial<Parameters<typeof defineSource>[0]> = {}) => defineSource({
  name: 'Plain', className: 'x.Plain', aliases: [], version: '1', summary: '', config: defineConfig({}),
  taskConfigs: async () => [], startTask: async () => { throw new Error('unused'); }, ...extra,
});

describe('exactly-once source settings (Kafka Connect names and messages)', () => {
  it('reads exactly.once.source.support in any case, disabled by default, and refuses anything else naming the property', () => {
    expect(exactlyOnceSourceSupport({})).toBe('disabled');
    expect(exactlyOnceSourceSupport({ 'exactly.once.source.support': ' ENABLED ' })).toBe('enabled');
    expect(exactlyOnceSourceSupport({ 'exactly.once.source.support': 'preparing' })).toBe('preparing');
    expect(() => exactlyOnceSourceSupport({ 'exactly.once.source.support': 'yes' })).toThrow(ConfigError);
    expect(() => exactlyOnceSourceSupport({ 'exactly.once.source.support': 'yes' })).toThrow(/exactly\.once\.source\.support.*DISABLED, ENABLED, PREPARING/);
  });

  it('names transactional ids as Connect does: <group>-<connector>-<task>', () => {
    expect(taskTransactionalId('connect', 'orders', 2)).toBe('connect-orders-2');
    expect(transactionBoundary({})).toBe('poll');
    expect(transactionBoundary({ 'transaction.boundary': 'Interval' })).toBe('interval');
  });

  it('required: a connector without the preflight API, one that says UNSUPPORTED, one that throws', () => {
    const required = { 'exactly.once.support': 'required' };
    expect(exactlyOnceProblems(plugin(), required, 'enabled')).toEqual([{ key: 'exactly.once.support', message: expect.stringMatching(/^The connector does not implement the API required for preflight validation of exactly-once source support\. .*"requested" for this property/) }]);
    expect(exactlyOnceProblems(plugin({ exactlyOnceSupport: () => 'UNSUPPORTED' }), required, 'enabled')).toEqual([{ key: 'exactly.once.support', message: 'The connector does not support exactly-once semantics with the provided configuration.' }]);
    expect(exactlyOnceProblems(plugin({ exactlyOnceSupport: () => { throw new Error(' boom '); } }), required, 'enabled')).toEqual([{ key: 'exactly.once.support', message: 'An unexpected error occurred during validation: boom' }]);
    expect(exactlyOnceProblems(plugin({ exactlyOnceSupport: () => 'SUPPORTED' }), required, 'enabled')).toEqual([]);
    // Both halves are reported, as Connect adds both messages to the key.
    expect(exactlyOnceProblems(plugin(), required, 'disabled').map((p) => p.message)).toHaveLength(2);
    // requested: no preflight check at all.
    expect(exactlyOnceProblems(plugin(), { 'exactly.once.support': 'requested' }, 'disabled')).toEqual([]);
  });

  it('transaction.boundary=connector needs a connector that can define boundaries', () => {
    expect(exactlyOnceProblems(plugin(), { 'transaction.boundary': 'connector' })).toHaveLength(1);
    expect(exactlyOnceProblems(plugin({ canDefineTransactionBoundaries: () => 'SUPPORTED' }), { 'transaction.boundary': 'connector' })).toEqual([]);
  });
});
