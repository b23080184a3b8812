#!/usr/bin/env node
// Installed from the package, runs the compiled CLI in dist/. In a checkout (src/ next to bin/) it
// runs the TypeScript sources through tsx instead, so a stale build is never used there;
// TCONNECT_RUN_DIST=1 runs dist/ from a checkout too (after `npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source) && process.env.TCONNECT_RUN_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv);
