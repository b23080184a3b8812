// Pure logic of the Snowflake sink: RECORD_CONTENT / RECORD_METADATA as Snowflake's RecordService
// writes them, the URL and topic2table rules.
import { describe, expect, it } from 'vitest';
import { jwtAccount } from '../../../src/connectors/snowflake-sink/auth.js';
import { parseTopic2Table } from '../../../src/connectors/snowflake-sink/config.js';
import { contentJson, metadataJson } from '../../../src/connectors/snowflake-sink/content.js';
import { parseSnowflakeUrl } from '../../../src/connectors/snowflake-sink/url.js';
import { Schemas, Struct } from '../../../src/index.js';
import type { SinkRecord } from '../../../src/records/record.js';

describe('Snowflake RECORD_CONTENT and RECORD_METADATA', () => {
  it('converts values as RecordService.convertToJson', () => {
    const s = Schemas.struct([['d', Schemas.date()], ['t', Schemas.time()], ['ts', Schemas.timestamp()], ['dec', Schemas.decimal(2)], ['b', Schemas.bytes()],
      ['m', Schemas.map(Schemas.int32(), Schemas.string())], ['o', Schemas.string({ optional: true })]]);
    const v = new Struct(s, { d: new Date(Date.UTC(2024, 0, 2)), t: new Date(Date.UTC(1970, 0, 1, 1, 2, 3, 4)), ts: new Date(1_700_000_000_123), dec: '12.50', b: Buffer.from('hi'), m: new Map([[1, 'x']]), o: null });
    expect(JSON.parse(contentJson(v, s))).toEqual({ d: '2024-01-02T00:00:00.000Z', t: '01:02:03.004+0000', ts: '1700000000123', dec: 12.5, b: 'aGk=', m: [[1, 'x']], o: null });
    expect(contentJson({ a: [1, 2.5, 'x', null] }, null)).toBe('{"a":[1,2.5,"x",null]}');
    expect(contentJson(new Struct(Schemas.struct([['d', Schemas.decimal(0)]]), { d: '1'.repeat(40) }), null)).toBe(`{"d":"${'1'.repeat(40)}"}`);
  });

  it('writes the metadata keys in Snowflake\'s order, per the snowflake.metadata flags', () => {
    const r: SinkRecord = { topic: 't', kafkaPartition: 2, kafkaOffset: 7, originalTopic: 't', originalKafkaPartition: 2, originalKafkaOffset: 7, key: 'k1', value: {}, timestamp: 1000, headers: [{ key: 'h', value: 'v' }] };
    expect(metadataJson(r, { topic: true, offsetAndPartition: true, createTime: true })).toBe('{"topic":"t","offset":7,"partition":2,"CreateTime":1000,"key":"k1","headers":{"h":"v"}}');
    expect(metadataJson({ ...r, key: null, headers: [] }, { topic: false, offsetAndPartition: false, createTime: false })).toBe('{}');
  });
});

describe('Snowflake settings', () => {
  it('reads the account from the URL and upper-cases it for the JWT', () => {
    expect(parseSnowflakeUrl('xy12345.us-east-2.aws.snowflakecomputing.com')).toEqual({ base: 'https://xy12345.us-east-2.aws.snowflakecomputing.com', host: 'xy12345.us-east-2.aws.snowflakecomputing.com', account: 'xy12345' });
    expect(parseSnowflakeUrl('https://myorg-acct.snowflakecomputing.com:443')).toMatchObject({ base: 'https://myorg-acct.snowflakecomputing.com', account: 'myorg-acct' });
    expect(parseSnowflakeUrl('ftp://x')).toHaveProperty('error');
    expect(jwtAccount('xy12345.us-east-2.aws')).toBe('XY12345');
    expect(jwtAccount('myorg-acct')).toBe('MYORG-ACCT');
  });

  it('parses snowflake.topic2table.map as Utils.parseTopicToTableMap', () => {
    expect(parseTopic2Table('a:T_A, b.*:T_B')).toEqual(new Map([['a', 'T_A'], ['b.*', 'T_B']]));
    expect(parseTopic2Table('a:9bad')).toHaveProperty('error');
    expect(parseTopic2Table('a:T1,a:T2')).toEqual({ error: 'topic name a is duplicated' });
    expect(parseTopic2Table('ab.*:T1,abc:T2')).toHaveProperty('error', expect.stringMatching(/overlap/));
  });
});
