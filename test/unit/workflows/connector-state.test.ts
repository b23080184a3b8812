import { describe, it, expect } from 'vitest';
import {
  maskLike,
  offsetsChangeRefusal,
  pauseStep,
  reportedTask,
  restartStep,
  resumeStep,
  taskToRestart,
} from '../../../workflows/connector-state.js';
import type { ConnectorState } from '../../../workflows/messages.js';
import type { TaskEntry } from '../../../workflows/state.js';

const task = (id: number, state: TaskEntry['state']): TaskEntry => ({ id, state, workerId: 'w', config: {} });

/** A patched() stand-in: answers from `on` and records which patches were asked, in order. */
function patches(...on: string[]) {
  const asked: string[] = [];
  return { asked, isPatched: (id: string) => (asked.push(id), on.includes(id)) };
}

describe('connector transitions', () => {
  it('pause: a RUNNING connector pauses, a STOPPED one ignores it, others remember it as their target', () => {
    expect(pauseStep('RUNNING')).toBe('pause');
    expect(pauseStep('STOPPED')).toBe('ignore');
    for (const s of ['FAILED', 'UNASSIGNED', 'PAUSED', 'RESTARTING'] as ConnectorState[]) expect(pauseStep(s)).toBe('remember');
  });

  it('resume: resumes paused tasks; starts a connector created PAUSED (none planned) or STOPPED', () => {
    const all = patches('paused-start-plans-on-resume', 'resume-starts');
    expect(resumeStep('PAUSED', 2, true, all.isPatched)).toBe('resumeTasks');
    expect(resumeStep('PAUSED', 0, true, all.isPatched)).toBe('start');
    expect(resumeStep('STOPPED', 0, true, all.isPatched)).toBe('start');
    // Not yet validated (failed at start, then stopped): start validates first.
    expect(resumeStep('STOPPED', 0, false, all.isPatched)).toBe('start');
    for (const s of ['RUNNING', 'FAILED', 'UNASSIGNED'] as ConnectorState[]) expect(resumeStep(s, 1, true, all.isPatched)).toBe('none');
  });

  it('resume: histories from before the patches keep their old paths, and patches are asked only where the workflow asked them', () => {
    const none = patches();
    expect(resumeStep('PAUSED', 0, true, none.isPatched)).toBe('resumeTasks');
    expect(resumeStep('STOPPED', 0, true, none.isPatched)).toBe('legacyLaunch');
    expect(none.asked).toEqual(['paused-start-plans-on-resume', 'resume-starts']);
    const asked = patches('paused-start-plans-on-resume', 'resume-starts');
    resumeStep('PAUSED', 2, true, asked.isPatched);
    resumeStep('STOPPED', 0, false, asked.isPatched);
    resumeStep('RUNNING', 0, true, asked.isPatched);
    expect(asked.asked).toEqual([]);
  });

  it('restart: the connector alone, with all tasks, or only the failed ones; a FAILED connector starts again', () => {
    const tasks = [task(0, 'RUNNING'), task(1, 'FAILED'), task(2, 'PAUSED')];
    const p = patches('restart-starts-again');
    expect(restartStep('STOPPED', tasks, { includeTasks: true }, p.isPatched)).toEqual({ kind: 'ignore' });
    expect(restartStep('RUNNING', tasks, undefined, p.isPatched)).toEqual({ kind: 'restart', clearTrace: true, setRunning: false, tasks: undefined });
    expect(restartStep('RUNNING', tasks, { includeTasks: true }, p.isPatched)).toEqual({ kind: 'restart', clearTrace: true, setRunning: false, tasks: [0, 1, 2] });
    // onlyFailed: a RUNNING connector itself is not restarted, only its failed tasks.
    expect(restartStep('RUNNING', tasks, { includeTasks: true, onlyFailed: true }, p.isPatched)).toEqual({ kind: 'restart', clearTrace: false, setRunning: false, tasks: [1] });
    expect(restartStep('RUNNING', tasks, { onlyFailed: true }, p.isPatched)).toEqual({ kind: 'restart', clearTrace: false, setRunning: false, tasks: undefined });
    expect(p.asked).toEqual([]);
    expect(restartStep('FAILED', tasks, { onlyFailed: true }, p.isPatched)).toEqual({ kind: 'startAgain' });
    expect(p.asked).toEqual(['restart-starts-again']);
  });

  it('restart of a FAILED connector in histories from before restart-starts-again: RUNNING again, trace cleared', () => {
    const p = patches();
    expect(restartStep('FAILED', [task(0, 'FAILED')], { includeTasks: true }, p.isPatched)).toEqual({ kind: 'restart', clearTrace: true, setRunning: true, tasks: [0] });
  });

  it('restarts one task only while it is current', () => {
    const tasks = [task(0, 'RUNNING'), task(1, 'STOPPED')];
    expect(taskToRestart(tasks, 0)).toBe(tasks[0]);
    expect(taskToRestart(tasks, 1)).toBeUndefined();
    expect(taskToRestart(tasks, 5)).toBeUndefined();
  });

  it('takes task reports of the current plan only', () => {
    const tasks = [task(0, 'RUNNING'), task(1, 'RUNNING')];
    expect(reportedTask(tasks, 3, { generation: 3, taskId: 1 })).toBe(tasks[1]);
    expect(reportedTask(tasks, 3, { generation: 2, taskId: 1 })).toBeUndefined();
    expect(reportedTask(tasks, 3, { generation: 3, taskId: 7 })).toBeUndefined();
  });

  it('allows offset changes only while STOPPED, with Kafka Connect\'s message otherwise', () => {
    expect(offsetsChangeRefusal('STOPPED')).toBeUndefined();
    for (const s of ['RUNNING', 'PAUSED', 'FAILED', 'UNASSIGNED'] as ConnectorState[]) {
      expect(offsetsChangeRefusal(s)).toMatch(/^Connectors must be in the STOPPED state before their offsets can be modified/);
    }
  });

  it('masks the connector\'s secret keys in task configs, leaving keys the tasks changed or added', () => {
    const v = { config: { 'connection.password': '${env:PW}', 'connection.url': 'jdbc:x' }, masked: { 'connection.password': '[hidden]', 'connection.url': 'jdbc:x' } };
    expect(maskLike({ 'connection.password': '${env:PW}', 'connection.url': 'jdbc:x', 'task.tables': 'a,b' }, v))
      .toEqual({ 'connection.password': '[hidden]', 'connection.url': 'jdbc:x', 'task.tables': 'a,b' });
  });
});
