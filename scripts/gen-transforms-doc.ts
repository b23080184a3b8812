// Prints docs/transforms.md: every transform and predicate with its class name, aliases and
// config keys (type, default, description), from the declarations in src/transforms/registry.ts.
//   npx tsx scripts/gen-transforms-doc.ts > docs/transforms.md
import { renderTransformsReference } from '../src/transforms/reference.js';

process.stdout.write(renderTransformsReference());
