import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAllowedPaths, fileProblem } from '../../src/connectors/file-stream/allowed-paths.js';
import { fileStreamSource } from '../../src/connectors/file-stream/index.js';
import type { SourceTaskContext } from '../../src/connectors/types.js';
import { ConfigError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tconnect-fs-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = (offset: Record<string, unknown> | null = null): SourceTaskContext => ({ connectorName: 'f', taskId: 0, logger: quiet, offsetFor: () => offset });

describe('FileStream allowed paths', () => {
  it('refuses every file until the worker allows a directory (the default)', async () => {
    applyAllowedPaths({});
    expect(fileProblem(path.join(dir, 'a.txt'), false)).toBe('File connectors are disabled on this worker: set the worker property file.connectors.allowed.paths to the directories they may read and write');
    await expect(fileStreamSource.startTask({ file: path.join(dir, 'a.txt'), topic: 't' }, ctx())).rejects.toBeInstanceOf(ConfigError);
  });

  it('allows files inside a listed directory only', () => {
    applyAllowedPaths({ 'file.connectors.allowed.paths': ` /nonexistent-x , ${dir} ` });
    expect(fileProblem(path.join(dir, 'sub', 'a.txt'), true)).toBeNull();
    expect(fileProblem(`${dir}-sibling/a.txt`, true)).toMatch(/not inside a directory the worker allows/);
    expect(fileProblem(path.join(dir, '..', 'a.txt'), true)).toMatch(/not inside a directory the worker allows/);
  });
});

describe('FileStreamSource task', () => {
  it('reads LF, CRLF and CR lines with Connect\'s byte positions, waits for a half line, and resumes at a position', async () => {
    applyAllowedPaths({ 'file.connectors.allowed.paths': dir });
    const file = path.join(dir, 'lines.txt');
    writeFileSync(file, 'a\r\nbb\ncc\rpart');
    const task = await fileStreamSource.startTask({ file, topic: 't', 'batch.size': '10' }, ctx());
    const signal = new AbortController().signal;
    const first = await task.poll(10, signal);
    expect(first.map((r) => [r.value, r.sourceOffset.position])).toEqual([['a', 3], ['bb', 6], ['cc', 9]]);
    expect(first[0].sourcePartition).toEqual({ filename: file });
    expect(await task.poll(10, signal)).toEqual([]);
    appendFileSync(file, 'ial\n');
    expect((await task.poll(10, signal)).map((r) => [r.value, r.sourceOffset.position])).toEqual([['partial', 17]]);
    await task.close();

    const resumed = await fileStreamSource.startTask({ file, topic: 't' }, ctx({ position: 6 }));
    expect((await resumed.poll(10, signal)).map((r) => r.value)).toEqual(['cc', 'partial']);
    await resumed.close();
  });

  it('honours batch.size and the runtime\'s maximum, and waits for a missing file', async () => {
    const file = path.join(dir, 'many.txt');
    const task = await fileStreamSource.startTask({ file, topic: 't', 'batch.size': '3' }, ctx());
    const signal = new AbortController().signal;
    expect(await task.poll(10, signal)).toEqual([]);
    writeFileSync(file, Array.from({ length: 8 }, (_, i) => `${i}\n`).join(''));
    expect((await task.poll(10, signal)).length).toBe(3);
    expect((await task.poll(2, signal)).map((r) => r.value)).toEqual(['3', '4']);
    await task.close();
  });
});
