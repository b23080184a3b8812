import { createRequire } from 'node:module';

/** The package's version; found by the package's own name, so the compiled copy in dist/ finds it too. */
export const VERSION: string = (createRequire(import.meta.url)('temporal-connect/package.json') as { version: string }).version;
