// `npm run docs`: writes the references generated from the declarations.
//   docs/transforms.md         src/transforms/reference.ts
//   docs/connectors.md         src/connectors/reference.ts
//   docs/worker-properties.md  src/worker/properties-reference.ts
// test/unit/config/reference-docs.test.ts fails when a committed file differs from what this writes.
//   npx tsx scripts/gen-docs.ts [--out <dir>]   (default: the repository; the test writes to a scratch dir)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS } from '../src/generated-docs.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const root = outAt >= 0 ? path.resolve(args[outAt + 1] ?? '.') : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, render] of Object.entries(GENERATED_DOCS)) {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, render());
  process.stdout.write(`wrote ${path.relative(process.cwd(), target) || target}\n`);
}
