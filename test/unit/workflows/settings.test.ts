import { describe, expect, it } from 'vitest';
import { connectorKeys } from '../../../src/config/connector-config.js';
import { findConnectorPlugin } from '../../../src/connectors/registry.js';
import { RUNTIME_DEFAULTS, connectorRuntime, taskRuntime, type RuntimeKey } from '../../../workflows/settings.js';

describe('runtime settings: one default per key, parsed once per workflow run', () => {
  it('every key declaration takes its default from RUNTIME_DEFAULTS', () => {
    const source = connectorKeys(findConnectorPlugin('JdbcSource'));
    const sink = connectorKeys(findConnectorPlugin('JdbcSink'));
    for (const key of Object.keys(RUNTIME_DEFAULTS) as RuntimeKey[]) {
      const declared = source[key] ?? sink[key];
      expect({ key, declared: declared !== undefined }).toEqual({ key, declared: true });
      expect({ key, default: declared!.meta.default }).toEqual({ key, default: RUNTIME_DEFAULTS[key] });
    }
  });

  it('connector: history limit and re-plan interval by kind, defaults when unset or not validated yet', () => {
    expect(connectorRuntime(undefined, undefined)).toEqual({ historyMaxEvents: 10_000, replanEveryMs: 60_000 });
    expect(connectorRuntime({}, 'source')).toEqual({ historyMaxEvents: 10_000, replanEveryMs: 60_000 });
    expect(connectorRuntime({}, 'sink')).toEqual({ historyMaxEvents: 10_000, replanEveryMs: 30_000 });
    expect(connectorRuntime({ 'temporal.history.max.events': '60', 'table.poll.interval.ms': '500', 'temporal.topics.poll.interval.ms': '2000' }, 'source'))
      .toEqual({ historyMaxEvents: 60, replanEveryMs: 500 });
    expect(connectorRuntime({ 'temporal.topics.poll.interval.ms': '2000' }, 'sink').replanEveryMs).toBe(2000);
    // 0 is no limit a workflow could live with: the default applies, as before.
    expect(connectorRuntime({ 'temporal.history.max.events': '0' }, 'sink').historyMaxEvents).toBe(10_000);
  });

  it('task: history limit and the errors.retry.* settings', () => {
    expect(taskRuntime({})).toEqual({ historyMaxEvents: 10_000, retryTimeoutMs: 0, retryDelayMaxMs: 60_000 });
    expect(taskRuntime({ 'errors.retry.timeout': '-1', 'errors.retry.delay.max.ms': '500', 'temporal.history.max.events': '80' }))
      .toEqual({ historyMaxEvents: 80, retryTimeoutMs: -1, retryDelayMaxMs: 500 });
  });
});
