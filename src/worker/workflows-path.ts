import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled (dist/) the workflows are .js files in the same tree as this one; run from source, .ts. */
export const SOURCE_EXT = path.extname(fileURLToPath(import.meta.url));
/** The workflows' entry module, which the worker bundles and replay runs against. */
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../../workflows/index${SOURCE_EXT}`, import.meta.url));
