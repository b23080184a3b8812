// The connector workflow's transitions as pure functions: each says what a control operation does
// in the connector's current state; the workflow's handlers only carry it out (signal the tasks,
// start, stop). Deterministic, no I/O, unit-testable without Temporal.
//
// Where a transition depends on a patched() marker, the caller passes `isPatched`; it is called at
// the same point (and only when) the workflow called patched() before these moved here, so the
// recorded histories replay unchanged.
import type { ConnectorState, RestartOptions } from './messages.js';
import type { TaskEntry } from './state.js';

export type IsPatched = (patchId: string) => boolean;

/**
 * pause: `ignore` (a STOPPED connector stays STOPPED), `remember` (PAUSED becomes the target the
 * connector goes to once it can start: FAILED, UNASSIGNED, already PAUSED), or `pause` (a RUNNING
 * connector and its tasks pause now).
 */
export function pauseStep(state: ConnectorState): 'ignore' | 'remember' | 'pause' {
  if (state === 'STOPPED') return 'ignore';
  return state === 'RUNNING' ? 'pause' : 'remember';
}

/**
 * resume (the target becomes RUNNING in every case): `start` plans and starts the tasks (a
 * connector created PAUSED planned none; a STOPPED one has none), `resumeTasks` resumes the paused
 * tasks, `legacyLaunch` re-plans a STOPPED connector as histories from before `resume-starts` did,
 * `none` when there is nothing to resume.
 */
export function resumeStep(
  state: ConnectorState,
  taskCount: number,
  validated: boolean,
  isPatched: IsPatched,
): 'start' | 'resumeTasks' | 'legacyLaunch' | 'none' {
  if (state === 'PAUSED' && taskCount === 0 && validated && isPatched('paused-start-plans-on-resume')) return 'start';
  if (state === 'PAUSED') return 'resumeTasks';
  if (state === 'STOPPED') return validated && !isPatched('resume-starts') ? 'legacyLaunch' : 'start';
  return 'none';
}

export type RestartStep =
  | { kind: 'ignore' }
  /** A FAILED connector starts again: its tasks stopped, then validate, plan, start. */
  | { kind: 'startAgain' }
  | {
    kind: 'restart';
    /** The connector's own restart: its trace cleared (and a FAILED one RUNNING again, before `restart-starts-again`). */
    clearTrace: boolean;
    setRunning: boolean;
    /** With includeTasks: the ids of the tasks to restart (only the FAILED ones with onlyFailed); else undefined. */
    tasks?: number[];
  };

/** restart, as Kafka Connect's POST /connectors/{c}/restart?includeTasks&onlyFailed. */
export function restartStep(state: ConnectorState, tasks: readonly TaskEntry[], opts: RestartOptions | undefined, isPatched: IsPatched): RestartStep {
  const includeTasks = opts?.includeTasks ?? false;
  const onlyFailed = opts?.onlyFailed ?? false;
  if (state === 'STOPPED') return { kind: 'ignore' };
  let clearTrace = false;
  let setRunning = false;
  if (!onlyFailed || state === 'FAILED') {
    if (state === 'FAILED' && isPatched('restart-starts-again')) return { kind: 'startAgain' };
    clearTrace = true;
    setRunning = state === 'FAILED';
  }
  const picked = includeTasks ? tasks.filter((t) => !onlyFailed || t.state === 'FAILED').map((t) => t.id) : undefined;
  return { kind: 'restart', clearTrace, setRunning, tasks: picked };
}

/** The task POST /connectors/{c}/tasks/{t}/restart restarts: a current one, never a stopped one. */
export function taskToRestart(tasks: readonly TaskEntry[], id: number): TaskEntry | undefined {
  return tasks.find((t) => t.id === id && t.state !== 'STOPPED');
}

/** Why offsets cannot be altered or reset now (Kafka Connect's message), or undefined when they can. */
export function offsetsChangeRefusal(state: ConnectorState): string | undefined {
  if (state === 'STOPPED') return undefined;
  return 'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a \'PUT\' request to the \'/connectors/<name>/stop\' endpoint';
}

/** The task entry a task's report updates: only reports of the current plan (generation) count. */
export function reportedTask(tasks: readonly TaskEntry[], generation: number, r: { generation: number; taskId: number }): TaskEntry | undefined {
  return r.generation === generation ? tasks.find((t) => t.id === r.taskId) : undefined;
}

/** Task configs carry the connector's keys: the same secret keys are masked as in the connector's masked config. */
export function maskLike(config: Record<string, string>, v: { config: Record<string, string>; masked: Record<string, string> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(config)) out[k] = v.masked[k] !== undefined && v.masked[k] !== v.config[k] ? v.masked[k] : val;
  return out;
}
