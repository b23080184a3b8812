import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// docs/connector-guide.md shows the example connector in full: it must be the file that the
// plugin.path and conformance tests run.
describe('docs/connector-guide.md', () => {
  it('shows examples/sequence-source/index.js exactly', () => {
    const guide = readFileSync('docs/connector-guide.md', 'utf8');
    const example = readFileSync('examples/sequence-source/index.js', 'utf8');
    const block = guide.match(/## A complete small connector[\s\S]*?```js\n([\s\S]*?)```/)?.[1];
    expect(block).toBe(example);
  });
});
