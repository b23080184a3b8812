// `npm run docs`: writes the generated references from the declarations.
//   docs/transforms.md         src/transforms/reference.ts
//   docs/connectors.md         src/connectors/reference.ts
//   docs/worker-properties.md  src/worker/properties-reference.ts
// test/unit/config/reference-docs.test.ts fails when a committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS } from '../src/generated-docs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, render] of Object.entries(GENERATED_DOCS)) {
  writeFileSync(path.join(root, file), render());
  process.stdout.write(`wrote ${file}\n`);
}
