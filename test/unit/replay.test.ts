import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHistory, replay } from '../../src/cli/replay.js';

// Histories recorded from real runs (test/replay/record.ts) must replay against the current
// workflow code: a determinism error here is what a deployed worker would hit mid-flight.
// histories/v1 were recorded before tasks reported topics: they prove running workflows survive
// that deploy (the change is behind patched('report-topics')). histories/v2 were recorded before
// the lifecycle fixes (handlers before the first await, plan before stopping, interrupting a batch
// on pause…), all behind patched() too. histories/v3 were recorded before idle batches waited 30 s
// (sinks' batches interrupted on pause and stop, every batch on restart) and before offsets were
// reported once a minute (patches interrupt-sink-batch, interrupt-batch-on-restart, offset-report-60s);
// the top-level ones exercise those new paths.
const dir = fileURLToPath(new URL('../replay/histories', import.meta.url));
const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  it('has recorded histories of source and sink connectors and tasks', () => {
    const names = ['sink-connector.json', 'sink-task.json', 'source-connector.json', 'source-task.json'];
    expect(files).toEqual([...names.slice(0, 3), 'source-task-paused.json', names[3], ...names.map((n) => `v1/${n}`), ...names.map((n) => `v2/${n}`), ...[...names.slice(0, 3), 'source-task-paused.json', names[3]].map((n) => `v3/${n}`)]);
  });

  for (const f of files) {
    it(`replays ${f} without a determinism error`, async () => {
      const { history, events } = loadHistory(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      expect(events).toBeGreaterThan(10);
      const r = await replay(history, `replay-${f}`);
      if (!r.ok) throw r.error;
      expect(r.ok).toBe(true);
    }, 60_000);
  }

  it('reports a determinism error when the history does not match the code', async () => {
    const raw = JSON.parse(readFileSync(path.join(dir, 'source-task.json'), 'utf8'));
    // Turn the first activity the task scheduled into a different activity type.
    const ev = raw.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
    ev.activityTaskScheduledEventAttributes.activityType.name = 'noSuchActivity';
    const r = await replay(loadHistory(raw).history, 'replay-broken');
    expect(r.ok).toBe(false);
  }, 60_000);
});
