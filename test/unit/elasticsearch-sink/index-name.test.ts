import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { indexName } from '../../../src/connectors/elasticsearch-sink/index-name.js';

describe('index name from topic (Confluent rules)', () => {
  it('lower-cases the topic', () => {
    expect(indexName('MySQL.Orders')).toBe('mysql.orders');
    expect(indexName('orders')).toBe('orders');
  });

  it('strips leading - and _ (every one, not only the first)', () => {
    expect(indexName('_orders')).toBe('orders');
    expect(indexName('-orders')).toBe('orders');
    expect(indexName('__-orders')).toBe('orders');
    expect(indexName('or-ders_')).toBe('or-ders_');
  });

  it('renames . and .. which Elasticsearch refuses', () => {
    expect(indexName('.')).toBe('dot');
    expect(indexName('..')).toBe('dotdot');
    expect(indexName('.hidden')).toBe('.hidden');
  });

  it('keeps at most 255 bytes without splitting a character', () => {
    expect(indexName('a'.repeat(300))).toBe('a'.repeat(255));
    const name = indexName('é'.repeat(200)); // 2 bytes each
    expect(Buffer.byteLength(name)).toBe(254);
    expect(name).toBe('é'.repeat(127));
  });

  it('refuses a topic that leaves no name', () => {
    expect(() => indexName('__')).toThrow(DataError);
  });
});
