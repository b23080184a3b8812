import { DataError } from '../../errors.js';

/** Elasticsearch refuses index names longer than this many UTF-8 bytes. */
export const MAX_INDEX_NAME_BYTES = 255;

/**
 * The index a topic's records go to, by Confluent's rules: lower case, no leading '-' or '_'
 * (nor '+', which Elasticsearch refuses too), '.' and '..' spelled "dot", at most 255 bytes.
 * Confluent strips one leading character; we strip them all, since a name still starting with
 * one would be refused anyway. Names valid for Confluent come out the same.
 */
export function indexName(topic: string): string {
  let index = topic.toLowerCase().replace(/^[-_+]+/, '');
  if (index === '.' || index === '..') index = index.replace(/\./g, 'dot');
  index = truncateUtf8(index, MAX_INDEX_NAME_BYTES);
  if (index === '') throw new DataError(`Topic ${JSON.stringify(topic)} gives an empty Elasticsearch index name`, 'TASK_PUT');
  return index;
}

/** The longest prefix of s within maxBytes of UTF-8, never splitting a character. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}
