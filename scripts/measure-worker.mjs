#!/usr/bin/env node
// Starts `tconnect worker` (bin/tconnect.mjs, or the command given after --), measures the time
// until it logs "worker started" and its resident memory after it has idled a while, then stops it.
// Usage: node scripts/measure-worker.mjs [--idle-ms 10000] [--runs 3] [-- command args...]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const own = sep === -1 ? args : args.slice(0, sep);
const opt = (name, def) => {
  const i = own.indexOf(name);
  return i === -1 ? def : Number(own[i + 1]);
};
const idleMs = opt('--idle-ms', 10_000);
const runs = opt('--runs', 3);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const command = sep === -1 ? [process.execPath, path.join(root, 'bin/tconnect.mjs'), 'worker'] : args.slice(sep + 1);

function rssOf(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function once() {
  const started = process.hrtime.bigint();
  const child = spawn(command[0], command.slice(1), { env: { ...process.env, TCONNECT_TASK_QUEUE: `measure-${process.pid}-${Date.now()}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise((resolve, reject) => {
    const look = (d) => {
      out += d.toString();
      if (out.includes('worker started')) resolve(Number(process.hrtime.bigint() - started) / 1e6);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${out}`)));
  });
  const startMs = await ready;
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = rssOf(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { startMs: Math.round(startMs), rssMiB: Math.round(rss) };
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ command: command.slice(1).join(' '), idleMs, runs: results, medianStartMs: median(results.map((r) => r.startMs)), medianRssMiB: median(results.map((r) => r.rssMiB)) }));
