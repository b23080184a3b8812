import { ApplicationFailure } from '@temporalio/common';
import { FAILURE } from './deps.js';
import { toFailure } from './failures.js';
import { withHeartbeat } from './heartbeat.js';

/** What every task opened in a worker carries, source or sink. */
export interface OpenEntry {
  loadId: string;
  /** Batches completed since this open; the workflow asks for exactly the next one. */
  seq: number;
  /** Resolved secret values, scrubbed from error messages. */
  secrets: string[];
  /** Serializes batches of one task (a retried activity may overlap a stuck one). */
  busy: Promise<unknown>;
}

export interface BatchRequest {
  connector: string;
  taskId: number;
  loadId: string;
  seq: number;
}

/**
 * The tasks a worker process holds open, by connector and task id. A batch runs only on the open
 * it was asked for and in order; a failure closes the task, since its position is unknown, and
 * the workflow reopens it from its committed offsets.
 */
export class OpenTasks<E extends OpenEntry> {
  private readonly open = new Map<string, E>();

  constructor(private readonly kind: string, private readonly workerId: string, private readonly closeTask: (e: E, key: string) => Promise<void>) {}

  static key(connector: string, taskId: number): string {
    return `${connector}/${taskId}`;
  }

  set(connector: string, taskId: number, entry: E): void {
    this.open.set(OpenTasks.key(connector, taskId), entry);
  }

  async close(connector: string, taskId: number): Promise<void> {
    await this.closeKey(OpenTasks.key(connector, taskId));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((k) => this.closeKey(k)));
  }

  private async closeKey(key: string): Promise<void> {
    const e = this.open.get(key);
    this.open.delete(key);
    if (e) await this.closeTask(e, key);
  }

  async runBatch<R>(req: BatchRequest, run: (e: E) => Promise<R>): Promise<R> {
    const key = OpenTasks.key(req.connector, req.taskId);
    const t = this.open.get(key);
    if (!t || t.loadId !== req.loadId || t.seq !== req.seq) {
      throw ApplicationFailure.create({
        type: FAILURE.taskNotLoaded,
        nonRetryable: true,
        message: t
          ? `${this.kind} task ${key} is at batch ${t.seq} of load ${t.loadId}, asked for ${req.seq} of ${req.loadId}`
          : `${this.kind} task ${key} is not open on worker ${this.workerId}`,
      });
    }
    const p = t.busy.then(() => withHeartbeat(() => run(t)));
    t.busy = p.catch(() => undefined);
    try {
      const r = await p;
      t.seq++;
      return r;
    } catch (e) {
      await this.closeKey(key);
      throw toFailure(e, t.secrets);
    }
  }
}
