import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_THREAD_SEMI_SPACE_MB, withSmallWorkflowThread } from '../../../src/worker/index.js';

// The young generation a new thread's isolate grows to while it allocates fast (MiB): two semi-spaces.
function threadNewSpaceMiB(): Promise<number> {
  const w = new Worker(
    `const v8 = require('node:v8'); const a = []; for (let i = 0; i < 3e6; i++) { a.push({ i }); if (a.length > 3e5) a.length = 0; }
     require('node:worker_threads').parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20);`,
    { eval: true },
  );
  return new Promise((resolve, reject) => {
    w.once('message', (m: number) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
}

describe('the workflow thread starts with a small young generation', () => {
  it('a thread created inside withSmallWorkflowThread gets the small semi-spaces; one created after gets V8 default again', { timeout: 30_000 }, async () => {
    const inside = await withSmallWorkflowThread(() => threadNewSpaceMiB());
    expect(inside).toBeLessThanOrEqual(2 * WORKFLOW_THREAD_SEMI_SPACE_MB);
    const after = await threadNewSpaceMiB();
    expect(after).toBeGreaterThan(4 * WORKFLOW_THREAD_SEMI_SPACE_MB);
  });

  it('puts back the size node was started with (NODE_OPTIONS) after the workflow thread, not V8 default', { timeout: 30_000 }, async () => {
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --max-semi-space-size=4`;
    try {
      const inside = await withSmallWorkflowThread(() => threadNewSpaceMiB());
      expect(inside).toBeLessThanOrEqual(2 * WORKFLOW_THREAD_SEMI_SPACE_MB);
      const after = await threadNewSpaceMiB();
      expect(after).toBeGreaterThan(2 * WORKFLOW_THREAD_SEMI_SPACE_MB);
      expect(after).toBeLessThanOrEqual(8); // 2 x 4, not V8 default 2 x 16
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    // V8's default again for whatever runs next in this process.
    await withSmallWorkflowThread(() => Promise.resolve());
  });
});
