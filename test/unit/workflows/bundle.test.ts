import { describe, it, expect } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';

// The bundler refuses Node built-ins and other non-deterministic imports in workflow code:
// building the bundle here catches a bad import before a worker does.
describe('workflow bundle', () => {
  it('builds from workflows/index.ts and registers every workflow type', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../../workflows/index.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never,
    });
    expect(code).toContain('connectorWorkflow');
    expect(code).toContain('sourceTaskWorkflow');
    expect(code.length).toBeGreaterThan(10_000);
  }, 60_000);
});
