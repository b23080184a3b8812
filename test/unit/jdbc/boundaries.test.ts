import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The JDBC family's shape: the source and the sink share src/connectors/jdbc/ and never import
// each other; the shared part imports neither, and only dialects.ts names a concrete dialect.
const root = path.resolve(__dirname, '../../../src/connectors');
const importsOf = (dir: string) => readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).flatMap((f) => {
  const text = readFileSync(path.join(root, dir, f), 'utf8');
  return [...text.matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => ({ file: `${dir}/${f}`, from: m[1] }));
});

describe('JDBC family boundaries', () => {
  it('the sink and the source import only the shared jdbc/ modules of each other\'s family', () => {
    const sink = importsOf('jdbc-sink');
    const source = importsOf('jdbc-source');
    expect(sink.length).toBeGreaterThan(10);
    expect(source.length).toBeGreaterThan(10);
    expect(sink.filter((i) => i.from.includes('jdbc-source'))).toEqual([]);
    expect(source.filter((i) => i.from.includes('jdbc-sink'))).toEqual([]);
    expect([...sink, ...source].filter((i) => i.from.endsWith('/mysql.js'))).toEqual([]);
  });

  it('the shared modules import neither connector, and only dialects.ts picks the MySQL dialect', () => {
    const shared = importsOf('jdbc');
    expect(shared.filter((i) => /jdbc-(source|sink)/.test(i.from))).toEqual([]);
    expect(shared.filter((i) => i.from === './mysql.js').map((i) => i.file)).toEqual(['jdbc/dialects.ts']);
  });
});
