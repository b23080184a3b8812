import { checkServers } from './global-setup.js';

/**
 * The `cluster` project's global set-up: its servers are the production-shaped stack's (TC_TARGET=cluster,
 * set for its test files by vitest.config.ts). The target is passed, not put into process.env: this
 * process also sets up the other projects, whose tests run on the dev servers.
 */
export default async function setup(): Promise<void> {
  await checkServers('cluster');
}
