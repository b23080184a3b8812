#!/usr/bin/env node
// npm run build: compiles src/, workflows/ and activities/ to dist/ (ESM + declarations), then
// bundles the compiled workflows into dist/workflow-bundle/, where an installed worker finds them
// (so it never runs webpack at start).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
const { workflowBundlePath } = await import(path.join(root, 'dist/src/worker/index.js'));
delete process.env.TCONNECT_BUNDLE_DIR;
const file = await workflowBundlePath();
console.log(`build: dist/ compiled, workflows bundled into ${path.relative(root, file)}`);
