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
});
