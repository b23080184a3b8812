import { describe, expect, it } from 'vitest';
import { consumedRecord, errorsSettings, logSkippedRecord, polledRecord } from '../../../activities/errors-handling.js';
import { ConfigError, DataError } from '../../../src/errors.js';
import type { SourceRecord } from '../../../src/records/record.js';

// errors.* as a task reads them (the same declaration validation uses), and the 'record skipped'
// log line of errors.log.enable, with the record's content only under errors.log.include.messages.

function capture() {
  const lines: Array<{ obj: Record<string, unknown>; msg?: string }> = [];
  const logger = {
    debug() {}, info() {}, error() {},
    warn(obj: object, msg?: string) { lines.push({ obj: obj as Record<string, unknown>, msg }); },
  };
  return { lines, logger };
}

const consumed = {
  topic: 'orders', partition: 2,
  message: { offset: '41', timestamp: '1700000000000', key: Buffer.from('k-7'), value: Buffer.from('{"secret-ish":"payload"}'), headers: { h: Buffer.from('hv') }, attributes: 0 },
};

const polled: SourceRecord = {
  topic: 'shop-orders', kafkaPartition: null, key: null, keySchema: null, value: { id: 7, note: 'payload' }, valueSchema: null,
  headers: [{ key: 'h', value: 'hv' }], timestamp: null, sourcePartition: { table: 'orders' }, sourceOffset: { incrementing: 7 },
};

describe('errorsSettings', () => {
  it('reads booleans in any case, as validation does (errors.log.enable=TRUE is on)', () => {
    const s = errorsSettings({ 'errors.log.enable': 'TRUE', 'errors.log.include.messages': 'True', 'errors.deadletterqueue.context.headers.enable': 'tRuE', 'errors.tolerance': 'all' });
    expect(s).toMatchObject({ logEnable: true, logIncludeMessages: true, dlqContextHeaders: true, tolerance: 'all' });
  });

  it('takes the declared defaults and refuses a value validation refuses', () => {
    expect(errorsSettings({})).toEqual({
      tolerance: 'none', logEnable: false, logIncludeMessages: false, dlqTopic: '', dlqReplicationFactor: 3,
      dlqContextHeaders: false,
    });
    expect(() => errorsSettings({ 'errors.log.enable': 'yes' })).toThrow(ConfigError);
  });
});

describe('logSkippedRecord', () => {
  const error = new DataError('cannot convert', 'VALUE_CONVERTER');

  it('logs nothing unless errors.log.enable', () => {
    const { lines, logger } = capture();
    logSkippedRecord(logger, { connector: 'c', taskId: 0, errors: errorsSettings({}) }, { stage: 'VALUE_CONVERTER', error, ...consumedRecord(consumed) });
    expect(lines).toEqual([]);
  });

  it('without errors.log.include.messages: where the record is, never its key, value or headers', () => {
    const { lines, logger } = capture();
    const t = { connector: 'c', taskId: 1, errors: errorsSettings({ 'errors.log.enable': 'true' }) };
    logSkippedRecord(logger, t, { stage: 'VALUE_CONVERTER', error, ...consumedRecord(consumed) });
    logSkippedRecord(logger, t, { stage: 'TRANSFORMATION', error, ...polledRecord(polled) });
    expect(lines).toEqual([
      { msg: 'record skipped', obj: { connector: 'c', task: 1, stage: 'VALUE_CONVERTER', topic: 'orders', partition: 2, offset: '41', err: 'cannot convert' } },
      { msg: 'record skipped', obj: { connector: 'c', task: 1, stage: 'TRANSFORMATION', topic: 'shop-orders', err: 'cannot convert' } },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/payload|k-7|hv/);
  });

  it('with errors.log.include.messages: also the key, value, headers (and a source record\'s partition and offset)', () => {
    const { lines, logger } = capture();
    const t = { connector: 'c', taskId: 1, errors: errorsSettings({ 'errors.log.enable': 'true', 'errors.log.include.messages': 'true' }) };
    logSkippedRecord(logger, t, { stage: 'VALUE_CONVERTER', error, ...consumedRecord(consumed) });
    logSkippedRecord(logger, t, { stage: 'TRANSFORMATION', error, ...polledRecord(polled) });
    expect(lines[0].obj).toEqual({
      connector: 'c', task: 1, stage: 'VALUE_CONVERTER', topic: 'orders', partition: 2, offset: '41', err: 'cannot convert',
      timestamp: '1700000000000', key: 'k-7', value: '{"secret-ish":"payload"}', headers: { h: 'hv' },
    });
    expect(lines[1].obj).toEqual({
      connector: 'c', task: 1, stage: 'TRANSFORMATION', topic: 'shop-orders', err: 'cannot convert',
      sourcePartition: '{"table":"orders"}', sourceOffset: '{"incrementing":7}', key: null, value: '{"id":7,"note":"payload"}', headers: { h: '"hv"' },
    });
  });

  it('shows bytes that are not UTF-8 as base64 and clips long content', () => {
    const { lines, logger } = capture();
    const t = { connector: 'c', taskId: 1, errors: errorsSettings({ 'errors.log.enable': 'true', 'errors.log.include.messages': 'true' }) };
    const m = { ...consumed, message: { ...consumed.message, key: Buffer.from([0xff, 0xfe]), value: Buffer.from('v'.repeat(5000)), headers: {} } };
    logSkippedRecord(logger, t, { stage: 'VALUE_CONVERTER', error, ...consumedRecord(m) });
    expect(lines[0].obj.key).toBe('base64://4=');
    expect(lines[0].obj.value).toBe(`${'v'.repeat(2048)}… (5000 characters)`);
  });
});
